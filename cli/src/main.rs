//! `hearth`: run, migrate and operate the Hearth platform (docs/architecture.md).

use std::process::ExitCode;

use clap::Parser;
use hearth::commands::{self, Cli};
use hearth_core::config::{ConfigError, Env, ProcessEnv};

/// The operator's tools print what they found on stdout; the info logs of
/// the libraries they use (and lapin's report of an expected "no such
/// queue") would only bury it. `RUST_LOG` still wins when set.
struct QuietByDefault;

impl Env for QuietByDefault {
    fn get(&self, var: &str) -> Option<String> {
        match var {
            "RUST_LOG" => ProcessEnv
                .get(var)
                .or_else(|| Some("warn,lapin=off".to_owned())),
            _ => ProcessEnv.get(var),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let logging = if cli.command.prints_its_own_output() {
        hearth_core::telemetry::init(&QuietByDefault)
    } else {
        hearth_core::telemetry::init(&ProcessEnv)
    };
    if let Err(err) = logging {
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
