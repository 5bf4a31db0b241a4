use std::process::ExitCode;

use clap::Parser as _;
use peerlearn::cli;
use peerlearn::config::Cli;

/// Many small, short-lived allocations per request (rows, response values): mimalloc serves
/// them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before the flags are parsed, so that `.env` fills in their environment variables.
    if let Err(err) = load_dotenv() {
        eprintln!("error: {err}");
        return ExitCode::FAILURE;
    }
    let args = Cli::parse();
    cli::init_tracing(args.log_format);
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Reads `.env` in the working directory into the environment. Variables already set win over
/// the file; a missing file is fine; a malformed one stops the start.
fn load_dotenv() -> Result<(), String> {
    match dotenvy::from_path(".env") {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(format!(".env: {err}")),
    }
}
