//! Connecting: the in-process emulator with `--emulator`, else WeCom with the credentials of
//! the flags or the environment.

use std::time::Duration;

use wecom_client::{Client, RateLimit, RetryPolicy};
use wecom_emulator::{Emulator, EmulatorHandle};

use crate::args::{Cli, EMULATOR_RATE_LIMIT};
use crate::dates::format_short;
use crate::error::{CliError, Result};

/// A client, and the in-process emulator it talks to when `--emulator` is given.
pub struct Session {
    /// The client.
    pub client: Client,
    /// Where WeCom is.
    pub base_url: String,
    /// The corp whose data this is.
    pub corp_id: String,
    /// Keeps the in-process emulator running.
    pub emulator: Option<EmulatorHandle>,
}

/// The retry policy of the flags.
fn retry_policy(cli: &Cli) -> RetryPolicy {
    let mut policy = RetryPolicy::default().max_attempts(cli.retries.saturating_add(1));
    if let Some(ms) = cli.retry_backoff_ms {
        let first = Duration::from_millis(ms);
        policy = policy.backoff(first, first * 50).rate_limited_wait(first * 10);
    }
    policy
}

/// Connects: to the in-process emulator, or to WeCom with the credentials of the flags or the
/// environment (exit 2 naming both when they are missing).
pub async fn connect(cli: &Cli) -> Result<Session> {
    let (base_url, corp_id, secret, emulator, rate) = if cli.emulator {
        let emu = Emulator::builder()
            .rate_limit_per_minute(EMULATOR_RATE_LIMIT)
            .start()
            .await
            .map_err(|e| CliError::runtime(format!("cannot start the emulator: {e}")))?;
        let s = emu.summary();
        crate::progress::eprint_line(&format!(
            "using the bundled emulator at {} (sample company {}: {} approvals, {} journals, {} .. {} UTC+8; \
             {} calls/min per endpoint)",
            emu.base_url(),
            emu.corp_id(),
            s.approvals,
            s.journals,
            &format_short(s.start)[..10],
            &format_short(s.end)[..10],
            EMULATOR_RATE_LIMIT
        ));
        let rate = Some(cli.rate_limit.unwrap_or(EMULATOR_RATE_LIMIT));
        (emu.base_url(), emu.corp_id().to_owned(), emu.corp_secret().to_owned(), Some(emu), rate)
    } else {
        let corp_id = cli.corp_id.clone().filter(|s| !s.trim().is_empty());
        let secret = cli.corp_secret.clone().map(|s| s.0).filter(|s| !s.trim().is_empty());
        let (corp_id, secret) = match (corp_id, secret) {
            (Some(c), Some(s)) => (c, s),
            (c, s) => {
                let missing = match (c.is_none(), s.is_none()) {
                    (true, true) => "no corp id and no corp secret",
                    (true, false) => "no corp id",
                    _ => "no corp secret",
                };
                return Err(CliError::usage(format!(
                    "missing credentials ({missing}): pass --corp-id and --corp-secret, or set WECOM_CORP_ID and \
                     WECOM_CORP_SECRET (or try --emulator)"
                )));
            }
        };
        let base = cli.base_url.clone().unwrap_or_else(|| wecom_client::DEFAULT_BASE_URL.to_owned());
        (base, corp_id, secret, None, cli.rate_limit)
    };
    let mut builder = Client::builder()
        .base_url(base_url.clone())
        .corp_id(corp_id.clone())
        .corp_secret(secret)
        .retry_policy(retry_policy(cli))
        .concurrency(usize::from(cli.concurrency));
    if let Some(rate) = rate {
        builder = builder.rate_limit_all(RateLimit::per_minute(rate));
    }
    if !cli.no_drift {
        builder = builder.drift_recorder(cli.drift.clone());
    }
    let client = builder.build().map_err(|e| match e {
        wecom_client::Error::Config(m) => CliError::usage(format!("invalid configuration: {m}")),
        other => CliError::runtime(other.to_string()),
    })?;
    Ok(Session { client, base_url: base_url.trim_end_matches('/').to_owned(), corp_id, emulator })
}
