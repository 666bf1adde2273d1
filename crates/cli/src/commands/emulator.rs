//! `wecom emulator`: the bundled emulator in the foreground until Ctrl-C.

use wecom_emulator::Emulator;

use crate::args::EmulatorArgs;
use crate::dates::format_short;
use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;

/// Runs the emulator, prints its base URL, credentials and examples, and stops on Ctrl-C.
pub(super) async fn run(a: &EmulatorArgs, interrupt: &Interrupt) -> Result<()> {
    let emu = Emulator::builder()
        .addr(a.addr)
        .approvals(a.approvals)
        .journals(a.journals)
        .seed(a.seed)
        .rate_limit_per_minute(a.rate_limit)
        .start()
        .await
        .map_err(|e| match e {
            wecom_emulator::EmulatorError::Bind { .. } => CliError::runtime(e.to_string()),
            other => CliError::usage(other.to_string()),
        })?;
    let base = emu.base_url();
    let s = emu.summary();
    let (id, secret) = (emu.corp_id().to_owned(), emu.corp_secret().to_owned());
    let first_day = format_short(s.start)[..10].to_owned();
    let last_day = format_short(s.end)[..10].to_owned();
    let text = format!(
        "wecom emulator listening on {base}
  corp id:     {id}
  corp secret: {secret}
  dataset:     {} approvals, {} journals, {} users, seed {}, {first_day} .. {last_day} (UTC+8)
  rate limit:  {} calls/min per endpoint

Try:
  wecom --base-url {base} --corp-id {id} --corp-secret {secret} \\
        approvals export --since {first_day} --until {last_day} --out approvals.sqlite
  curl -s '{base}/cgi-bin/gettoken?corpid={id}&corpsecret={secret}'
  curl -s '{base}/_emulator/'

Ctrl-C to stop.",
        s.approvals,
        s.journals,
        s.users.len(),
        s.seed,
        a.rate_limit
    );
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }
    interrupt.wait().await;
    emu.shutdown().await;
    eprintln!("emulator stopped");
    Ok(())
}
