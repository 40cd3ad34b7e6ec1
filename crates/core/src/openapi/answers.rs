//! The answers every route can give, declared once (docs/api.md's error table)
//! and applied to every operation of a document by [`SharedAnswers`].
//!
//! They come from the stack every service runs behind ([`crate::http`]), not
//! from the handlers: the extractors (400, 413, 415, 422), the
//! authenticator (401), the suspension check (403), the idempotency layer
//! (400, 422), the write limit (429) and the database or timeout (503). A
//! route that declares the same status keeps its own description, followed
//! by the shared one, so that a client reads every `code` it may get.

use serde_json::{json, Value};
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::Modify;

use crate::openapi::operations_mut;

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One shared answer: its status, its component name, what it means, and
/// the problem `code`s it carries, each with a `detail` as the service writes it.
struct Answer {
    status: u16,
    name: &'static str,
    description: &'static str,
    codes: &'static [(&'static str, &'static str)],
    retry_after: bool,
}

const ANSWERS: &[Answer] = &[
    Answer {
        status: 400,
        name: "BadRequest",
        description: "`malformed_json`: the body is not JSON; `bad_query`: a query parameter, \
                      `If-Match` or `Idempotency-Key` does not parse or is out of range",
        codes: &[
            (
                "malformed_json",
                "the body is not valid JSON: EOF while parsing an object at line 1 column 1",
            ),
            ("bad_query", "limit must be between 1 and 100"),
        ],
        retry_after: false,
    },
    Answer {
        status: 401,
        name: "Unauthenticated",
        description: "`unauthenticated`: no token where one is needed, or a token that is \
                      expired, badly signed or not for this audience",
        codes: &[("unauthenticated", "the token has expired")],
        retry_after: false,
    },
    Answer {
        status: 403,
        name: "AccountSuspended",
        description: "`account_suspended`: a suspended account may read but not write",
        codes: &[("account_suspended", "your account is suspended")],
        retry_after: false,
    },
    Answer {
        status: 413,
        name: "PayloadTooLarge",
        description: "`payload_too_large`: the body is over 64 KiB",
        codes: &[("payload_too_large", "the body is larger than 64 KiB")],
        retry_after: false,
    },
    Answer {
        status: 415,
        name: "UnsupportedMediaType",
        description: "`unsupported_media_type`: a body that is not `application/json`",
        codes: &[(
            "unsupported_media_type",
            "send the body as application/json",
        )],
        retry_after: false,
    },
    Answer {
        status: 422,
        name: "Unprocessable",
        description: "`validation_failed`: fields that break the rules, each named in `errors`; \
                      `idempotency_key_reused`: this `Idempotency-Key` came with another request",
        codes: &[
            ("validation_failed", "the request has invalid fields"),
            (
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            ),
        ],
        retry_after: false,
    },
    Answer {
        status: 429,
        name: "RateLimited",
        description: "`rate_limited`: too many writes by this person; `Retry-After` says \
                      when to write again",
        codes: &[("rate_limited", "too many writes; try again in 3 s")],
        retry_after: true,
    },
    Answer {
        status: 503,
        name: "Unavailable",
        description: "`dependency_unavailable`: the database or another service is \
                      unreachable, or the request ran out of time; retry after `Retry-After`",
        codes: &[(
            "dependency_unavailable",
            "the database is unavailable; try again shortly",
        )],
        retry_after: true,
    },
];

/// 404 for every route with a path parameter: an id that does not parse, or
/// names nothing the caller may see.
const NOT_FOUND: Answer = Answer {
    status: 404,
    name: "NotFound",
    description: "`not_found`: no such resource, or one the caller may not see",
    codes: &[("not_found", "no such resource, or you may not see it")],
    retry_after: false,
};

/// Adds the shared answers to `components.responses` and to every operation.
#[derive(Debug)]
pub struct SharedAnswers;

