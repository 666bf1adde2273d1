//! `wecom-emulator`: run the local WeCom OA emulator from the command line.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use wecom_emulator::{
    DEFAULT_AGENT_ID, DEFAULT_CORP_ID, DEFAULT_CORP_SECRET, Delivery, Emulator, Faults, JournalCursor, MonthRule,
    Padding, PushFaults, Quirks, RetryOn, time,
};

/// A faithful local WeCom (企业微信) OA server for tests, demos and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "wecom-emulator", version, about)]
struct Args {
    /// Listen address (loopback only).
    #[arg(long, default_value = "127.0.0.1:18080", env = "WECOM_EMULATOR_ADDR")]
    addr: SocketAddr,
    /// Corp id gettoken accepts.
    #[arg(long, default_value = DEFAULT_CORP_ID)]
    corp_id: String,
    /// Secret gettoken accepts.
    #[arg(long, default_value = DEFAULT_CORP_SECRET)]
    corp_secret: String,
    /// Dataset seed (same seed and sizes, same company).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of approval forms.
    #[arg(long, default_value_t = 2000)]
    approvals: usize,
    /// Number of journal records.
    #[arg(long, default_value_t = 1000)]
    journals: usize,
    /// Number of users.
    #[arg(long, default_value_t = 60)]
    users: usize,
    /// First second of the record range: unix seconds or YYYY-MM-DD[THH:MM:SS] (UTC+8).
    #[arg(long, default_value = "2025-01-01")]
    start: String,
    /// Last second of the record range (inclusive), same formats as --start.
    #[arg(long, default_value = "2025-06-30T23:59:59")]
    end: String,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 7200)]
    token_ttl: u64,
    /// Calls per rate window per endpoint (0 = unlimited).
    #[arg(long, default_value_t = 600)]
    rate_limit: u32,
    /// Rate window in seconds (the "minute").
    #[arg(long, default_value_t = 60)]
    rate_window: u64,
    /// In-flight requests allowed per endpoint (above it: 45033).
    #[arg(long)]
    concurrency_limit: Option<usize>,
    /// getapprovalinfo answers 301112 (narrow the time range) for a window holding more forms.
    #[arg(long)]
    narrow_range_above: Option<usize>,
    /// An endpoint path the app may not call (301055 / 301065); repeatable.
    #[arg(long = "deny", value_name = "PATH")]
    deny: Vec<String>,
    /// Journal list window rule: "calendar" (1 calendar month, UTC+8) or "days:N".
    #[arg(long, default_value = "calendar")]
    month_rule: String,
    /// Seed of the fault generator.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Total fault probability split evenly over all kinds (overrides the per-kind options).
    #[arg(long)]
    fault_uniform: Option<f64>,
    /// Probability of errcode -1 (system busy).
    #[arg(long, default_value_t = 0.0)]
    fault_busy: f64,
    /// Probability of an injected errcode 45009.
    #[arg(long, default_value_t = 0.0)]
    fault_rate_limited: f64,
    /// Probability of HTTP 502.
    #[arg(long, default_value_t = 0.0)]
    fault_502: f64,
    /// Probability of HTTP 503.
    #[arg(long, default_value_t = 0.0)]
    fault_503: f64,
    /// Probability of a delay before answering.
    #[arg(long, default_value_t = 0.0)]
    fault_delay: f64,
    /// Length of an injected delay, in milliseconds.
    #[arg(long, default_value_t = 100)]
    fault_delay_ms: u64,
    /// Probability of closing the connection without answering.
    #[arg(long, default_value_t = 0.0)]
    fault_drop: f64,
    /// Probability of a body cut short of its Content-Length.
    #[arg(long, default_value_t = 0.0)]
    fault_truncate: f64,
    /// Probability of an HTML body instead of JSON.
    #[arg(long, default_value_t = 0.0)]
    fault_non_json: f64,
    /// Inject faults into gettoken too.
    #[arg(long)]
    fault_gettoken: bool,
    /// Push every change as an encrypted sys_approval_change POST to this URL.
    #[arg(long, requires_all = ["callback_token", "callback_aes_key"])]
    callback_url: Option<String>,
    /// Token of the callback URL (signature).
    #[arg(long, env = "WECOM_CALLBACK_TOKEN", hide_env_values = true)]
    callback_token: Option<String>,
    /// EncodingAESKey of the callback URL (43 characters).
    #[arg(long, env = "WECOM_CALLBACK_AES_KEY", hide_env_values = true)]
    callback_aes_key: Option<String>,
    /// AgentID in the pushes.
    #[arg(long, default_value = DEFAULT_AGENT_ID)]
    callback_agent_id: String,
    /// Random changes per minute (new forms, approvals, rejections, withdrawals, comments…).
    #[arg(long, default_value_t = 0)]
    activity: u32,
    /// Stop the activity after this long (e.g. 20s, 2m), so a run can settle and be compared.
    #[arg(long, value_parser = parse_duration)]
    activity_for: Option<Duration>,
    /// Timeout of one push attempt (WeCom: 5s).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    push_timeout: Duration,
    /// Attempts per push in all (WeCom: 3).
    #[arg(long, default_value_t = 3)]
    push_attempts: u32,
    /// Pause between failed push attempts.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    push_retry_delay: Duration,
    /// What makes a push attempt fail: "not-ok" (connection error, timeout or any status but 200)
    /// or "connection" (connection error or timeout only).
    #[arg(long, default_value = "not-ok", value_parser = parse_retry_on)]
    push_retry_on: RetryOn,
    /// Seed of the push fault draw.
    #[arg(long, default_value_t = 0)]
    push_fault_seed: u64,
    /// Probability that a push is dropped (never delivered).
    #[arg(long, default_value_t = 0.0)]
    push_drop: f64,
    /// Probability that a push is delivered twice (see --push-copies).
    #[arg(long, default_value_t = 0.0)]
    push_duplicate: f64,
    /// Deliveries of a duplicated push.
    #[arg(long, default_value_t = 2)]
    push_copies: u32,
    /// Probability that a push is delayed by --push-delay.
    #[arg(long = "push-delay-rate", default_value_t = 0.0)]
    push_delay_rate: f64,
    /// How long a delayed push is held.
    #[arg(long, default_value = "500ms", value_parser = parse_duration)]
    push_delay: Duration,
    /// Probability that a push is overtaken by a later one.
    #[arg(long, default_value_t = 0.0)]
    push_reorder: f64,
    /// Longest wait of a reordered push for a later one to overtake it.
    #[arg(long, default_value = "500ms", value_parser = parse_duration)]
    push_reorder_hold: Duration,
    /// Start from the plain readings (offset journal cursor, full pages, titles with lang,
    /// ten-key padding, repeated journal filters refused, 301084, legacy total = returned)
    /// instead of the awkward ones; the quirk options below still override.
    #[arg(long)]
    plain: bool,
    /// journal get_record_list next_cursor: "opaque" (positions with gaps; default) or "offset".
    #[arg(long, value_parser = parse_journal_cursor)]
    journal_cursor: Option<JournalCursor>,
    /// Pages shorter than size/limit (some empty) before the last [default: true].
    #[arg(long, value_name = "BOOL")]
    short_pages: Option<bool>,
    /// Journal control titles carry lang [default: false, as the 93394 example].
    #[arg(long, value_name = "BOOL")]
    journal_title_lang: Option<bool>,
    /// Approval control value padding: "example" (default), "full" or "none".
    #[arg(long, value_parser = parse_padding)]
    approval_padding: Option<Padding>,
    /// Refuse a repeated journal filter key with 301066 [default: false].
    #[arg(long, value_name = "BOOL")]
    reject_repeated_journal_filters: Option<bool>,
    /// errcode for an unknown journaluuid [default: 301066].
    #[arg(long, value_name = "CODE")]
    unknown_journal_errcode: Option<i64>,
    /// Legacy getapprovaldata total counts deleted forms too [default: true].
    #[arg(long, value_name = "BOOL")]
    legacy_total_includes_deleted: Option<bool>,
    /// Send things no spec knows in getapprovaldetail answers (for drift reports).
    #[arg(long)]
    novelties: bool,
    /// Every N-th getapprovaldetail call answers errcode 301099, a code no spec knows.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    novelty_errcode_every: Option<u32>,
}

