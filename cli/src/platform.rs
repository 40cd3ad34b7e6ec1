//! Starting services and stopping them gracefully.

use std::net::SocketAddr;

use anyhow::Context;
use hearth_core::config::{ConfigError, Env, ServiceConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::services::Service;

/// How long start-up waits for the broker to declare the topology.
const TOPOLOGY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One service listening.
#[derive(Debug, Clone)]
pub struct Listening {
    pub service: Service,
    pub addr: SocketAddr,
}

/// Running services; [`Platform::shutdown`] stops them gracefully.
#[derive(Debug)]
pub struct Platform {
    pub listening: Vec<Listening>,
    /// Where the web front-end listens, once [`Platform::start_web`] started it.
    pub web: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    servers: JoinSet<std::io::Result<()>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

/// Every setting of the services to start, read and checked: a bad one
/// stops start-up before anything was created, migrated or listened on.
#[derive(Debug)]
pub struct Configured {
    configs: Vec<(Service, ServiceConfig)>,
}

impl Configured {
    pub fn read(
        services: &[Service],
        env: &dyn Env,
        dev_jwt_secret: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let configs = services
            .iter()
            .map(|s| ServiceConfig::from_env(env, s.spec(), dev_jwt_secret).map(|c| (*s, c)))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if env.get("JWT_SECRET").is_none() && dev_jwt_secret.is_some() {
            refuse_public_bind_with_dev_secret(&configs)?;
        }
        for (service, config) in &configs {
            service.check_own_settings(env, config)?;
        }
        Ok(Self { configs })
    }
}

impl Platform {
    /// Reads every service's settings, then migrates each and starts it.
    pub async fn start(
        services: &[Service],
        env: &dyn Env,
        dev_jwt_secret: Option<&str>,
    ) -> anyhow::Result<Self> {
        let configured = Configured::read(services, env, dev_jwt_secret)?;
        Self::start_configured(configured, env).await
    }

    /// Migrates each configured service and starts it.
    pub async fn start_configured(configured: Configured, env: &dyn Env) -> anyhow::Result<Self> {
        let Configured { configs } = configured;
        // Listen first, so that services started together can find each other
        // even on ports the system picked.
        let mut listeners = Vec::with_capacity(configs.len());
        for (service, config) in &configs {
            let listener = TcpListener::bind(config.bind).await.map_err(|e| {
                ConfigError::new(
                    config.spec.var("PORT"),
                    format!("cannot listen on {}: {e}", config.bind),
                )
            })?;
            listeners.push((*service, listener));
        }
        let env = Peers::new(env, &listeners)?;
        let env = &env;
        let (stop, stopped) = watch::channel(false);
        let mut platform = Self {
            listening: Vec::new(),
            web: None,
            stop,
            servers: JoinSet::new(),
            workers: Vec::new(),
        };
        let mut built = Vec::with_capacity(configs.len());
        for (service, config) in configs {
            let app = service.build(&config, env)?;
            built.push((service, config, app));
        }
        for (_, config, app) in &built {
            app.migrate().await.with_context(|| {
                format!(
                    "migrating {}-service ({})",
                    config.spec.name,
                    hearth_core::db::redacted_url(&config.database.url)
                )
            })?;
        }
        // Every consumer's queue exists before any relay publishes, so even the
        // first events of a fresh broker reach their consumers.
        for (_, _, app) in &built {
            if let Some(consumer) = &app.workers.consumer {
                if let Err(err) = consumer.declare(TOPOLOGY_TIMEOUT).await {
                    tracing::warn!(error = %err, "could not declare the topology yet; the consumer will when the broker is back");
                }
            }
        }
        for ((service, config, app), (_, listener)) in built.into_iter().zip(listeners) {
            let addr = listener.local_addr()?;
            platform.workers.extend(app.workers.spawn(&stopped));
            tracing::info!(service = config.spec.name, %addr, "listening");
            let mut stopped = stopped.clone();
            platform.servers.spawn(hearth_core::http::serve_with(
                listener,
                app.router,
                async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                },
                hearth_core::http::ConnectionLimits::from(&config.http),
            ));
            platform.listening.push(Listening { service, addr });
        }
        Ok(platform)
    }

    /// Starts web-service, the site, in front of the services started here:
    /// each `<SERVICE>_SERVICE_URL` that is unset points at the address that
    /// service listens on. It stops with the rest.
    /// `dev_jwt_secret` as for the services: `hearth up` passes its own.
    pub async fn start_web(
        &mut self,
        env: &dyn Env,
        dev_jwt_secret: Option<&str>,
    ) -> anyhow::Result<SocketAddr> {
        let env = WebPeers {
            env,
            listening: &self.listening,
        };
        let config = web_service::config::Config::from_env(&env, dev_jwt_secret)?;
        let listener = TcpListener::bind(config.bind).await.map_err(|e| {
            ConfigError::new("WEB_PORT", format!("cannot listen on {}: {e}", config.bind))
        })?;
        let addr = listener.local_addr()?;
        let router = web_service::router(
            &config,
            web_service::live::Stopping::new(self.stop.subscribe()),
        )?;
        let mut stopped = self.stop.subscribe();
        self.servers.spawn(hearth_core::http::serve_with(
            listener,
            router,
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            },
            hearth_core::http::ConnectionLimits::from(&config.http),
        ));
        tracing::info!(service = "web", %addr, "listening");
        self.web = Some(addr);
        Ok(addr)
    }

    /// Stops accepting, lets in-flight requests finish, stops the relays and
    /// consumers (a message being handled is finished or left unacked, never
    /// half done), and waits for all of it.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop.send_replace(true);
        while let Some(result) = self.servers.join_next().await {
            result??;
        }
        for worker in self.workers {
            worker.await?;
        }
        Ok(())
    }

    /// Runs until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signalled(self) -> anyhow::Result<()> {
        wait_for_signal().await;
        tracing::info!("shutting down: letting in-flight requests finish");
        self.shutdown().await
    }
}

