//! Reading the `Cookie` header and writing `Set-Cookie`, for the two cookies
//! the site sets: the session and the CSRF token.

use axum::http::{header, HeaderMap, HeaderValue};

/// The value of cookie `name` in the request, if it sent one.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// How a cookie is set. Every cookie of the site is HttpOnly: no page
/// script reads a token, so a script that should not be there cannot either.
#[derive(Debug, Clone, Copy)]
pub struct CookieRules {
    /// Only over https: set when the site's public address is https.
    pub secure: bool,
}

impl CookieRules {
    /// `Set-Cookie` for `name=value`, kept `max_age_seconds` (0 deletes it).
    /// `value` is one the site made (a token, an id): never text a person typed.
    pub fn set(
        self,
        name: &str,
        value: &str,
        same_site: &str,
        max_age_seconds: u64,
    ) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_seconds}{secure}"
        );
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hearth_session=abc.def; b=2"),
        );
        assert_eq!(get(&headers, "hearth_session"), Some("abc.def"));
        assert_eq!(get(&headers, "hearth"), None);
    }

    #[test]
    fn cookies_are_http_only_and_secure_under_https() {
        let set = CookieRules { secure: true }.set("s", "v", "Lax", 60);
        assert_eq!(
            set,
            "s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let plain = CookieRules { secure: false }.set("s", "v", "Strict", 0);
        assert_eq!(plain, "s=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
}
