//! One RabbitMQ user per service, allowed its own queues and its own events
//! alone (`hearth broker users`). Made through the management HTTP API.
//!
//! What a service's user may do is derived, never listed by hand: its queues
//! from the topology's names, the types it may publish from the events
//! catalogue, the types it may bind its queue to from its consumer.
//!
//! | permission | on | for |
//! |---|---|---|
//! | configure | `<ns>.events`, its own queues | declaring them, as every service does at connect |
//! | write | the same, `<ns>.unrouted` and `amq.default` | publishing events; binding its queue; naming the alternate exchange; retry and dead copies, which go through the default exchange |
//! | read | `<ns>.events`, its own queues | binding its queue to the exchange; consuming its queue |
//!
//! Not the unrouted queue: it shares its name with the unrouted exchange,
//! so a service allowed to bind it could read every event nobody consumes.
//! The command declares the shared topology itself, as `RABBITMQ_URL`'s user.
//! | topic write on `<ns>.events` | the types the catalogue gives it | publishing |
//! | topic read on `<ns>.events` | the types its consumer handles | binding its queue |

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use hearth_bus::topology::{escape, Names};
use hearth_core::config::{read, ConfigError, Env};
use hearth_events::catalogue::produced_by;
use serde_json::json;
use url::Url;

/// How long one call to the management API may take.
const API_TIMEOUT: Duration = Duration::from_secs(10);

/// What one service's broker user may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user: String,
    pub configure: String,
    pub write: String,
    pub read: String,
    /// The topic exchange the topic permissions are on.
    pub exchange: String,
    /// The event types it may publish (topic write).
    pub publishes: Vec<&'static str>,
    /// The event types it may bind its queue to (topic read).
    pub consumes: Vec<&'static str>,
}

impl Grant {
    /// The grant of `<prefix><service>`, which consumes `consumes`.
    pub fn new(names: &Names, prefix: &str, service: &str, consumes: Vec<&'static str>) -> Self {
        let own = [escape(&names.exchange()), names.queues_pattern(service)];
        let configure = one_of(&own);
        // The alternate exchange is checked for write when the events
        // exchange is declared; the default exchange carries retry and dead copies.
        let write = one_of(&[
            own[0].clone(),
            own[1].clone(),
            escape(&names.unrouted_exchange()),
            escape("amq.default"),
        ]);
        Self {
            user: format!("{prefix}{service}"),
            read: configure.clone(),
            configure,
            write,
            exchange: names.exchange(),
            publishes: produced_by(service).to_vec(),
            consumes,
        }
    }

    /// The topic permission's write pattern: exactly the types it publishes.
    pub fn topic_write(&self) -> String {
        types_pattern(&self.publishes)
    }

    /// The topic permission's read pattern: exactly the types it consumes.
    pub fn topic_read(&self) -> String {
        types_pattern(&self.consumes)
    }
}

/// `^(a|b|c)$`: any of the patterns, whole.
fn one_of(patterns: &[String]) -> String {
    format!("^({})$", patterns.join("|"))
}

/// Exactly these routing keys; none at all for an empty list (a routing key
/// is never empty here).
fn types_pattern(types: &[&str]) -> String {
    if types.is_empty() {
        return "^$".to_owned();
    }
    let escaped: Vec<String> = types.iter().map(|t| escape(t)).collect();
    one_of(&escaped)
}

/// What became of a user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Password {
    /// A new user, with this generated password: shown once, never again.
    Generated(String),
    /// Set from `<SERVICE>_RABBITMQ_PASSWORD`.
    Given,
    /// The user existed and keeps its password.
    Kept,
}

/// The RabbitMQ management HTTP API (`RABBITMQ_MANAGEMENT_URL`).
#[derive(Debug, Clone)]
pub struct Management {
    base: Url,
    user: String,
    password: String,
    client: reqwest::Client,
}

