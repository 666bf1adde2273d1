//! `wecom approvals sync`: backfill, then callbacks through the inbox and reconciliation taking
//! turns until Ctrl-C or `--duration`, then the summary (the parts are [`crate::sync`]'s).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, oneshot};
use wecom_callback::axum::CallbackService;
use wecom_callback::{Crypto, Receiver, Verifier};
use wecom_client::Client;
use wecom_models::approval::ApprovalDetail;

use super::session::{Session, connect};
use super::summary::plural;
use crate::args::{Cli, SyncArgs, WECOM_RATE_LIMIT};
use crate::checkpoint::{Resume, Scope};
use crate::dates::{self, Bound};
use crate::error::{CliError, Result};
use crate::export::{self, Ctx};
use crate::interrupt::Interrupt;
use crate::output::Writer;
use crate::output::sqlite::SqliteStore;
use crate::progress::{Mode, Progress};
use crate::records::Kind;
use crate::sync::{Calls, Counters, Inbox, Mirror, default_budget};

/// How long a wake-up by a new event waits for more events before draining, so the events of
/// one form that arrive close together share one fetch.
const COALESCE: Duration = Duration::from_millis(250);
/// The inbox is looked at this often even without a wake-up (events left by a failed fetch).
const IDLE_POLL: Duration = Duration::from_secs(1);

/// The callback settings, checked.
struct Callbacks {
    addr: SocketAddr,
    path: String,
    token: String,
    aes_key: String,
}

/// A random alphanumeric string (the in-process emulator's callback token and key: they only
/// have to match between its pushes and our listener).
fn random_alnum(len: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut word = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
            );
            word = h.finish();
        }
        out.push(ALPHABET[(word % ALPHABET.len() as u64) as usize] as char);
        word /= ALPHABET.len() as u64;
    }
    out
}

fn callbacks(cli: &Cli, a: &SyncArgs) -> Result<Option<Callbacks>> {
    if !a.callback_path.starts_with('/') {
        return Err(CliError::usage(format!("invalid --callback-path {:?}: it must start with /", a.callback_path)));
    }
    if cli.emulator {
        return Ok(Some(Callbacks {
            addr: a.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
            path: a.callback_path.clone(),
            token: random_alnum(16),
            aes_key: random_alnum(43),
        }));
    }
    let token = a.callback_token.as_ref().map(|s| s.0.clone()).filter(|s| !s.is_empty());
    let key = a.callback_aes_key.as_ref().map(|s| s.0.clone()).filter(|s| !s.is_empty());
    match (a.listen, token, key) {
        (None, None, None) => Ok(None),
        (Some(addr), Some(token), Some(aes_key)) => {
            Ok(Some(Callbacks { addr, path: a.callback_path.clone(), token, aes_key }))
        }
        (None, ..) => Err(CliError::usage("--callback-token and --callback-aes-key need --listen ADDR")),
        _ => Err(CliError::usage(
            "--listen needs --callback-token and --callback-aes-key (or WECOM_CALLBACK_TOKEN and WECOM_CALLBACK_AES_KEY)",
        )),
    }
}

