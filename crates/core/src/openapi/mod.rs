//! Pieces every service's OpenAPI document shares: the bearer scheme, the
//! answers every route can give ([`SharedAnswers`]), the headers with rules
//! of their own ([`HeaderRules`]), answers whose every field is always
//! there ([`CompleteAnswers`]), and the schemas of text fields as the
//! services check them ([`text`]).
//!
//! A constraint is written where it is enforced (the type, or the constant
//! its check uses) and the document reads it from there, so the two cannot
//! drift; api-tests/run holds the running services to their documents.

mod answers;
mod complete;
mod headers;
pub mod text;

use axum::http::Method;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::Modify;

pub use answers::{SharedAnswers, PROBLEM_JSON};
pub use complete::CompleteAnswers;
pub use headers::HeaderRules;

/// Declares the `bearer` scheme: a Supabase JWT in `Authorization: Bearer …`.
#[derive(Debug)]
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description = Some(
            "A Supabase Auth access token (HS256, aud = authenticated). \
             `hearth token --sub <uuid>` mints one for development."
                .to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        // A route that does not require the token reads it when sent (what
        // the caller may see depends on it), and refuses a bad one (401).
        for (_, _, operation) in operations_mut(openapi) {
            operation.security.get_or_insert_with(|| {
                vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                ]
            });
        }
    }
}

/// Every modifier a service's document needs, in order.
pub const MODIFIERS: [&(dyn Modify + Sync); 4] =
    [&BearerAuth, &HeaderRules, &SharedAnswers, &CompleteAnswers];

/// Applies [`MODIFIERS`]: for a document built from routes added after the
/// `#[openapi]` derive ran its own modifiers (utoipa-axum's router).
pub fn finish(mut openapi: OpenApi) -> OpenApi {
    for modifier in MODIFIERS {
        modifier.modify(&mut openapi);
    }
    openapi
}

/// Every operation of the document, with the path it is on and its method.
pub(crate) fn operations_mut(
    openapi: &mut OpenApi,
) -> impl Iterator<Item = (String, Method, &mut Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            (Method::GET, &mut item.get),
            (Method::PUT, &mut item.put),
            (Method::POST, &mut item.post),
            (Method::DELETE, &mut item.delete),
            (Method::PATCH, &mut item.patch),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
        .map(move |(method, operation)| (path.clone(), method, operation))
    })
}
