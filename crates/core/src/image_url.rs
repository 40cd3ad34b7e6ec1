//! The picture of a campaign or a request: a link to an image somewhere else.
//!
//! Hearth stores the link, never the image; browsers load it straight from
//! where it lives. So the link must be one a page can show safely: https
//! only (an `http:` image on an https page is mixed content, and `javascript:`
//! or `data:` must never reach an `src`), with a host, without credentials in
//! it, and short enough to store and index.

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// The longest link accepted, in characters; browsers and CDNs handle this
/// much everywhere.
pub const MAX_CHARS: usize = 2048;

/// An absolute https URL with a host and no user name or password, at most
/// [`MAX_CHARS`] characters, in its normalised form (lower-case host,
/// percent-encoded where needed). A value that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageUrl(String);

/// Why a text is not an [`ImageUrl`]; the message is what a client reads
/// against the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageUrlError {
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
    #[error("must not contain spaces or control characters")]
    Whitespace,
    #[error("must be an absolute https URL")]
    NotAUrl,
    #[error("must be an https URL")]
    NotHttps,
    #[error("must name a host")]
    NoHost,
    #[error("must not contain a user name or password")]
    Credentials,
}

impl ImageUrl {
    pub fn parse(raw: &str) -> Result<Self, ImageUrlError> {
        // Checked before parsing: the URL parser silently drops tabs and
        // newlines and trims spaces, and should not spend time on a megabyte.
        if raw.chars().count() > MAX_CHARS {
            return Err(ImageUrlError::TooLong);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ImageUrlError::Whitespace);
        }
        let url = url::Url::parse(raw).map_err(|e| match e {
            url::ParseError::EmptyHost => ImageUrlError::NoHost,
            _ => ImageUrlError::NotAUrl,
        })?;
        if url.scheme() != "https" {
            return Err(ImageUrlError::NotHttps);
        }
        // Written out in full: browsers repair `https:example.org` and
        // `https:///example.org` into a host, which would make a typo a link.
        let authority = raw
            .get(..8)
            .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
            .and_then(|_| raw.get(8..))
            .ok_or(ImageUrlError::NotAUrl)?;
        if authority.starts_with(['/', '\\']) || url.host_str().is_none_or(str::is_empty) {
            return Err(ImageUrlError::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ImageUrlError::Credentials);
        }
        let normalised = String::from(url);
        // Normalising percent-encodes non-ASCII text, which can lengthen it.
        if normalised.chars().count() > MAX_CHARS {
            return Err(ImageUrlError::TooLong);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ImageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ImageUrl {
    type Error = ImageUrlError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ImageUrl> for String {
    fn from(url: ImageUrl) -> Self {
        url.0
    }
}

/// The links [`ImageUrl::parse`] keeps, as a pattern (unanchored): an https URL with a
/// domain name (its last label starts with a letter: one of digits is an
/// IPv4 address), an optional port, path and query of characters the URL
/// parser leaves as they are. Surrounding spaces are trimmed before parsing.
/// A few odd links the parser also takes (an IP address as host, a fragment)
/// fall outside it; every link inside it is kept.
pub const LINK_PATTERN: &str = concat!(
    r"https://(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?::[0-9]{1,4})?",
    r"(?:/[A-Za-z0-9._~%!$&()*+,;=:@/-]*)?(?:\?[A-Za-z0-9._~%!$&()*+,;=:@/?-]*)?",
);

/// In the OpenAPI documents: the pattern above, at most [`MAX_CHARS`] once
/// normalised (which adds a `/` to a link without a path, hence one less).
/// Not `format: uri`: the surrounding spaces a write may carry are not part
/// of a URI.
impl utoipa::PartialSchema for ImageUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(crate::openapi::text::surrounded_by_spaces(
                LINK_PATTERN,
            )))
            .max_length(Some(MAX_CHARS - 1))
            .description(Some(
                "An https link to a picture: absolute, with a host, no user name or password, \
                 no spaces, at most 2048 characters once normalised (answers give it normalised).",
            ))
            .examples([serde_json::json!("https://images.example.org/blankets.jpg")])
            .into()
    }
}

impl utoipa::ToSchema for ImageUrl {}

/// Stored as `text`.
impl Type<Postgres> for ImageUrl {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

/// Parsed again on the way out, so that even a row written by hand cannot
/// put an unsafe link in an answer.
impl<'r> Decode<'r, Postgres> for ImageUrl {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let raw = <&str as Decode<Postgres>>::decode(value)?;
        Ok(Self::parse(raw)?)
    }
}