fn parse_journal_cursor(s: &str) -> Result<JournalCursor, String> {
    match s {
        "opaque" => Ok(JournalCursor::Opaque),
        "offset" => Ok(JournalCursor::Offset),
        _ => Err(format!("invalid journal cursor {s:?}: opaque or offset")),
    }
}

fn parse_padding(s: &str) -> Result<Padding, String> {
    match s {
        "example" => Ok(Padding::Example),
        "full" => Ok(Padding::Full),
        "none" => Ok(Padding::None),
        _ => Err(format!("invalid padding {s:?}: example, full or none")),
    }
}

/// The quirks the options ask for: the awkward (or `--plain`) readings, then each option given.
fn quirks(a: &Args) -> Quirks {
    let mut q = if a.plain { Quirks::plain() } else { Quirks::awkward() };
    if let Some(c) = a.journal_cursor {
        q.journal_cursor = c;
    }
    if let Some(b) = a.short_pages {
        q.short_pages = b;
    }
    if let Some(b) = a.journal_title_lang {
        q.journal_title_lang = b;
    }
    if let Some(p) = a.approval_padding {
        q.approval_padding = p;
    }
    if let Some(b) = a.reject_repeated_journal_filters {
        q.reject_repeated_journal_filters = b;
    }
    if let Some(c) = a.unknown_journal_errcode {
        q.unknown_journal_errcode = c;
    }
    if let Some(b) = a.legacy_total_includes_deleted {
        q.legacy_total_includes_deleted = b;
    }
    q
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    time::parse_duration(s).ok_or_else(|| format!("invalid duration {s:?}: use e.g. 500ms, 20s, 2m, 1h"))
}

