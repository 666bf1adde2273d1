//! WeDrive downloads: streamed, byte-equal to the source, never held whole in memory.

mod common;

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::StatusCode;
use common::loopback::{self, Answer, TOKEN_PATH};
use common::*;
use serde_json::json;
use tokio::io::AsyncWrite;
use wecom_client::{Error, RateLimit, WEDRIVE_DOWNLOAD};

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

/// Collects log lines.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const LINK: &str = "/cgi-bin/oa/journal/download_wedrive_file";
const FILE: &str = "/files/report.pdf";
const COOKIE: &str = "wwfile-c00kie-value";

/// A WeDrive whose file server fails `failures` times (HTTP 502) before serving the file.
async fn flaky_wedrive(failures: usize, file: Vec<u8>) -> loopback::Loopback {
    loopback::serve(move |req| match req.path.as_str() {
        TOKEN_PATH => loopback::token_ok(),
        LINK => json!({
            "errcode": 0, "errmsg": "ok",
            "download_url": format!("{{base}}{FILE}"), "cookie_name": "wwfile", "cookie_value": COOKIE,
        })
        .into(),
        FILE if req.headers.get("cookie").and_then(|c| c.to_str().ok()) != Some(&format!("wwfile={COOKIE}")) => {
            Answer::Raw(StatusCode::FORBIDDEN, b"no cookie".to_vec())
        }
        FILE if req.nth < failures => {
            Answer::Raw(StatusCode::BAD_GATEWAY, format!("<html>bad gateway {COOKIE}</html>").into_bytes())
        }
        FILE => Answer::Raw(StatusCode::OK, file.clone()),
        _ => loopback::error(40058),
    })
    .await
}

#[tokio::test]
async fn the_file_get_goes_through_the_one_driver_retried_rate_limited_traced_and_counted() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let file: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let srv = flaky_wedrive(2, file.clone()).await;
    // File GETs have a budget of their own: one per 300 ms.
    let period = Duration::from_millis(300);
    let client = srv.client().rate_limit(WEDRIVE_DOWNLOAD, Some(RateLimit { calls: 1, per: period })).build().unwrap();
    let mut out = Recorder::default();
    let n = client.journals().download_wedrive_file("j1", "f1", &mut out).await.unwrap();
    assert_eq!(n as usize, file.len());
    assert!(out.bytes == file, "bytes differ");

    let gets = srv.requests(FILE);
    assert_eq!(gets.len(), 3, "two 502s retried, then the file");
    for pair in gets.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= period - Duration::from_millis(50), "the limiter spaced the GETs: {gap:?}");
    }
    let stats = client.stats();
    assert_eq!(stats.calls, 1 + 1 + 3, "gettoken, the link, three GETs");
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.bytes_downloaded, file.len() as u64);
    assert!(stats.throttled > Duration::ZERO);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let retried =
        text.lines().filter(|l| l.contains("retrying") && l.contains("journal.download_wedrive_file")).count();
    assert_eq!(retried, 2, "each retry is traced:\n{text}");
    assert!(!text.contains(COOKIE), "the cookie never reaches the logs");
}

#[tokio::test]
async fn a_file_server_that_keeps_failing_is_reported_after_the_policy_s_attempts() {
    let srv = flaky_wedrive(usize::MAX, vec![1, 2, 3]).await;
    let client = srv.client().retry_policy(fast_retries().max_attempts(3)).build().unwrap();
    let mut out = Recorder::default();
    let err = client.journals().download_wedrive_file("j1", "f1", &mut out).await.unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts: 3, last, .. } => {
            assert!(matches!(**last, Error::Http { status: 502, .. }), "{last}");
        }
        other => panic!("{other}"),
    }
    assert!(!err.to_string().contains(COOKIE) && !format!("{err:?}").contains(COOKIE), "{err}");
    assert_eq!(srv.calls(FILE), 3);
    assert!(out.bytes.is_empty());
}