/// The callback listener, stopped by [`Server::stop`].
struct Server {
    url: String,
    service: CallbackService,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(c: &Callbacks, corp_id: &str, inbox: &Inbox) -> Result<Server> {
        let crypto = Crypto::new(c.token.clone(), &c.aes_key)
            .map_err(|e| CliError::usage(format!("invalid --callback-aes-key: {e}")))?;
        let service = CallbackService::new(Receiver::new(Verifier::new(crypto, corp_id)), inbox.delivery());
        let listener = tokio::net::TcpListener::bind(c.addr)
            .await
            .map_err(|e| CliError::runtime(format!("cannot listen on {}: {e}", c.addr)))?;
        let addr = listener.local_addr().map_err(|e| CliError::runtime(format!("cannot listen on {}: {e}", c.addr)))?;
        let url = format!("http://{addr}{}", c.path);
        let app = wecom_callback::axum::router(&c.path, service.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = signal.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("the callback listener stopped: {e}");
            }
        });
        Ok(Server { url, service, shutdown, task })
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// The status line: the sync's counters and the client's.
fn status_note(counters: Arc<Counters>, client: Client, service: Option<CallbackService>) -> impl Fn() -> String {
    move || {
        let c = &counters;
        let dup = Counters::get(&c.duplicates) + service.as_ref().map_or(0, |s| s.receiver().stats().duplicates);
        let s = client.stats();
        format!(
            "events {} ({dup} dup), fetched {}, pending {}, reconciled {} ({} cycles), API {} calls, {} × 45009",
            Counters::get(&c.events),
            Counters::get(&c.live_fetches) + Counters::get(&c.new_forms) + Counters::get(&c.reread),
            Counters::get(&c.pending),
            Counters::get(&c.reconciled),
            Counters::get(&c.cycles),
            s.calls,
            s.rate_limited
        )
    }
}

/// Why the live phase ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Duration,
    Interrupted,
}

