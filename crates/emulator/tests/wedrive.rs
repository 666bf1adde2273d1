//! Journal wedrive files: download_wedrive_file over HTTP, then the download URL
//! with and without the cookie, byte-equal to the ground truth (incl. a ≥ 8 MiB file).

mod common;

use common::*;
use futures::StreamExt;
use serde_json::{Value, json};
use wecom_emulator::{Emulator, Quirks, WEDRIVE_DOWNLOAD_PATH};

async fn link(api: &Api, uuid: &str, fileid: &str) -> Value {
    api.post(JOURNAL_WEDRIVE, json!({"journaluuid": uuid, "fileid": fileid})).await
}

#[tokio::test]
async fn download_requires_the_cookie() {
    let api = Api::start(Emulator::builder().approvals(10).journals(300)).await;
    let files = api.emu.wedrive_files();
    assert!(!files.is_empty());
    // The fileids are the ones the journal detail lists.
    let (uuid, fileid) = files[0].clone();
    let d = api.post(JOURNAL_DETAIL, json!({"journaluuid": uuid})).await;
    let listed: Vec<String> = d["info"]["apply_data"]["contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["control"] == "WedriveFile")
        .flat_map(|c| c["value"]["wedrive_files"].as_array().unwrap().clone())
        .map(|f| f["fileid"].as_str().unwrap().to_string())
        .collect();
    assert!(listed.contains(&fileid), "{listed:?}");

    let v = link(&api, &uuid, &fileid).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let url = v["download_url"].as_str().unwrap();
    assert!(url.starts_with(&api.base), "{url}");
    let (name, value) = (v["cookie_name"].as_str().unwrap(), v["cookie_value"].as_str().unwrap());

    // Without the cookie, or with a wrong one: 403.
    for cookie in [None, Some(format!("{name}=wrong")), Some(format!("other={value}"))] {
        let mut req = api.http.get(url);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), 403);
    }
    // With it (among other cookies): the exact bytes.
    let r = api.http.get(url).header("cookie", format!("a=b; {name}={value}; c=d")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let expected = api.emu.wedrive_file_bytes(&fileid).unwrap();
    assert_eq!(r.content_length(), Some(expected.len() as u64));
    let got = r.bytes().await.unwrap();
    assert_eq!(got.as_ref(), expected.as_slice());
    assert_eq!(api.emu.wedrive_file_size(&fileid), Some(expected.len() as u64));
    // The URL is bound to its file.
    let other = files.iter().find(|f| f.1 != fileid).unwrap();
    let forged = url.replace(&fileid, &other.1);
    let r = api.http.get(&forged).header("cookie", format!("{name}={value}")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(api.emu.call_count(WEDRIVE_DOWNLOAD_PATH), 5);
}

#[tokio::test]
async fn big_file_streams_byte_equal() {
    let api = Api::start(Emulator::builder().approvals(10).journals(200)).await;
    let files = api.emu.wedrive_files();
    let (uuid, fileid) = files
        .iter()
        .find(|(_, f)| api.emu.wedrive_file_size(f).unwrap() >= 8 * 1024 * 1024)
        .expect("a file of at least 8 MiB")
        .clone();
    let v = link(&api, &uuid, &fileid).await;
    let r = api
        .http
        .get(v["download_url"].as_str().unwrap())
        .header("cookie", format!("{}={}", v["cookie_name"].as_str().unwrap(), v["cookie_value"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let expected = api.emu.wedrive_file_bytes(&fileid).unwrap();
    let mut stream = r.bytes_stream();
    let mut offset = 0usize;
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        assert_eq!(&expected[offset..offset + chunk.len()], chunk.as_ref());
        offset += chunk.len();
        chunks += 1;
    }
    assert_eq!(offset, expected.len());
    assert!(chunks > 1);
    // Sizes vary from a few KB up.
    let sizes: Vec<u64> = files.iter().map(|f| api.emu.wedrive_file_size(&f.1).unwrap()).collect();
    assert!(sizes.iter().any(|s| *s < 64 * 1024));
}

#[tokio::test]
async fn download_wedrive_file_errors() {
    let api = Api::start(Emulator::builder().approvals(10).journals(300)).await;
    let files = api.emu.wedrive_files();
    let (uuid, fileid) = files[0].clone();
    let other = files.iter().find(|f| f.0 != uuid).expect("two journals with files");
    // A file of another journal: must be the journal's own wedrive_files.
    assert_err(&link(&api, &uuid, &other.1).await, 301_066);
    assert_err(&link(&api, &uuid, "s.nope.123").await, 301_066);
    // An unknown journal: 301066 (the endpoint's own table) by default, 301084 as the other reading.
    assert_err(&link(&api, "41eJejN57EJNzr8HrZfmKyNOPE", &fileid).await, 301_066);
    api.emu.set_quirks(Quirks { unknown_journal_errcode: 301_084, ..Quirks::default() });
    assert_err(&link(&api, "41eJejN57EJNzr8HrZfmKyNOPE", &fileid).await, 301_084);
    api.emu.set_quirks(Quirks::default());
    assert_err(&api.post(JOURNAL_WEDRIVE, json!({"journaluuid": uuid})).await, 301_066);
    assert_err(&api.post(JOURNAL_WEDRIVE, json!({"fileid": fileid})).await, 301_066);
    // Without a token.
    let v = api.post_with(JOURNAL_WEDRIVE, None, &json!({"journaluuid": uuid, "fileid": fileid}).to_string()).await;
    assert_err(&v, 41001);
}
