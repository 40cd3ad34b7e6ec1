//! Logging, set up once per process (`RUST_LOG`, `LOG_FORMAT`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{read, ConfigError, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl LogFormat {
    /// `LOG_FORMAT`, defaulting to pretty on a terminal and JSON otherwise.
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let default = if std::io::stdout().is_terminal() {
            LogFormat::Pretty
        } else {
            LogFormat::Json
        };
        read(
            env,
            "LOG_FORMAT",
            || default,
            |raw| match raw {
                "json" => Ok(LogFormat::Json),
                "pretty" => Ok(LogFormat::Pretty),
                other => Err(format!("expected json or pretty, got {other:?}")),
            },
        )
    }
}

/// `RUST_LOG` when unset: `info`, but lapin's promise library only for
/// errors. It warns "promise has vanished" for every confirm still awaited
/// when a connection closes, which is what a clean shutdown does.
const DEFAULT_LOG_FILTER: &str = "info,pinky_swear=error";

/// Installs the global subscriber. `RUST_LOG` defaults to [`DEFAULT_LOG_FILTER`].
pub fn init(env: &dyn Env) -> Result<(), ConfigError> {
    let format = LogFormat::from_env(env)?;
    let filter = match env.get("RUST_LOG") {
        None => EnvFilter::new(DEFAULT_LOG_FILTER),
        Some(raw) => EnvFilter::try_new(&raw)
            .map_err(|e| ConfigError::new("RUST_LOG", format!("not a log filter ({e})")))?,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    Ok(())
}