/// `wecom approvals sync`.
pub(super) async fn run(cli: &Cli, a: &SyncArgs, interrupt: &Interrupt) -> Result<()> {
    let callbacks = callbacks(cli, a)?;
    if let Some(c) = &callbacks {
        Crypto::new(c.token.clone(), &c.aes_key)
            .map_err(|e| CliError::usage(format!("invalid --callback-aes-key: {e}")))?;
    }
    let since = match (&a.since, cli.emulator) {
        (Some(s), _) => Some(dates::parse("--since", s, Bound::Start)?),
        (None, true) => None,
        (None, false) => return Err(CliError::usage("--since DATE is required: the first day the mirror holds")),
    };
    let started = Instant::now();
    let session = connect(cli).await?;
    let Session { client, corp_id, base_url, emulator } = &session;
    let since = since.unwrap_or_else(|| emulator.as_ref().map_or(0, |e| e.summary().start.max(0) as u64));

    let mut writer = Writer::Sqlite(SqliteStore::open(&a.out, a.batch_size)?);
    let target = crate::output::Target::Path(a.out.clone());
    let Some(store) = writer.sqlite() else { unreachable!("a SQLite writer") };
    store.bind_corp(corp_id)?;

    let counters = Arc::new(Counters::default());
    let notify = Arc::new(Notify::new());
    let inbox = Inbox::open(&a.out, notify.clone(), counters.clone())?;
    let server = match &callbacks {
        Some(c) => Some(Server::start(c, corp_id, &inbox).await?),
        None => None,
    };
    if let (Some(server), Some(emu), Some(c)) = (&server, emulator, &callbacks) {
        emu.set_callback(&server.url, &c.token, &c.aes_key)
            .map_err(|e| CliError::runtime(format!("cannot point the emulator at {}: {e}", server.url)))?;
        // The activity stops a little before the end, so the last changes settle in the mirror.
        let activity_for = a.duration.map(|d| d.saturating_sub(Duration::from_secs(5)).max(d / 2));
        emu.set_activity(a.emulator_activity, activity_for);
        crate::progress::eprint_line(&format!(
            "emulator activity: {} changes/minute{}, pushed to {}",
            a.emulator_activity,
            activity_for.map(|d| format!(" for {}s", d.as_secs())).unwrap_or_default(),
            server.url
        ));
    } else if let Some(server) = &server {
        crate::progress::eprint_line(&format!("listening for callbacks on {}", server.url));
    }

    let progress = Progress::new(Mode::detect(cli.no_progress));
    let rate = cli.rate_limit.unwrap_or(if cli.emulator { crate::args::EMULATOR_RATE_LIMIT } else { WECOM_RATE_LIMIT });
    let budget = a.reconcile_budget.unwrap_or_else(|| default_budget(rate, a.reconcile_every));

    // 1. Backfill (resumable: checkpointed ranges and stored forms are skipped).
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let before = client.stats();
    let resume =
        Resume::plan(writer.sqlite().map(|db| &*db), Scope::all(Kind::Approvals), (since, now.max(since + 1)), false)?;
    progress.watch(super::summary::stats_note(client));
    let ctx = Ctx { progress: &progress, interrupt, base_url };
    let approvals = client.approvals();
    let (list, fetch) = (approvals.clone(), approvals.clone());
    let backfill = export::by_ids::<ApprovalDetail>(
        &ctx,
        &mut writer,
        &resume,
        Box::new(move |r| list.ids(r, [])),
        Box::new(move |ids| fetch.details_for(ids)),
    )
    .await;
    let backfill = super::summary::report_or_fail(&progress, backfill)?;
    let backfill_calls = Calls::between(&before, &client.stats());
    progress.line(&format!(
        "backfill: {} forms written, {} already in the mirror{} ({} calls)",
        backfill.written,
        backfill.already_stored,
        if backfill.up_to_date { " (range already complete)" } else { "" },
        backfill_calls.calls
    ));
    if backfill.interrupted {
        progress.finish();
        if let Some(s) = server {
            s.stop().await;
        }
        return Err(CliError::Interrupted(format!(
            "interrupted during the backfill after {} forms (kept in {target}); run the same command again to resume",
            backfill.written
        )));
    }
    for f in &backfill.failed {
        tracing::warn!("backfill: {f} could not be read; a reconcile or the next run retries it");
    }

    // 2. Live and reconcile, taking turns on one writer.
    progress.counting("syncing approvals");
    progress.watch(status_note(counters.clone(), client.clone(), server.as_ref().map(|s| s.service.clone())));
    let Some(store) = writer.sqlite() else { unreachable!("a SQLite writer") };
    let mut mirror = Mirror::new(store, approvals, counters.clone(), usize::from(cli.concurrency), since);
    let retried = mirror.retry_failed()?;
    if retried > 0 {
        progress.line(&format!("retrying {} a previous run set aside", plural(retried, "event")));
    }
    let (mut live_calls, mut reconcile_calls) = (Calls::default(), Calls::default());
    let deadline = a.duration.map(|d| tokio::time::Instant::now() + d);
    let mut next_reconcile = tokio::time::Instant::now() + a.reconcile_every;
    let end = loop {
        // Whatever is pending (a previous run's leftovers first of all).
        let before = client.stats();
        mirror.drain(interrupt).await?;
        live_calls.add(Calls::between(&before, &client.stats()));
        progress.set(Counters::get(&counters.applied));
        if tokio::time::Instant::now() >= next_reconcile {
            let before = client.stats();
            match mirror.reconcile(budget, interrupt).await {
                Ok(c) => tracing::info!(
                    "reconcile: {} listed, {} new, {} open re-read, {} changed",
                    c.listed,
                    c.new_forms,
                    c.reread,
                    c.changed
                ),
                Err(e) => progress.line(&format!("reconcile failed ({}); retried next cycle", e.message())),
            }
            reconcile_calls.add(Calls::between(&before, &client.stats()));
            next_reconcile = tokio::time::Instant::now() + a.reconcile_every;
        }
        let wake = tokio::time::sleep_until(next_reconcile.min(tokio::time::Instant::now() + IDLE_POLL));
        let until_end = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = interrupt.wait() => break End::Interrupted,
            _ = until_end => break End::Duration,
            _ = notify.notified() => tokio::time::sleep(COALESCE).await,
            _ = wake => {}
        }
    };

    // 3. Stop taking events, apply what came in, and (at a planned end) reconcile once more.
    let service = server.as_ref().map(|s| s.service.clone());
    if let Some(s) = server {
        s.stop().await;
    }
    let quiet = Interrupt::never();
    let before = client.stats();
    mirror.drain(if end == End::Interrupted { interrupt } else { &quiet }).await?;
    live_calls.add(Calls::between(&before, &client.stats()));
    if end == End::Duration {
        let before = client.stats();
        if let Err(e) = mirror.reconcile(budget, &quiet).await {
            progress.line(&format!("final reconcile failed: {}", e.message()));
        }
        reconcile_calls.add(Calls::between(&before, &client.stats()));
    }
    let pending = mirror.refresh_pending()?;
    let open = mirror.open_count()?;
    drop(mirror);
    let Some(store) = writer.sqlite() else { unreachable!("a SQLite writer") };
    store.commit()?;
    let total = store.count(Kind::Approvals)?;
    let logged: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM approval_events", [], |r| r.get(0))
        .map_err(|e| CliError::runtime(format!("SQLite: cannot count the event log: {e}")))?;
    progress.finish();

    // 4. The summary.
    let c = &counters;
    let receiver = service.as_ref().map(|s| s.receiver().stats()).unwrap_or_default();
    let service_stats = service.as_ref().map(|s| s.stats()).unwrap_or_default();
    let stats = client.stats();
    let mut lines = vec![format!(
        "sync {} after {:.1}s: {total} approvals in {target} ({open} open), {logged} entries in the event log",
        if end == End::Interrupted { "stopped (Ctrl-C)" } else { "ended" },
        started.elapsed().as_secs_f64()
    )];
    lines.push(format!(
        "  callbacks: {} received: {} new, {} duplicates, {} answered 503 for WeCom to retry, {} refused; \
         {} ignored; {} applied with {} ({} pending)",
        receiver.received,
        Counters::get(&c.events),
        receiver.duplicates + Counters::get(&c.duplicates),
        service_stats.accept_failed + service_stats.accept_timed_out + service_stats.in_flight_timed_out,
        receiver.bad_signature + receiver.receive_id_mismatch + receiver.malformed + service_stats.too_large,
        Counters::get(&c.ignored),
        Counters::get(&c.applied),
        plural(Counters::get(&c.live_fetches), "detail fetch"),
        pending
    ));
    lines.push(format!(
        "  reconcile: {} every {}s (budget {budget} detail calls each), {} new forms, {} open forms re-read, {} changed",
        plural(Counters::get(&c.cycles), "cycle"),
        a.reconcile_every.as_secs(),
        Counters::get(&c.new_forms),
        Counters::get(&c.reread),
        Counters::get(&c.reconciled).saturating_sub(Counters::get(&c.new_forms))
    ));
    lines.push(format!(
        "  API calls: backfill {}, live {}, reconcile {}; {} in all, {}, {} × 45009 (rate limited)",
        backfill_calls.calls,
        live_calls.calls,
        reconcile_calls.calls,
        stats.calls,
        plural(stats.retries, "retry"),
        stats.rate_limited
    ));
    if let Some(emu) = emulator {
        lines.push(emulator_check(emu, store)?);
    }
    for l in lines {
        progress.line(&l);
    }
    if Counters::get(&c.failed) > 0 {
        progress.line(&format!(
            "  {} set aside (WeCom refused their form); the next run retries them",
            plural(Counters::get(&c.failed), "event")
        ));
    }
    Ok(())
}

/// With `--emulator`: how the mirror compares with the emulator's ground truth.
fn emulator_check(emu: &wecom_emulator::EmulatorHandle, store: &SqliteStore) -> Result<String> {
    let mut stmt = store
        .connection()
        .prepare("SELECT sp_no, status FROM approvals")
        .map_err(|e| CliError::runtime(format!("SQLite: {e}")))?;
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| CliError::runtime(format!("SQLite: {e}")))?;
    let differ =
        rows.iter().filter(|(sp_no, status)| emu.approval_status(sp_no).map(i64::from) != Some(*status)).count();
    let events = emu.events().len();
    Ok(format!(
        "  emulator: {} forms, {events} changes made; the mirror has {} forms, {differ} with a status differing from the emulator's",
        emu.approval_count(),
        rows.len()
    ))
}
