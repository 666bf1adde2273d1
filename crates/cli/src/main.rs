//! `wecom`: export WeCom (企业微信) approvals and journals to NDJSON, CSV or SQLite.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use wecom_cli::args::Cli;
use wecom_cli::error::CliError;
use wecom_cli::progress::{StderrAboveBar, eprint_line};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Quiet by default (the summary counts retries); -v shows retries as they happen. The HTTP
    // crates never log below info, whatever RUST_LOG says: their traces may carry request URLs,
    // and gettoken's URL holds the secret.
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(match cli.verbose {
            0 => "off",
            1 => "wecom_cli=info,wecom_client=info",
            _ => "wecom_cli=debug,wecom_client=debug",
        })
    });
    for quiet in ["hyper=info", "hyper_util=info", "reqwest=info", "h2=info", "rustls=info"] {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(StderrAboveBar).with_target(false).init();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(wecom_cli::commands::run(cli));
    // Background tasks (progress ticker, signal watcher) end with the runtime.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                CliError::Interrupted(m) => eprint_line(m),
                other => eprint_line(&format!("error: {}", other.message())),
            }
            ExitCode::from(e.exit_code())
        }
    }
}
