//! People's public display names, kept a short while: a campaign page names
//! its recent donors, and asking profile-service for each of them on every
//! page would make every page two rounds of calls instead of one.
//!
//! A name is public (anyone may read a profile), so it is asked as a
//! visitor, never with the viewer's token, and one viewer's answer may serve
//! every other. A changed name shows everywhere within [`FRESH_FOR`]. A
//! profile that does not exist is remembered as nameless for as long; a
//! service that did not answer is not remembered at all.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::future::join_all;
use uuid::Uuid;

use super::{Api, Failure};
use crate::kept::Kept;
use crate::session::Viewer;

/// How long a name is kept.
pub const FRESH_FOR: Duration = Duration::from_secs(30);
/// At most this many names are kept.
const KEPT_AT_MOST: usize = 10_000;

/// Names by person (none: no profile).
#[derive(Debug, Clone)]
pub struct Names(Kept<Uuid, Option<String>>);

impl Default for Names {
    fn default() -> Self {
        Self(Kept::new(FRESH_FOR, KEPT_AT_MOST))
    }
}

impl Api {
    /// The public display names of `ids` that have one; a person without a
    /// profile, or profile-service down, is left out (shown unnamed).
    pub async fn display_names(&self, ids: &[Uuid]) -> HashMap<Uuid, String> {
        let now = Instant::now();
        let mut names = HashMap::new();
        let mut missing = Vec::new();
        for &id in ids {
            match self.names.0.fresh(&id, now) {
                Some(Some(name)) => {
                    names.insert(id, name);
                }
                Some(None) => {}
                None if !missing.contains(&id) => missing.push(id),
                None => {}
            }
        }
        let asked = join_all(
            missing
                .into_iter()
                .map(|id| async move { (id, self.profile(id, &Viewer::Visitor).await) }),
        )
        .await;
        for (id, answer) in asked {
            match answer {
                Ok(profile) => {
                    self.names
                        .0
                        .keep(id, now, Some(profile.display_name.clone()));
                    names.insert(id, profile.display_name);
                }
                Err(Failure::NotFound) => self.names.0.keep(id, now, None),
                Err(_) => {}
            }
        }
        names
    }
}
