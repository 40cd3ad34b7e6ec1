//! What was wrong with a form as sent, field by field, for its template to
//! show beside each field, and what belongs to no field above the form. The
//! site's own checks and the API's 422 `errors[]` land in the same place, so
//! a form reads the same whichever side found the problem.

use super::errors::PageError;
use crate::api::{FieldError, Refused};

/// One field of a form: the API's name for it, the form's, and its label.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// `goal_minor`, as the API names it in `errors[]`.
    pub api: &'static str,
    /// `goal`, the form control's `name` and `id`.
    pub name: &'static str,
    /// "Goal", as the label reads.
    pub label: &'static str,
}

// The fields a campaign's form and a request's share, named alike by both APIs.
pub const TITLE: Field = Field {
    api: "title",
    name: "title",
    label: "Title",
};
pub const DESCRIPTION: Field = Field {
    api: "description",
    name: "description",
    label: "Description",
};
pub const CATEGORY: Field = Field {
    api: "category",
    name: "category",
    label: "Category",
};
pub const IMAGE_URL: Field = Field {
    api: "image_url",
    name: "image_url",
    label: "Image URL",
};

/// A form's problems: none when it was accepted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems {
    /// By the form's field name; one message each (the first found).
    fields: Vec<(&'static str, String)>,
    /// Those no field owns: a refusal of the whole form.
    above: Vec<String>,
}

impl Problems {
    /// `field`'s problem, in a sentence that names it: "Title: must be
    /// 3–120 characters."
    pub fn field(&mut self, field: &Field, problem: &str) {
        if self.get(field.name).is_none() {
            self.fields
                .push((field.name, format!("{}: {problem}.", field.label)));
        }
    }

    /// A problem of the whole form, as said.
    pub fn above(&mut self, message: impl Into<String>) {
        self.above.push(message.into());
    }

    /// The API's 422 `errors[]`, each beside its field among `fields`; one
    /// the form has no field for goes above it, under the API's name.
    pub fn add_api(&mut self, errors: &[FieldError], fields: &[Field], otherwise: &str) {
        if errors.is_empty() {
            self.above(otherwise);
        }
        for error in errors {
            match fields.iter().find(|f| f.api == error.field) {
                Some(field) => self.field(field, &error.message),
                None => self.above(format!("{}: {}.", error.field, error.message)),
            }
        }
    }

    /// A write's refusal as its form shows it: the API's 422 `errors[]`
    /// beside `fields` (`otherwise` when it named none), a 409's reason
    /// above the form. Anything else is the page's error; a 412 is the
    /// caller's to handle first, as only an edit meets it.
    pub fn of_refusal(
        refused: Refused,
        fields: &[Field],
        otherwise: &str,
    ) -> Result<Self, PageError> {
        let mut problems = Self::default();
        match refused {
            Refused::Invalid(errors) => problems.add_api(&errors, fields, otherwise),
            Refused::Conflict(detail) if detail.is_empty() => problems.above(otherwise),
            Refused::Conflict(detail) | Refused::NotEligible(detail) => problems.above(detail),
            Refused::Stale => return Err(PageError::Internal),
            Refused::Failed(failure) => return Err(failure.into()),
        }
        Ok(problems)
    }

    /// The problem of the field named `name`, for the template.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, message)| message.as_str())
    }

    /// The problems of the whole form.
    pub fn general(&self) -> &[String] {
        &self.above
    }

    /// Every problem, the fields' first, for a form that lists them all
    /// above it (the give forms).
    pub fn messages(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|(_, message)| message.clone())
            .chain(self.above.iter().cloned())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.above.is_empty()
    }
}

/// `Some` of a trimmed text, `None` when nothing was typed.
pub fn optional(typed: &str) -> Option<String> {
    let typed = typed.trim();
    (!typed.is_empty()).then(|| typed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOAL: Field = Field {
        api: "goal_minor",
        name: "goal",
        label: "Goal",
    };

    #[test]
    fn the_apis_errors_go_beside_their_fields_in_the_forms_words() {
        let mut problems = Problems::default();
        problems.add_api(
            &[
                FieldError {
                    field: "goal_minor".into(),
                    message: "must be between 1 and 1000000000000".into(),
                },
                FieldError {
                    field: "recipient_id".into(),
                    message: "is not yours".into(),
                },
            ],
            &[TITLE, GOAL],
            "not accepted",
        );
        assert_eq!(
            problems.get("goal"),
            Some("Goal: must be between 1 and 1000000000000.")
        );
        assert_eq!(problems.get("title"), None);
        assert_eq!(problems.general(), ["recipient_id: is not yours."]);
    }

    #[test]
    fn a_refusal_without_errors_is_said_above_the_form() {
        let mut problems = Problems::default();
        problems.add_api(&[], &[TITLE], "The campaign was not accepted.");
        assert_eq!(problems.general(), ["The campaign was not accepted."]);
        assert!(!problems.is_empty());
    }

    #[test]
    fn the_first_problem_of_a_field_is_kept() {
        let mut problems = Problems::default();
        problems.field(&TITLE, "is required");
        problems.field(&TITLE, "must be 3–120 characters");
        assert_eq!(problems.get("title"), Some("Title: is required."));
    }
}
