//! Campaigns and requests over HTTP: owned, moderated resources that
//! campaign-service and request-service serve the same way, so their tests
//! make the same calls on different paths.

use serde_json::{json, Value};

use crate::{Person, TestClient, TestResponse};

/// One service's collection of owned resources (`/campaigns`, `/requests`).
#[derive(Debug, Clone, Copy)]
pub struct Collection<'a> {
    pub client: &'a TestClient,
    /// The collection's path: `/campaigns`.
    pub path: &'static str,
    /// A valid creation body; each call's overrides change it.
    pub defaults: fn() -> Value,
}

impl Collection<'_> {
    /// The valid creation body with `overrides` over it.
    pub fn body(&self, overrides: Value) -> Value {
        with_overrides((self.defaults)(), &overrides)
    }

    pub async fn create(&self, who: &Person, overrides: Value) -> TestResponse {
        self.client
            .post(self.path)
            .token(&who.token)
            .json(&self.body(overrides))
            .send()
            .await
    }

    /// Creates one and returns it.
    pub async fn created(&self, who: &Person, overrides: Value) -> Value {
        self.create(who, overrides).await.expect(201)
    }

    pub async fn get(&self, id: &Value, who: Option<&Person>) -> TestResponse {
        self.client
            .get(&self.one(id, ""))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
            .await
    }

    pub async fn patch(&self, id: &Value, who: &Person, body: Value) -> TestResponse {
        self.client
            .patch(&self.one(id, ""))
            .token(&who.token)
            .json(&body)
            .send()
            .await
    }

    /// Posts `{"status": status}` to the resource's `action` (`status`, `close`).
    pub async fn move_to(
        &self,
        id: &Value,
        who: &Person,
        action: &str,
        status: &str,
    ) -> TestResponse {
        self.client
            .post(&self.one(id, &format!("/{action}")))
            .token(&who.token)
            .json(&json!({ "status": status }))
            .send()
            .await
    }

    /// A page of the list, with `query` (`status=active&limit=2`).
    pub async fn list(&self, query: &str, who: Option<&Person>) -> Value {
        self.client
            .get(&format!("{}?{query}", self.path))
            .maybe_token(who.map(|p| p.token.as_str()))
            .send()
            .await
            .expect(200)
    }

    /// The ids of a list's items.
    pub async fn list_ids(&self, query: &str, who: Option<&Person>) -> Vec<String> {
        ids(&self.list(query, who).await)
    }

    /// The path of the resource `id`, and of `rest` below it.
    fn one(&self, id: &Value, rest: &str) -> String {
        format!("{}/{}{rest}", self.path, id.as_str().expect("id"))
    }
}

/// `body` with each field of `overrides` set over it.
pub fn with_overrides(mut body: Value, overrides: &Value) -> Value {
    if let (Some(body), Some(overrides)) = (body.as_object_mut(), overrides.as_object()) {
        for (k, v) in overrides {
            body.insert(k.clone(), v.clone());
        }
    }
    body
}

/// The ids of a page's items.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}