impl Management {
    /// From `RABBITMQ_MANAGEMENT_URL`, or, when unset, the management port
    /// of `RABBITMQ_URL`'s host (15672; 15671 over TLS). Credentials come from
    /// the URL, or from `RABBITMQ_URL`.
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let amqp = hearth_core::config::rabbitmq_url(env)?;
        let amqp = lapin::uri::AMQPUri::from_str(&amqp)
            .map_err(|e| ConfigError::new("RABBITMQ_URL", format!("not an AMQP URL ({e})")))?;
        let default = || {
            let (scheme, port) = match amqp.scheme {
                lapin::uri::AMQPScheme::AMQPS => ("https", 15671),
                lapin::uri::AMQPScheme::AMQP => ("http", 15672),
            };
            format!("{scheme}://{}:{port}/", amqp.authority.host)
        };
        let given = read(
            env,
            "RABBITMQ_MANAGEMENT_URL",
            || None,
            |raw| parse_http_url(raw).map(Some),
        )?;
        let base = match given {
            Some(url) => url,
            None => parse_http_url(&default()).map_err(|e| ConfigError::new("RABBITMQ_URL", e))?,
        };
        let (user, password) = if base.username().is_empty() {
            (
                amqp.authority.userinfo.username.clone(),
                amqp.authority.userinfo.password.clone(),
            )
        } else {
            (
                percent_decode(base.username()),
                percent_decode(base.password().unwrap_or_default()),
            )
        };
        let mut base = base;
        // The credentials travel in a header, and the URL is printed in errors.
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let client = hearth_core::service_client::builder(API_TIMEOUT)
            .build()
            .map_err(|e| ConfigError::new("RABBITMQ_MANAGEMENT_URL", e.to_string()))?;
        Ok(Self {
            base,
            user,
            password,
            client,
        })
    }

    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("api");
            // `push` percent-encodes each segment: the vhost `/` becomes `%2F`.
            path.extend(segments);
        }
        url
    }

    async fn call(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<reqwest::Response> {
        let mut request = self
            .client
            .request(method, self.endpoint(segments))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| {
            format!(
                "cannot reach the RabbitMQ management API at {} (RABBITMQ_MANAGEMENT_URL; \
                 it needs the plugin: rabbitmq-plugins enable rabbitmq_management)",
                self.base
            )
        })?;
        match response.status() {
            reqwest::StatusCode::UNAUTHORIZED => anyhow::bail!(
                "the RabbitMQ management API at {} refused {}'s credentials \
                 (an administrator is needed; RABBITMQ_MANAGEMENT_URL)",
                self.base,
                self.user
            ),
            status if status.is_server_error() || status == reqwest::StatusCode::BAD_REQUEST => {
                let text = response.text().await.unwrap_or_default();
                anyhow::bail!("the RabbitMQ management API answered {status}: {text}")
            }
            _ => Ok(response),
        }
    }

    /// Whether the API answers to these credentials at all.
    pub async fn check(&self) -> anyhow::Result<()> {
        let response = self.call(reqwest::Method::GET, &["whoami"], None).await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => anyhow::bail!(
                "the RabbitMQ management API at {} answered {status}",
                self.base
            ),
        }
    }

    /// Whether the user exists.
    pub async fn user_exists(&self, user: &str) -> anyhow::Result<bool> {
        let response = self
            .call(reqwest::Method::GET, &["users", user], None)
            .await?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => Ok(false),
            status if status.is_success() => Ok(true),
            status => anyhow::bail!("looking up broker user {user}: {status}"),
        }
    }

    async fn put(&self, segments: &[&str], body: serde_json::Value) -> anyhow::Result<()> {
        let response = self
            .call(reqwest::Method::PUT, segments, Some(body))
            .await?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            anyhow::bail!("PUT /api/{}: {status} {text}", segments.join("/"));
        }
        Ok(())
    }

    /// Creates `user`, or sets its password. No tags: it may not use the
    /// management API itself.
    pub async fn put_user(&self, user: &str, password: &str) -> anyhow::Result<()> {
        self.put(
            &["users", user],
            json!({ "password": password, "tags": "" }),
        )
        .await
    }

    /// Deletes `user`, if it exists (its permissions go with it).
    pub async fn delete_user(&self, user: &str) -> anyhow::Result<()> {
        self.call(reqwest::Method::DELETE, &["users", user], None)
            .await
            .map(drop)
    }

    /// Gives `grant.user` exactly the grant's permissions in `vhost`,
    /// replacing whatever it had.
    pub async fn apply(&self, vhost: &str, grant: &Grant) -> anyhow::Result<()> {
        self.set_permissions(
            vhost,
            &grant.user,
            [&grant.configure, &grant.write, &grant.read],
        )
        .await?;
        self.set_topic_permissions(
            vhost,
            &grant.user,
            &grant.exchange,
            &grant.topic_write(),
            &grant.topic_read(),
        )
        .await
    }

    /// Sets `user`'s permissions on `vhost`'s resources.
    pub async fn set_permissions(
        &self,
        vhost: &str,
        user: &str,
        [configure, write, read]: [&str; 3],
    ) -> anyhow::Result<()> {
        self.put(
            &["permissions", vhost, user],
            json!({ "configure": configure, "write": write, "read": read }),
        )
        .await
    }

    /// Sets the routing keys `user` may publish (`write`) and bind (`read`) on `exchange`.
    pub async fn set_topic_permissions(
        &self,
        vhost: &str,
        user: &str,
        exchange: &str,
        write: &str,
        read: &str,
    ) -> anyhow::Result<()> {
        self.put(
            &["topic-permissions", vhost, user],
            json!({ "exchange": exchange, "write": write, "read": read }),
        )
        .await
    }
}

