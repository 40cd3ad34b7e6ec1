//! `hearth`: run, migrate and operate the Hearth platform (ARCHITECTURE.md).

use std::process::ExitCode;

use clap::Parser;
use hearth::commands::{self, Cli};
use hearth_core::config::{ConfigError, ProcessEnv};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = hearth_core::telemetry::init(&ProcessEnv) {
        eprintln!("hearth: {err}");
        return ExitCode::from(2);
    }
    match commands::run(cli, &ProcessEnv).await {
        Ok(()) => ExitCode::SUCCESS,
        // A bad setting is one line naming the variable, and exit code 2.
        Err(err) => match err.downcast_ref::<ConfigError>() {
            Some(config) => {
                eprintln!("hearth: {config}");
                ExitCode::from(2)
            }
            None => {
                eprintln!("hearth: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}
