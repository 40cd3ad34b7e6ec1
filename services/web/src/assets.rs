//! The site's three static files, compiled into the binary and served by
//! web-service itself: no CDN, nothing fetched at build or run time.
//!
//! Each URL names its content (the stylesheet by a hash of its bytes, the
//! scripts by their version), so a browser may keep them a year: a new file is a new URL.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../static/site.css");
/// htmx 2.0.11 (Zero-Clause BSD, static/htmx-LICENSE.txt), from the npm
/// package's `dist/htmx.min.js`, unchanged.
const HTMX: &str = include_str!("../static/htmx-2.0.11.min.js");
const HTMX_NAME: &str = "htmx-2.0.11.min.js";
/// htmx's Server-Sent Events extension 2.2.4 (Zero-Clause BSD,
/// static/htmx-ext-sse-LICENSE.txt), from the npm package `htmx-ext-sse`'s
/// `dist/sse.min.js`, unchanged: it carries the live updates of `/live`.
const SSE: &str = include_str!("../static/htmx-ext-sse-2.2.4.min.js");
const SSE_NAME: &str = "htmx-ext-sse-2.2.4.min.js";

/// A year: the longest cache browsers honour; the URL changes with the file.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where the pages link their stylesheet and script.
#[derive(Debug)]
pub struct Assets {
    css_name: String,
    pub css_url: String,
    pub js_url: String,
    pub sse_url: String,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let digest = Sha256::digest(CSS.as_bytes());
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let css_name = format!("site-{hash}.css");
    Assets {
        css_url: format!("/static/{css_name}"),
        js_url: format!("/static/{HTMX_NAME}"),
        sse_url: format!("/static/{SSE_NAME}"),
        css_name,
    }
});

/// A name that is none of the site's files: the 404 page (pages/errors.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSuchFile;

/// `GET /static/{name}`.
pub async fn serve(Path(name): Path<String>) -> Result<Response, NoSuchFile> {
    let (content_type, body) = if name == ASSETS.css_name {
        ("text/css; charset=utf-8", CSS)
    } else if name == HTMX_NAME {
        ("text/javascript; charset=utf-8", HTMX)
    } else if name == SSE_NAME {
        ("text/javascript; charset=utf-8", SSE)
    } else {
        return Err(NoSuchFile);
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        body,
    )
        .into_response())
}
