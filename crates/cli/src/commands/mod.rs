//! The commands: dispatch here, one module per command family, the shared export job and the
//! end-of-run summary beside them.

mod approvals;
mod drift;
mod emulator;
mod job;
mod journals;
mod session;
mod summary;
mod sync;

pub use session::{Session, connect};

use crate::args::{ApprovalsCommand, Cli, Command, JournalsCommand};
use crate::error::Result;
use crate::interrupt::Interrupt;

/// Runs the command line.
pub async fn run(cli: Cli) -> Result<()> {
    // First of all, so a Ctrl-C at any point stops the run cleanly.
    let interrupt = Interrupt::install();
    let i = &interrupt;
    let result = match &cli.command {
        Command::Emulator(a) => emulator::run(a, i).await,
        Command::Approvals(ApprovalsCommand::Export(a)) => approvals::export(&cli, a, i).await,
        Command::Approvals(ApprovalsCommand::LegacyExport(a)) => approvals::legacy_export(&cli, a, i).await,
        Command::Approvals(ApprovalsCommand::Sync(a)) => sync::run(&cli, a, i).await,
        Command::Journals(JournalsCommand::Export(a)) => journals::export(&cli, a, i).await,
        Command::Journals(JournalsCommand::Stats(a)) => journals::stats(&cli, a, i).await,
        Command::Journals(JournalsCommand::Download(a)) => journals::download(&cli, a, i).await,
    };
    // Also after a failed or interrupted run: what was seen until then is worth reporting.
    let drift = drift::finish(&cli);
    result.and(drift)
}