/// The environment, plus where the services started here listen: a service
/// that calls another (messaging-service calls donation-service) reaches the
/// one in this process unless its URL is set.
struct Peers<'a> {
    env: &'a dyn Env,
    donation_url: Option<String>,
}

impl<'a> Peers<'a> {
    fn new(env: &'a dyn Env, listeners: &[(Service, TcpListener)]) -> std::io::Result<Self> {
        let donation = listeners.iter().find(|(s, _)| *s == Service::Donation);
        let donation_url = match donation {
            Some((_, listener)) => Some(format!("http://{}", listener.local_addr()?)),
            None => None,
        };
        Ok(Self { env, donation_url })
    }
}

impl Env for Peers<'_> {
    fn get(&self, var: &str) -> Option<String> {
        self.env.get(var).or_else(|| match var {
            "DONATION_SERVICE_URL" => self.donation_url.clone(),
            _ => None,
        })
    }
}

/// The environment, plus the URL of each service started here, for the site.
struct WebPeers<'a> {
    env: &'a dyn Env,
    listening: &'a [Listening],
}

impl Env for WebPeers<'_> {
    fn get(&self, var: &str) -> Option<String> {
        self.env.get(var).or_else(|| {
            self.listening
                .iter()
                .find(|l| web_url_var(l.service) == var)
                .map(|l| format!("http://{}", l.addr))
        })
    }
}

/// The variable web-service reads a service's URL from.
fn web_url_var(service: Service) -> &'static str {
    use web_service::config::Backend;
    let backend = match service {
        Service::Campaign => Backend::Campaign,
        Service::Donation => Backend::Donation,
        Service::Request => Backend::Request,
        Service::Messaging => Backend::Messaging,
        Service::Profile => Backend::Profile,
    };
    backend.url_var()
}

/// The development secret is printed, so anyone can mint tokens with it:
/// fine on loopback, never on an address others can reach.
fn refuse_public_bind_with_dev_secret(
    configs: &[(Service, ServiceConfig)],
) -> Result<(), ConfigError> {
    match configs.iter().find(|(_, c)| !c.bind.ip().is_loopback()) {
        Some((_, config)) => Err(ConfigError::new(
            config.spec.var("BIND"),
            format!(
                "{} is reachable from other machines, but no JWT_SECRET is set and the development secret is public; set JWT_SECRET",
                config.bind.ip()
            ),
        )),
        None => Ok(()),
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
