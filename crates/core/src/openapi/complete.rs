//! Answers are complete: every field of a resource a service answers with is
//! always there, `null` when it has no value (no answer skips a field but a
//! problem's `errors`). utoipa marks an `Option` field optional, which
//! is right for a request body and too loose for an answer: a generated
//! client would have to allow for a field that never goes missing.

use std::collections::BTreeSet;

use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::Modify;

use crate::openapi::operations_mut;

/// The one answer with a field left out when empty (`errors`).
const SKIPS_FIELDS: &[&str] = &["Problem", "FieldError"];

/// Marks every property required in the schemas only answers use.
#[derive(Debug)]
pub struct CompleteAnswers;

impl Modify for CompleteAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut answers = BTreeSet::new();
        let mut requests = BTreeSet::new();
        for (_, _, operation) in operations_mut(openapi) {
            for response in operation.responses.responses.values() {
                refs_in(&to_value(response), &mut answers);
            }
            if let Some(body) = &operation.request_body {
                refs_in(&to_value(body), &mut requests);
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let schemas = &mut components.schemas;
        for names in [&mut answers, &mut requests] {
            // The schemas these use, and the ones those use, to the end.
            loop {
                let before = names.len();
                for name in names.clone() {
                    if let Some(schema) = schemas.get(&name) {
                        refs_in(&to_value(schema), names);
                    }
                }
                if names.len() == before {
                    break;
                }
            }
        }
        for name in answers.difference(&requests) {
            if SKIPS_FIELDS.contains(&name.as_str()) {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(name) {
                object.required = object.properties.keys().cloned().collect();
            }
        }
    }
}

fn to_value(item: &impl serde::Serialize) -> Value {
    serde_json::to_value(item).unwrap_or_default()
}

/// The component names `value` refers to (`#/components/schemas/<name>`).
fn refs_in(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::String(target)) = fields.get("$ref") {
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    names.insert(name.to_owned());
                }
            }
            fields.values().for_each(|v| refs_in(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, names)),
        _ => {}
    }
}
