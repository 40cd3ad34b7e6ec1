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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use uuid::Uuid;

use super::{Api, Failure};
use crate::session::Viewer;

/// How long a name is kept.
pub const FRESH_FOR: Duration = Duration::from_secs(30);
/// At most this many names are kept; a full cache starts again empty (it
/// refills from the pages being read, and the bound keeps memory fixed).
const KEPT_AT_MOST: usize = 10_000;

/// A person's name (none: no profile), and when it was asked.
type Kept = (Instant, Option<String>);

/// Names by person. Cheap to clone: shared.
#[derive(Debug, Clone, Default)]
pub struct Names(Arc<Mutex<HashMap<Uuid, Kept>>>);

impl Names {
    fn fresh(&self, id: Uuid, now: Instant) -> Option<Option<String>> {
        let kept = self.0.lock().expect("names lock");
        kept.get(&id)
            .filter(|(asked, _)| now.duration_since(*asked) < FRESH_FOR)
            .map(|(_, name)| name.clone())
    }

    fn keep(&self, id: Uuid, asked: Instant, name: Option<String>) {
        let mut kept = self.0.lock().expect("names lock");
        if kept.len() >= KEPT_AT_MOST && !kept.contains_key(&id) {
            kept.clear();
        }
        kept.insert(id, (asked, name));
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
            match self.names.fresh(id, now) {
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
                    self.names.keep(id, now, Some(profile.display_name.clone()));
                    names.insert(id, profile.display_name);
                }
                Err(Failure::NotFound) => self.names.keep(id, now, None),
                Err(_) => {}
            }
        }
        names
    }
}