impl Modify for SharedAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for answer in ANSWERS.iter().chain([&NOT_FOUND]) {
            components
                .responses
                .insert(answer.name.to_owned(), RefOr::T(answer.response()));
        }
        for (path, _, operation) in operations_mut(openapi) {
            let has_path_parameter = path.contains('{');
            for answer in ANSWERS {
                answer.apply(operation);
            }
            if has_path_parameter {
                NOT_FOUND.apply(operation);
            }
            for (status, response) in &mut operation.responses.responses {
                if let RefOr::T(response) = response {
                    add_route_examples(status, response);
                }
            }
        }
    }
}

/// The codes of the answers a route declares itself, each with a `detail`
/// of its kind (the services say what exactly). A route names the codes of a 409 in its
/// description (`` `invalid_state`: … ``); 403, 404 and 412 have one each.
const ROUTE_CODES: &[(u16, &str, &str)] = &[
    (403, "forbidden", "only the owner or staff may do this"),
    (404, "not_found", "no such resource, or you may not see it"),
    (
        409,
        "invalid_state",
        "a cancelled resource cannot be changed",
    ),
    (409, "conflict", "this already exists"),
    (
        409,
        "not_eligible",
        "this donation has not gone through (yet)",
    ),
    (
        412,
        "version_mismatch",
        "the resource has changed; its current version is \"4\"",
    ),
];

/// Examples for the codes of a route's own problem answer: those its
/// description names, else the one its status has.
fn add_route_examples(status: &str, response: &mut Response) {
    let Ok(status) = status.parse::<u16>() else {
        return;
    };
    let codes: Vec<_> = ROUTE_CODES.iter().filter(|(s, ..)| *s == status).collect();
    let named: Vec<_> = codes
        .iter()
        .filter(|(_, code, _)| response.description.contains(&format!("`{code}`")))
        .copied()
        .collect();
    let codes = if named.is_empty() && codes.len() == 1 {
        codes
    } else {
        named
    };
    let Some(content) = response.content.get_mut(PROBLEM_JSON) else {
        return;
    };
    for (_, code, detail) in codes {
        content
            .examples
            .entry((*code).to_owned())
            .or_insert_with(|| example(problem(status, code, detail)));
    }
}

fn example(problem: Value) -> RefOr<utoipa::openapi::example::Example> {
    let summary = problem["code"].as_str().unwrap_or_default().to_owned();
    RefOr::T(
        ExampleBuilder::new()
            .summary(summary)
            .value(Some(problem))
            .build(),
    )
}

/// A problem body as [`crate::error::ApiError`] writes it.
fn problem(status: u16, code: &str, detail: &str) -> Value {
    let title = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut problem = json!({
        "type": format!("/problems/{code}"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    });
    if code == "validation_failed" {
        problem["errors"] = json!([{"field": "title", "message": "must be 3–120 characters"}]);
    }
    problem
}

impl Answer {
    fn content(&self) -> utoipa::openapi::Content {
        let mut content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build();
        for (code, detail) in self.codes {
            content.examples.insert(
                (*code).to_owned(),
                example(problem(self.status, code, detail)),
            );
        }
        content
    }

    fn response(&self) -> Response {
        let mut response = ResponseBuilder::new()
            .description(self.description)
            .content(PROBLEM_JSON, self.content());
        if self.retry_after {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    )
                    .description(Some("Seconds to wait before trying again"))
                    .build(),
            );
        }
        response.build()
    }

    /// A reference to the shared answer, or, where the route declares the
    /// status itself, the route's answer with the shared codes added.
    fn apply(&self, operation: &mut Operation) {
        let status = self.status.to_string();
        match operation.responses.responses.get_mut(&status) {
            None => {
                operation.responses.responses.insert(
                    status,
                    RefOr::Ref(Ref::new(format!("#/components/responses/{}", self.name))),
                );
            }
            Some(RefOr::T(own)) => {
                own.description = format!("{}; or {}", own.description, self.description);
                let shared = self.content();
                let content = own
                    .content
                    .entry(PROBLEM_JSON.to_owned())
                    .or_insert_with(|| shared.clone());
                for (name, example) in shared.examples {
                    content.examples.entry(name).or_insert(example);
                }
                if self.retry_after {
                    own.headers.extend(self.response().headers);
                }
            }
            Some(RefOr::Ref(_)) => {}
        }
    }
}
