use std::process::ExitCode;

use clap::Parser as _;
use peerlearn::cli;
use peerlearn::config::Cli;

fn main() -> ExitCode {
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
