//! TLS to PostgreSQL (the URL's `sslmode` and `sslrootcert`, as libpq
//! defines them) and to other services (`https://`), against the local
//! PostgreSQL, which has TLS on, and a server made in the test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hearth_core::config::DatabaseConfig;
use hearth_testkit::TestDb;
use sqlx::PgPool;

const PATIENCE: Duration = Duration::from_secs(10);

/// The local server's URL with `query` added; `TEST_DATABASE_URL` points
/// elsewhere when set.
fn server_url(database: &str, query: &str) -> String {
    let server = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let url = hearth_core::db::url_with_database(&server, database).expect("parses");
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

fn pool(url: &str) -> PgPool {
    let config = DatabaseConfig {
        url: url.to_owned(),
        max_connections: 1,
        acquire_timeout: PATIENCE,
    };
    hearth_core::db::pool(&config, "public").expect("a pool")
}

/// Whether the pool's connection is encrypted, as the server sees it.
async fn is_encrypted(pool: &PgPool) -> Result<bool, sqlx::Error> {
    tokio::time::timeout(
        PATIENCE,
        sqlx::query_scalar("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
            .fetch_one(pool),
    )
    .await
    .expect("PostgreSQL answers in time")
}

#[tokio::test]
async fn sslmode_require_connects_with_tls() {
    let pool = pool(&server_url("postgres", "sslmode=require"));
    assert!(is_encrypted(&pool).await.expect("connects with TLS"));
}

#[tokio::test]
async fn sslmode_disable_connects_without_tls() {
    let pool = pool(&server_url("postgres", "sslmode=disable"));
    assert!(!is_encrypted(&pool).await.expect("connects"));
}

#[tokio::test]
async fn a_test_database_url_keeps_its_sslmode() {
    let db = TestDb::create().await;
    let url =
        hearth_core::db::url_with_database(&server_url("postgres", "sslmode=require"), db.name())
            .expect("parses");
    assert!(url.ends_with("?sslmode=require"), "{url}");
    assert!(is_encrypted(&pool(&url)).await.expect("connects"));
}

/// A CA of the test's own, written as PEM to a file that is removed on drop.
struct ForeignCa {
    path: PathBuf,
}

impl ForeignCa {
    fn new() -> Self {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).expect("self-signed");
        let path =
            std::env::temp_dir().join(format!("hearth-foreign-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(&path, cert.pem()).expect("write the CA");
        Self { path }
    }
}

impl Drop for ForeignCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test]
async fn verify_with_a_root_that_did_not_sign_the_server_fails_clearly() {
    let ca = ForeignCa::new();
    for mode in ["verify-full", "verify-ca"] {
        let url = server_url(
            "postgres",
            &format!("sslmode={mode}&sslrootcert={}", ca.path.display()),
        );
        let err = is_encrypted(&pool(&url))
            .await
            .expect_err("an unknown server certificate is refused");
        let message = err.to_string();
        eprintln!("{mode} with a foreign root: {message}");
        assert!(
            message.contains("certificate") || message.contains("UnknownIssuer"),
            "{mode}: {message}"
        );
        // Start-up and `hearth up` create the database through the same URL.
        let created = hearth_core::db::ensure_database(&server_url(
            "hearth_never_created",
            &format!("sslmode={mode}&sslrootcert={}", ca.path.display()),
        ))
        .await;
        assert!(created.is_err(), "{mode}: ensure_database verifies too");
    }
}

/// The certificate the local server presents, when it is Debian's default
/// (self-signed, for `localhost`).
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

#[tokio::test]
async fn verify_with_the_servers_own_certificate_connects() {
    if std::env::var("TEST_DATABASE_URL").is_ok() || !Path::new(SNAKEOIL).exists() {
        eprintln!("skipped: not the local server with {SNAKEOIL}");
        return;
    }
    for mode in ["verify-full", "verify-ca"] {
        let url = format!(
            "postgres://postgres@localhost:5432/postgres?sslmode={mode}&sslrootcert={SNAKEOIL}"
        );
        assert!(is_encrypted(&pool(&url)).await.expect(mode), "{mode}");
    }
    // The certificate names `localhost`, not 127.0.0.1: verify-full refuses.
    let url = format!(
        "postgres://postgres@127.0.0.1:5432/postgres?sslmode=verify-full&sslrootcert={SNAKEOIL}"
    );
    let err = is_encrypted(&pool(&url)).await.expect_err("wrong name");
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

/// A certificate for `localhost`, and an HTTPS server with it that answers
/// `GET /` with "over tls".
async fn https_server() -> (u16, reqwest::Certificate) {
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    let cert = params.self_signed(&key).expect("self-signed");
    let trusted = reqwest::Certificate::from_pem(cert.pem().as_bytes()).expect("pem");
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "over tls" }));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(stream),
                        hyper_util::service::TowerToHyperService::new(router),
                    )
                    .await;
            });
        }
    });
    (port, trusted)
}

#[tokio::test]
async fn the_service_client_speaks_https() {
    let (port, trusted) = https_server().await;
    let url = format!("https://localhost:{port}/");
    let client = hearth_core::service_client::builder(PATIENCE)
        .add_root_certificate(trusted)
        .build()
        .expect("client");
    let answer = client.get(&url).send().await.expect("an https answer");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.expect("body"), "over tls");

    // A server no trusted CA vouches for is refused.
    let untrusting = hearth_core::service_client::client(PATIENCE).expect("client");
    let err = untrusting.get(&url).send().await.expect_err("not trusted");
    assert!(err.is_connect(), "{err:?}");
}
