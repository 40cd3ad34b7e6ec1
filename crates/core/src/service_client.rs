//! The HTTP client one service calls another with (messaging-service asks
//! donation-service about a donation).
//!
//! `https://` works through rustls, trusting the public CAs built in
//! (webpki roots) and the machine's own store (`/etc/ssl/certs`, or the bundle
//! `SSL_CERT_FILE` names), so an operator's private CA needs no rebuild.
//! `http://` keeps working for a laptop and a private network.

use std::time::Duration;

/// A client builder with Hearth's TLS and `timeout` for connecting and for
/// the whole call; add what the caller needs, then `build()`.
pub fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_webpki_certs(true)
        .tls_built_in_native_certs(true)
        .https_only(false)
        .timeout(timeout)
        .connect_timeout(timeout)
}

/// [`builder`], built.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(builder(timeout).build()?)
}
