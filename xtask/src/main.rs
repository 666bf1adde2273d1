//! `cargo xtask gen [--check]`.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: cargo xtask gen [--check]\n\n  gen          regenerate crates/models and crates/endpoints from api-spec/\n  gen --check  fail if the committed generated code differs from what api-spec/ generates";
    let check = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["gen"] => false,
        ["gen", "--check"] => true,
        ["help" | "--help" | "-h"] => {
            println!("{usage}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let root = xtask::workspace_root();
    let started = Instant::now();
    match xtask::run(&root, check) {
        Ok(report) if check => {
            if report.is_fresh() {
                println!("generated code is fresh ({} files, {:.0?})", report.total, started.elapsed());
                ExitCode::SUCCESS
            } else {
                eprintln!("generated code is out of date; run `cargo xtask gen`:\n{}", report.describe_drift());
                ExitCode::FAILURE
            }
        }
        Ok(report) => {
            for p in &report.written {
                println!("wrote {}", p.display());
            }
            for p in &report.deleted {
                println!("deleted {}", p.display());
            }
            println!(
                "{} files generated, {} written, {} deleted in {:.0?}",
                report.total,
                report.written.len(),
                report.deleted.len(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
