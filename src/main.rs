use clap::Parser;
use std::process::ExitCode;
use traffic_grapher::app::{self, AppError};
use traffic_grapher::cli::{normalize_args, Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(normalize_args(std::env::args_os())) {
        Ok(c) => c,
        // clap prints its own message (help and version exit 0, errors 2).
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Some(Command::Simulate(a)) => app::simulate(a),
        Some(Command::Metrics(a)) => app::metrics(a),
        Some(Command::Replay(a)) => app::replay(*a),
        Some(Command::Export(a)) => app::export(a),
        None => app::run(cli.run),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(AppError::Usage(m)) => {
            eprintln!("traffic_grapher: {m}");
            ExitCode::from(2)
        }
        Err(AppError::Failed(m)) => {
            eprintln!("traffic_grapher: {m}");
            ExitCode::from(1)
        }
    }
}
