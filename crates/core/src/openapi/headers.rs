//! The request headers with rules of their own, declared once: every `POST`
//! honours `Idempotency-Key` (the idempotency layer sits in front of every
//! service's routes, [`crate::idempotency`]), and a route that reads
//! `If-Match` ([`crate::concurrency::IfMatch`]) declares it by name and gets
//! its rule here.

use axum::http::Method;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{OpenApi, Required};
use utoipa::Modify;

use crate::openapi::operations_mut;
use crate::{concurrency, idempotency};

/// Adds `Idempotency-Key` to every `POST` and states the rule of `If-Match`
/// wherever a route declares it.
#[derive(Debug)]
pub struct HeaderRules;

impl Modify for HeaderRules {
    fn modify(&self, openapi: &mut OpenApi) {
        for (_, method, operation) in operations_mut(openapi) {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            parameters.retain(|p| !is_header(p, "Idempotency-Key"));
            if method == Method::POST {
                parameters.push(idempotency_key());
            }
            for parameter in parameters.iter_mut().filter(|p| is_header(p, "If-Match")) {
                *parameter = if_match();
            }
            if parameters.is_empty() {
                operation.parameters = None;
            }
        }
    }
}

fn is_header(parameter: &Parameter, name: &str) -> bool {
    parameter.parameter_in == ParameterIn::Header && parameter.name.eq_ignore_ascii_case(name)
}

fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "1–255 visible ASCII characters, such as a UUID. Sent again by the same person \
             with the same body, returns the first answer without a second effect (after a \
             crash that lost the answer, the created resource as it reads now); with another \
             body, 422 `idempotency_key_reused`. Kept 24 h. Not one of these characters: 400 \
             `bad_query`.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(idempotency::KEY_PATTERN))
                .max_length(Some(idempotency::KEY_MAX_BYTES))
                .examples([serde_json::json!("4b0e9c52-61f3-4a7e-9d43-2f1c8a3e7b10")]),
        ))
        .build()
}

fn if_match() -> Parameter {
    ParameterBuilder::new()
        .name("If-Match")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "`\"<version>\"` (the `ETag` of a read; `W/\"<version>\"` means the same) to apply \
             only to that version, 412 `version_mismatch` when the resource has changed; `*` or \
             no header, whatever the version. Anything else: 400 `bad_query`.",
        ))
        .schema(Some(
            // `*`, or a version: two schemas rather than one pattern with
            // an alternation, which tools generate values for more reliably.
            AnyOfBuilder::new()
                .schema_type(Type::String)
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["*"])),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(concurrency::IF_MATCH_VERSION_PATTERN)),
                )
                .examples([serde_json::json!("\"3\"")]),
        ))
        .build()
}
