//! Pledging items to a request: the pledge form's `POST`. The pledge is a
//! donation of kind `item`, and its page is the donation's
//! ([`super::give`]), with the same live status.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::PageError;
use super::form::Field;
use super::gift_form::{self, GiftForm};
use super::render;
use crate::api::donations::NewPledge;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;
use crate::AppState;

/// The API's limits.
const MAX_QUANTITY: i64 = 10_000;
const MAX_ITEM: usize = 500;
const MAX_MESSAGE: usize = 280;

#[derive(Debug, Deserialize)]
pub struct PledgeForm {
    csrf: String,
    key: String,
    quantity: String,
    item_description: String,
    anonymous: Option<String>,
    #[serde(default)]
    message: String,
}

/// What the pledge form shows, on the request page and on [`PledgePage`].
#[derive(Debug)]
pub struct PledgeFields {
    pub action: String,
    pub csrf: String,
    pub key: String,
    pub quantity: String,
    pub item_description: String,
    pub anonymous: bool,
    pub message: String,
}

impl PledgeFields {
    pub fn new(request_id: Uuid, csrf: &CsrfToken) -> Self {
        Self {
            action: format!("/requests/{request_id}/pledges"),
            csrf: csrf.0.clone(),
            key: Uuid::new_v4().to_string(),
            quantity: String::new(),
            item_description: String::new(),
            anonymous: false,
            message: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "pledge.html")]
struct PledgePage {
    layout: Layout,
    request_url: String,
    title: String,
    form: PledgeFields,
    errors: Vec<String>,
}

/// `POST /requests/{id}/pledges`.
pub async fn pledge(
    State(state): State<AppState>,
    viewer: Viewer,
    csrf: CsrfToken,
    Path(raw_id): Path<String>,
    Form(form): Form<PledgeForm>,
) -> Result<Response, PageError> {
    gift_form::submit(&state, &viewer, &csrf, &raw_id, &form).await
}

/// Items to a request: how many, and what they are.
impl GiftForm for PledgeForm {
    type Gift = NewPledge;
    const TARGET: &'static str = "requests";
    const GIFT: &'static str = "pledge";
    const NOT_ACCEPTED: &'static str =
        "The pledge was not accepted; check the quantity and the items.";
    const FIELDS: &'static [Field] = &[
        Field {
            api: "quantity",
            name: "quantity",
            label: "Quantity",
        },
        Field {
            api: "item_description",
            name: "item_description",
            label: "What you give",
        },
        Field {
            api: "message",
            name: "message",
            label: "Message",
        },
    ];

    fn csrf(&self) -> &str {
        &self.csrf
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn gift(&self, request_id: Uuid) -> Result<NewPledge, Vec<String>> {
        let item = self.item_description.trim();
        let message = self.message.trim();
        let quantity = self
            .quantity
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|q| (1..=MAX_QUANTITY).contains(q));
        let problems: Vec<String> = [
            quantity
                .is_none()
                .then(|| format!("Quantity: a whole number from 1 to {MAX_QUANTITY}.")),
            (item.is_empty() || item.chars().count() > MAX_ITEM)
                .then(|| format!("What you give: 1 to {MAX_ITEM} characters.")),
            (message.chars().count() > MAX_MESSAGE)
                .then(|| format!("Message: at most {MAX_MESSAGE} characters.")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let Some(quantity) = quantity.filter(|_| problems.is_empty()) else {
            return Err(problems);
        };
        Ok(NewPledge {
            kind: "item",
            request_id,
            quantity,
            item_description: item.to_owned(),
            anonymous: self.anonymous.is_some(),
            message: (!message.is_empty()).then(|| message.to_owned()),
        })
    }

    async fn again(
        &self,
        state: &AppState,
        viewer: &Viewer,
        csrf: &CsrfToken,
        request_id: Uuid,
        key: Uuid,
        errors: Vec<String>,
    ) -> Result<Response, PageError> {
        let request = state.api.request(request_id, viewer).await?;
        let page = PledgePage {
            layout: Layout::new(viewer).with_csrf(csrf),
            request_url: format!("/requests/{request_id}"),
            title: request.title,
            form: PledgeFields {
                key: key.to_string(),
                quantity: self.quantity.clone(),
                item_description: self.item_description.clone(),
                anonymous: self.anonymous.is_some(),
                message: self.message.clone(),
                ..PledgeFields::new(request_id, csrf)
            },
            errors,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
    }
}
