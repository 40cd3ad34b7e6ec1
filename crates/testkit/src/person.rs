use uuid::Uuid;

use crate::{staff_token, user_token};

/// Someone calling the APIs: a fresh id and a token that says it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub token: String,
}

impl Person {
    /// An ordinary user.
    pub fn user() -> Self {
        let id = Uuid::new_v4();
        Self {
            id,
            token: user_token(id),
        }
    }

    /// An admin.
    pub fn staff() -> Self {
        let id = Uuid::new_v4();
        Self {
            id,
            token: staff_token(id),
        }
    }
}