/// Makes `grant.user` exist in `vhost` with exactly the grant's
/// permissions. An existing user keeps its password unless `password` is given.
pub async fn ensure_user(
    api: &Management,
    vhost: &str,
    grant: &Grant,
    password: Option<String>,
) -> anyhow::Result<Password> {
    let outcome = match password {
        Some(given) => {
            api.put_user(&grant.user, &given).await?;
            Password::Given
        }
        None if api.user_exists(&grant.user).await? => Password::Kept,
        None => {
            let generated = generate_password();
            api.put_user(&grant.user, &generated).await?;
            Password::Generated(generated)
        }
    };
    api.apply(vhost, grant).await?;
    Ok(outcome)
}

/// 244 random bits (two UUIDv4s), as 64 hex digits: safe in any URL.
fn generate_password() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// `amqp_url` with `user` and `password` in place of its own credentials.
pub fn url_as(amqp_url: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let mut url = Url::parse(amqp_url).context("RABBITMQ_URL is not a URL")?;
    url.set_username(user)
        .and_then(|()| url.set_password(Some(password)))
        .map_err(|()| anyhow::anyhow!("RABBITMQ_URL cannot carry credentials"))?;
    Ok(url.into())
}

/// The vhost an AMQP URL names (`/` when it names none).
pub fn vhost_of(amqp_url: &str) -> String {
    lapin::uri::AMQPUri::from_str(amqp_url)
        .map(|uri| uri.vhost)
        .unwrap_or_else(|_| "/".to_owned())
}

fn parse_http_url(raw: &str) -> Result<Url, String> {
    match Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
        _ => Err(format!(
            "expected an http:// or https:// URL such as http://127.0.0.1:15672, got {raw:?}"
        )),
    }
}

/// `%40` → `@`: credentials in a URL are percent-encoded.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_management_url_defaults_to_the_brokers_host_and_credentials() {
        let api = Management::from_env(&env(&[(
            "RABBITMQ_URL",
            "amqp://admin:s%40fe@rabbit.internal:5672/prod",
        )]))
        .expect("valid");
        assert_eq!(api.base.as_str(), "http://rabbit.internal:15672/");
        assert_eq!(
            (api.user.as_str(), api.password.as_str()),
            ("admin", "s@fe")
        );
        assert_eq!(
            api.endpoint(&["permissions", "/", "hearth_campaign"])
                .as_str(),
            "http://rabbit.internal:15672/api/permissions/%2F/hearth_campaign"
        );
        let tls = Management::from_env(&env(&[("RABBITMQ_URL", "amqps://h/%2f")])).expect("tls");
        assert_eq!(tls.base.as_str(), "https://h:15671/");
        assert_eq!(tls.user, "guest");

        let own = Management::from_env(&env(&[(
            "RABBITMQ_MANAGEMENT_URL",
            "https://ops:pw@mgmt.example/rabbit/",
        )]))
        .expect("given");
        assert_eq!(own.base.as_str(), "https://mgmt.example/rabbit/");
        assert_eq!(own.user, "ops");
        assert_eq!(
            own.endpoint(&["users", "x"]).as_str(),
            "https://mgmt.example/rabbit/api/users/x"
        );

        let err = Management::from_env(&env(&[("RABBITMQ_MANAGEMENT_URL", "rabbit:15672")]))
            .expect_err("not http");
        assert_eq!(err.var, "RABBITMQ_MANAGEMENT_URL");
    }

    #[test]
    fn a_grant_names_its_own_queues_and_types_only() {
        let grant = Grant::new(
            &Names::new("hearth"),
            "hearth_",
            "campaign",
            vec!["donation.created", "profile.suspended"],
        );
        assert_eq!(grant.user, "hearth_campaign");
        assert_eq!(
            grant.configure,
            r"^(hearth\.events|hearth\.campaign(\.delay\.[^.]+|\.dead)?)$"
        );
        assert_eq!(
            grant.write,
            r"^(hearth\.events|hearth\.campaign(\.delay\.[^.]+|\.dead)?|hearth\.unrouted|amq\.default)$"
        );
        assert_eq!(grant.read, grant.configure);
        assert_eq!(grant.exchange, "hearth.events");
        assert!(grant.topic_write().starts_with(r"^(campaign\.created|"));
        assert_eq!(
            grant.topic_read(),
            r"^(donation\.created|profile\.suspended)$"
        );
        assert_eq!(types_pattern(&[]), "^$");
    }

    #[test]
    fn a_services_url_carries_its_own_credentials() {
        assert_eq!(
            url_as(
                "amqp://guest:guest@127.0.0.1:5672/%2f",
                "hearth_request",
                "pw"
            )
            .expect("url"),
            "amqp://hearth_request:pw@127.0.0.1:5672/%2f"
        );
        assert_eq!(vhost_of("amqp://127.0.0.1:5672/%2f"), "/");
        assert_eq!(vhost_of("amqp://127.0.0.1:5672/prod"), "prod");
        assert_eq!(percent_decode("a%2Fb%zz"), "a/b%zz");
    }
}
