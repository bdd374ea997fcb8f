use adsync::cli::{Cli, run};
use clap::Parser;
use std::process::ExitCode;

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let code = match runtime.block_on(run(cli)) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {err}");
            err.status().into()
        }
    };
    // Everything with a meaningful Drop (terminal, temp dirs, locks, files) was dropped
    // inside `run`. What is left is the engine's last snapshot — after a 100k-entry read,
    // a million small allocations — and the runtime; freeing them one by one only delays
    // the exit, so the process ends here and the OS takes the memory back at once.
    std::mem::forget(runtime);
    Ok(code)
}

/// Diagnostics go to stderr so stdout stays clean for `--json`.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ADSYNC_LOG").unwrap_or_else(|_| default.into());
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
}

/// glibc's allocator spends half of a 100k-entry read in malloc/free for the BER decoder's
/// many small buffers; mimalloc halves that (scripts/bench.sh read).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
