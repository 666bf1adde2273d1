//! Secrets — the corp secret, access tokens, download cookies — never appear in errors
//! (Display or Debug), in Debug output of the client, or in log lines, whatever goes wrong.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use wecom_client::{AccessToken, BoxFuture, Client, Error, RetryPolicy, TimeRange, TokenSource};
use wecom_emulator::{Emulator, FaultKind, Faults};
use wecom_endpoints::Endpoint;
use wecom_models::journal::DownloadWedriveFileRequest;

const SECRET: &str = "S3CR3T-corp-secret-do-not-print";

/// Collects every log line.
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

struct Fixed(String);

impl TokenSource for Fixed {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(AccessToken { token: token.into(), expires_in: Duration::from_secs(7200) }) })
    }
}

fn check(text: &str, secrets: &[&str], what: &str) {
    for s in secrets {
        assert!(!text.contains(s), "{what} leaks a secret:\n{text}");
    }
}

#[tokio::test]
async fn no_secret_in_any_error_debug_output_or_log_line() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emulator::builder().seed(5).approvals(80).journals(40).corp_secret(SECRET).start().await.unwrap();
    let mut errors: Vec<Error> = Vec::new();
    let mut known: Vec<String> = vec![SECRET.to_string()];

    // Success with faults of every kind along the way (retries log warnings).
    let client = client(&emu).corp_secret(SECRET).build().unwrap();
    emu.set_faults(Faults { include_gettoken: true, ..Faults::uniform(0.2, 9) });
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let details: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    assert!(!details.is_empty());
    emu.set_faults(Faults::none());

    // A download: its cookie must not show either.
    let (journal, fileid) = emu.wedrive_files()[0].clone();
    let link = client.execute(&DownloadWedriveFileRequest::new(&journal, &fileid)).await.unwrap();
    known.push(link.cookie_value.expose().to_string());
    let mut sink = Vec::new();
    client.journals().download_wedrive_file(&journal, &fileid, &mut sink).await.unwrap();

    // Each kind of failure, with a token we know so we can look for it.
    let token = emu.issue_token();
    known.push(token.clone());
    let with_token = |retry: RetryPolicy| {
        Client::builder()
            .base_url(emu.base_url())
            .token_source(Fixed(token.clone()))
            .retry_policy(retry)
            .build()
            .unwrap()
    };
    for kind in
        [FaultKind::DropConnection, FaultKind::TruncatedBody, FaultKind::NonJson, FaultKind::Http502, FaultKind::Busy]
    {
        emu.set_faults(Faults::only(kind, 1.0, 1));
        errors.push(with_token(RetryPolicy::none()).approvals().detail("202501010001").await.unwrap_err());
        errors.push(with_token(fast_retries().max_attempts(2)).approvals().detail("202501010001").await.unwrap_err());
    }
    emu.set_faults(Faults::none());
    emu.revoke_tokens(); // 40014, refreshed once, still 40014
    errors.push(with_token(RetryPolicy::none()).approvals().detail("202501010001").await.unwrap_err());
    errors.push(
        with_token(RetryPolicy::none()).approvals().detail("x".repeat(300)).await.unwrap_err(), // an API error
    );
    errors.push(client.journals().download_wedrive_file(&journal, "not-a-file", &mut sink).await.unwrap_err());
    // Wrong secret.
    errors.push(
        common::client(&emu)
            .corp_secret("another-secret-value")
            .build()
            .unwrap()
            .approvals()
            .detail("1")
            .await
            .unwrap_err(),
    );
    known.push("another-secret-value".into());
    // Nothing listening.
    let dead = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token_source(Fixed(token.clone()))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(dead.approvals().detail("1").await.unwrap_err());
    // Validation.
    errors.push(client.execute(&DownloadWedriveFileRequest::new("", "")).await.unwrap_err());

    let secrets: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut kinds = std::collections::BTreeSet::new();
    for e in &errors {
        check(&e.to_string(), &secrets, "an error's Display");
        check(&format!("{e:?}"), &secrets, "an error's Debug");
        kinds.insert(format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_string());
    }
    assert!(kinds.len() >= 4, "several error kinds were checked: {kinds:?}");
    check(&format!("{client:?}"), &secrets, "the client's Debug");
    check(&format!("{:?}", Client::builder().corp_secret(SECRET)), &secrets, "the builder's Debug");
    check(&format!("{link:?}"), &secrets, "a download link's Debug");
    let log_text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(log_text.contains("retrying"), "logs were captured");
    assert!(log_text.contains(DownloadWedriveFileRequest::INFO.id));
    check(&log_text, &secrets, "the logs");
}