fn parse_retry_on(s: &str) -> Result<RetryOn, String> {
    match s {
        "not-ok" | "not_ok" => Ok(RetryOn::NotOk),
        "connection" | "connection-failure" | "connection_failure" => Ok(RetryOn::ConnectionFailure),
        _ => Err(format!("invalid retry rule {s:?}: not-ok or connection")),
    }
}

fn month_rule(s: &str) -> Option<MonthRule> {
    if s.eq_ignore_ascii_case("calendar") {
        return Some(MonthRule::Calendar);
    }
    let n = s.strip_prefix("days:").unwrap_or(s);
    n.parse().ok().map(MonthRule::Days)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let args = Args::parse();
    let Some(start) = time::parse_time(&args.start) else {
        eprintln!("error: invalid --start {:?}", args.start);
        return ExitCode::from(2);
    };
    let Some(end) = time::parse_time(&args.end) else {
        eprintln!("error: invalid --end {:?}", args.end);
        return ExitCode::from(2);
    };
    let Some(rule) = month_rule(&args.month_rule) else {
        eprintln!("error: invalid --month-rule {:?} (calendar or days:N)", args.month_rule);
        return ExitCode::from(2);
    };
    let faults = match args.fault_uniform {
        Some(p) => Faults {
            delay_duration: Duration::from_millis(args.fault_delay_ms),
            include_gettoken: args.fault_gettoken,
            ..Faults::uniform(p, args.fault_seed)
        },
        None => Faults {
            seed: args.fault_seed,
            busy: args.fault_busy,
            rate_limited: args.fault_rate_limited,
            http_502: args.fault_502,
            http_503: args.fault_503,
            delay: args.fault_delay,
            delay_duration: Duration::from_millis(args.fault_delay_ms),
            drop_connection: args.fault_drop,
            truncated_body: args.fault_truncate,
            non_json: args.fault_non_json,
            include_gettoken: args.fault_gettoken,
        },
    };
    let mut builder = Emulator::builder();
    for path in &args.deny {
        builder = builder.deny_permission(path);
    }
    if let (Some(url), Some(token), Some(key)) = (&args.callback_url, &args.callback_token, &args.callback_aes_key) {
        builder = builder.callback(url, token, key);
    }
    if let Some(d) = args.activity_for {
        builder = builder.activity_for(d);
    }
    let emu = match builder
        .addr(args.addr)
        .corp_id(&args.corp_id)
        .corp_secret(&args.corp_secret)
        .seed(args.seed)
        .approvals(args.approvals)
        .journals(args.journals)
        .users(args.users)
        .date_range(start, end)
        .token_ttl(Duration::from_secs(args.token_ttl))
        .rate_limit_per_minute(args.rate_limit)
        .rate_window(Duration::from_secs(args.rate_window.max(1)))
        .concurrency_limit(args.concurrency_limit)
        .narrow_range_above(args.narrow_range_above)
        .month_rule(rule)
        .quirks(quirks(&args))
        .novelties(args.novelties)
        .novelty_errcode_every(args.novelty_errcode_every)
        .faults(faults)
        .agent_id(&args.callback_agent_id)
        .activity(args.activity)
        .delivery(Delivery {
            timeout: args.push_timeout,
            attempts: args.push_attempts,
            retry_delay: args.push_retry_delay,
            retry_on: args.push_retry_on,
        })
        .push_faults(PushFaults {
            seed: args.push_fault_seed,
            drop: args.push_drop,
            duplicate: args.push_duplicate,
            delay: args.push_delay_rate,
            reorder: args.push_reorder,
            delay_duration: args.push_delay,
            copies: args.push_copies,
            reorder_hold: args.push_reorder_hold,
        })
        .start()
        .await
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = emu.base_url();
    let s = emu.summary();
    let first_window_end = (start + 31 * 86_400 - 1).min(end);
    println!("wecom-emulator listening on {base}");
    println!("  corp id:     {}", emu.corp_id());
    println!("  corp secret: {}", emu.corp_secret());
    println!(
        "  dataset:     {} approvals, {} journals, {} users, seed {}, {} .. {} (UTC+8)",
        s.approvals,
        s.journals,
        s.users.len(),
        s.seed,
        time::format_local(s.start),
        time::format_local(s.end)
    );
    println!("  operator:    {base}/_emulator/");
    match emu.callback_url() {
        Some(url) => println!("  callbacks:   sys_approval_change pushed to {url} (receive id {})", emu.corp_id()),
        None => println!("  callbacks:   off (--callback-url to push changes)"),
    }
    let q = emu.quirks();
    println!(
        "  quirks:      journal cursor {:?}, short pages {}, journal title lang {}, approval padding {:?}, unknown journal {} (GET {base}/_emulator/quirks)",
        q.journal_cursor, q.short_pages, q.journal_title_lang, q.approval_padding, q.unknown_journal_errcode
    );
    let n = emu.novelties();
    if n.enabled || n.errcode_every.is_some() {
        println!(
            "  novelties:   {}{}",
            if n.enabled { "on" } else { "off" },
            n.errcode_every.map(|k| format!(", errcode 301099 every {k} getapprovaldetail calls")).unwrap_or_default()
        );
    }
    let act = emu.activity();
    if act.changes_per_minute > 0 {
        match args.activity_for {
            Some(d) => println!("  activity:    {} changes/minute for {d:?}", act.changes_per_minute),
            None => println!("  activity:    {} changes/minute", act.changes_per_minute),
        }
    }
    println!();
    println!("Try:");
    println!(
        "  TOKEN=$(curl -s '{base}/cgi-bin/gettoken?corpid={}&corpsecret={}' | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')",
        emu.corp_id(),
        emu.corp_secret()
    );
    println!(
        "  curl -s -X POST \"{base}/cgi-bin/oa/getapprovalinfo?access_token=$TOKEN\" -d '{{\"starttime\":\"{start}\",\"endtime\":\"{first_window_end}\",\"new_cursor\":\"\",\"size\":10}}'"
    );
    println!("  curl -s '{base}/_emulator/stats'");
    println!("  curl -s -X POST '{base}/_emulator/submit'            # a new form (pushed when callbacks are on)");
    println!("  curl -s '{base}/_emulator/events'                    # every change so far");
    println!();
    println!("Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    emu.shutdown().await;
    ExitCode::SUCCESS
}
