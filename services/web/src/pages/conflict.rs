//! The page an edit meets when someone else saved the same thing first
//! (the API's 412 to `If-Match`): it says so, shows the version saved now
//! beside what this person typed, and offers to apply their changes on top
//! of the newer version. Nothing typed is lost, and nothing is overwritten
//! without the person seeing it.
//!
//! An edit form carries the version it was opened on (`version`) and that
//! version's fields (`was`, JSON): what the person changed is what differs
//! from `was`, and only that is applied on top, so a field they did not
//! touch keeps the other person's change.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::errors::PageError;
use super::render;
use crate::csrf::CsrfToken;
use crate::layout::Layout;
use crate::session::Viewer;

/// An edit form's fields, as typed.
pub trait Edited: Serialize + DeserializeOwned {
    /// Each editable field's label and value, in the form's order.
    fn labelled(&self) -> Vec<(&'static str, String)>;
}

/// The version an edit form was opened on, as its hidden `was` field
/// carries it; a form whose `was` does not read was tampered with.
pub fn read_was<T: Edited>(was: &str) -> Result<T, PageError> {
    serde_json::from_str(was).map_err(|_| PageError::Forbidden)
}

/// `fields` for an edit form's hidden `was`.
pub fn write_was<T: Edited>(fields: &T) -> String {
    serde_json::to_string(fields).unwrap_or_default()
}

#[derive(Debug)]
struct Row {
    label: &'static str,
    theirs: String,
    yours: String,
    /// This person changed this field: applying theirs on top changes it.
    changed: bool,
}

#[derive(Template)]
#[template(path = "conflict.html")]
struct ConflictPage {
    layout: Layout,
    /// "campaign" or "request".
    noun: &'static str,
    title: String,
    rows: Vec<Row>,
    action: String,
    csrf: String,
    /// The version saved now: applying on top is an edit of it.
    version: i32,
    was: String,
    /// What was typed, sent again as it was.
    typed: Vec<(String, String)>,
    edit_url: String,
}

/// What one conflict shows.
pub struct Conflict<'a, T> {
    pub noun: &'static str,
    /// The thing's title as saved now.
    pub title: String,
    /// Where the edit form posts.
    pub action: String,
    /// The edit page, for starting again from the saved version.
    pub edit_url: String,
    pub theirs: &'a T,
    pub theirs_version: i32,
    pub yours: &'a T,
    pub was: &'a T,
}

impl<T: Edited> Conflict<'_, T> {
    /// The conflict page (409).
    pub fn page(self, viewer: &Viewer, csrf: &CsrfToken) -> Response {
        let rows = self
            .theirs
            .labelled()
            .into_iter()
            .zip(self.yours.labelled())
            .zip(self.was.labelled())
            .map(|(((label, theirs), (_, yours)), (_, was))| Row {
                label,
                changed: yours.trim() != was.trim(),
                theirs,
                yours,
            })
            .collect();
        let typed = match serde_json::to_value(self.yours) {
            Ok(serde_json::Value::Object(fields)) => fields
                .into_iter()
                .filter_map(|(name, value)| Some((name, value.as_str()?.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        let page = ConflictPage {
            layout: Layout::new(viewer).with_csrf(csrf),
            noun: self.noun,
            title: self.title,
            rows,
            action: self.action,
            csrf: csrf.0.clone(),
            version: self.theirs_version,
            was: write_was(self.was),
            typed,
            edit_url: self.edit_url,
        };
        (StatusCode::CONFLICT, render(&page)).into_response()
    }
}
