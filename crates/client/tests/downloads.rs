//! WeDrive downloads: streamed, byte-equal to the source, never held whole in memory.

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};

use common::*;
use tokio::io::AsyncWrite;

/// A writer that keeps the bytes and remembers the largest single write.
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
    largest_write: usize,
    writes: usize,
}

impl AsyncWrite for Recorder {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.largest_write = self.largest_write.max(buf.len());
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn every_file_downloads_byte_equal_and_the_big_one_streams() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let files = emu.wedrive_files();
    assert!(!files.is_empty());
    let mut biggest = 0usize;
    for (journal, fileid) in &files {
        let mut out = Recorder::default();
        let n = client.journals().download_wedrive_file(journal, fileid, &mut out).await.unwrap();
        let expected = emu.wedrive_file_bytes(fileid).unwrap();
        assert_eq!(n as usize, expected.len());
        assert!(out.bytes == expected, "{fileid}: bytes differ");
        if expected.len() >= 8 << 20 {
            assert!(out.writes > 8, "{} writes", out.writes);
            assert!(out.largest_write <= 1 << 20, "streamed in chunks, not one {} byte buffer", out.largest_write);
        }
        biggest = biggest.max(expected.len());
    }
    assert!(biggest >= 8 << 20, "the dataset has a file of at least 8 MiB ({biggest})");
    assert_eq!(
        client.stats().bytes_downloaded as usize,
        files.iter().map(|(_, f)| emu.wedrive_file_size(f).unwrap() as usize).sum::<usize>()
    );
}

#[tokio::test]
async fn a_download_into_a_file_on_disk() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let (journal, fileid) = emu.wedrive_files().into_iter().max_by_key(|(_, f)| emu.wedrive_file_size(f)).unwrap();
    let path = std::env::temp_dir().join(format!("wecom-dl-{}-{fileid}", std::process::id()));
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    client.journals().download_wedrive_file(&journal, &fileid, &mut file).await.unwrap();
    drop(file);
    let on_disk = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(on_disk == emu.wedrive_file_bytes(&fileid).unwrap());
}

#[tokio::test]
async fn a_file_not_attached_to_the_record_is_an_api_error_and_writes_nothing() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let files = emu.wedrive_files();
    let (journal, _) = &files[0];
    let other = files.iter().find(|(j, _)| j != journal).map(|(_, f)| f.clone()).unwrap();
    let mut out = Recorder::default();
    let err = client.journals().download_wedrive_file(journal, &other, &mut out).await.unwrap_err();
    assert_eq!(err.code(), Some(wecom_endpoints::ErrorCode::JournalInvalidParameter), "{err}");
    assert!(out.bytes.is_empty());
    let before = emu.call_count(wecom_emulator::WEDRIVE_DOWNLOAD_PATH);
    assert_eq!(before, 0, "the file URL was never requested");
}