impl Encode<'_, Postgres> for ImageUrl {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode(self.as_str(), buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_link_with_a_host_is_an_image_url() {
        for ok in [
            "https://images.example.org/blankets.jpg",
            "https://example.org:8443/a/b.png?size=large#top",
            "https://127.0.0.1/x.webp",
        ] {
            assert_eq!(ImageUrl::parse(ok).expect(ok).as_str(), ok);
        }
    }

    #[test]
    fn the_link_is_kept_in_its_normal_form() {
        let url = ImageUrl::parse("https://Images.EXAMPLE.org/Blankets.jpg").expect("valid");
        assert_eq!(url.as_str(), "https://images.example.org/Blankets.jpg");
        let url = ImageUrl::parse("https://example.org").expect("valid");
        assert_eq!(url.as_str(), "https://example.org/");
    }

    #[test]
    fn each_unsafe_or_broken_link_is_refused_with_its_reason() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_CHARS));
        // Within the limit as typed, over it once its non-ASCII text is encoded.
        let long_once_encoded = format!("https://example.org/{}", "é".repeat(1000));
        for (raw, why) in [
            ("http://example.org/a.jpg", ImageUrlError::NotHttps),
            ("javascript:alert(1)", ImageUrlError::NotHttps),
            ("data:image/png;base64,AAAA", ImageUrlError::NotHttps),
            ("ftp://example.org/a.jpg", ImageUrlError::NotHttps),
            ("https://", ImageUrlError::NoHost),
            ("https:///a.jpg", ImageUrlError::NoHost),
            ("https:example.org/a.jpg", ImageUrlError::NotAUrl),
            ("https:\\\\example.org\\a.jpg", ImageUrlError::NotAUrl),
            ("/images/a.jpg", ImageUrlError::NotAUrl),
            ("example.org/a.jpg", ImageUrlError::NotAUrl),
            ("", ImageUrlError::NotAUrl),
            ("not a url", ImageUrlError::Whitespace),
            ("https://example.org/a b.jpg", ImageUrlError::Whitespace),
            (" https://example.org/a.jpg", ImageUrlError::Whitespace),
            ("https://example.org/a\n.jpg", ImageUrlError::Whitespace),
            ("https://example.org/a\t.jpg", ImageUrlError::Whitespace),
            ("https://example.org/a\u{7}.jpg", ImageUrlError::Whitespace),
            (
                "https://user:pass@example.org/a.jpg",
                ImageUrlError::Credentials,
            ),
            ("https://user@example.org/a.jpg", ImageUrlError::Credentials),
            (long.as_str(), ImageUrlError::TooLong),
            (long_once_encoded.as_str(), ImageUrlError::TooLong),
        ] {
            assert_eq!(ImageUrl::parse(raw), Err(why), "{raw:?}");
        }
    }

    #[test]
    fn every_link_the_documented_pattern_allows_is_kept() {
        let pattern = regex::Regex::new(&crate::openapi::text::surrounded_by_spaces(LINK_PATTERN))
            .expect("regex");
        let long_path = format!("https://example.org/{}", "a".repeat(MAX_CHARS - 21));
        for link in [
            "https://example.org",
            "https://EXAMPLE.org:8443/a/b.png?size=large",
            " https://a.b.c/x%zz?q=1&r=a/b?c ",
            "https://0-0.a-/~!$&()*+,;=:@.-_",
            "https://1.2.x",
            "https://a?b",
            "\u{3000}https://x.y/\u{2009}",
            long_path.as_str(),
        ] {
            assert!(pattern.is_match(link), "{link:?} fits the pattern");
            assert!(
                link.chars().count() < MAX_CHARS,
                "{link:?} is within maxLength"
            );
            ImageUrl::parse(link.trim()).expect(link);
        }
        for not_a_link in [
            "http://example.org",
            "https://1.2.3.4",
            "https://a b",
            "https://user@x.org",
        ] {
            assert!(!pattern.is_match(not_a_link), "{not_a_link:?}");
        }
    }

    #[test]
    fn json_holds_only_valid_links() {
        let url: ImageUrl =
            serde_json::from_value(serde_json::json!("https://example.org/a.jpg")).expect("valid");
        assert_eq!(
            serde_json::to_value(&url).expect("json"),
            serde_json::json!("https://example.org/a.jpg")
        );
        assert!(serde_json::from_value::<ImageUrl>(serde_json::json!("http://x.org/a")).is_err());
    }
}
