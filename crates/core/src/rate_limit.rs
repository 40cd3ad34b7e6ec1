//! Per-person limits on writes: a signed-in caller's `POST`, `PUT`, `PATCH`
//! and `DELETE` beyond the limit answer 429 `rate_limited` with `Retry-After`.
//!
//! The count is kept in memory, per instance: with N instances behind a load
//! balancer a person may write up to N times the limit. That is enough to stop
//! one account from flooding the platform, which is what it is for; an exact
//! cross-instance count would cost a database round trip on every write.
//!
//! Reads are not limited (anonymous readers have no stable key, and a read
//! changes nothing). Service tokens are not limited: they are Hearth's own
//! processes and operators, whose bursts (a backfill, a replay) are deliberate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::auth::CallerKind;
pub use crate::config::{Rate, WriteLimit};
use crate::error::ApiError;

/// The writes each person has made recently, as one "theoretical arrival
/// time" each (GCRA): each write moves a person's time one interval on, and
/// a person whose time runs `burst` intervals or more ahead of now must wait.
#[derive(Debug, Clone)]
pub struct WriteLimiter {
    /// The time one write adds.
    interval: Duration,
    /// How far ahead of now a person's time may run.
    tolerance: Duration,
    people: Arc<Mutex<People>>,
}

#[derive(Debug, Default)]
struct People {
    due: HashMap<Uuid, Instant>,
    /// Above this many entries, those that have caught up with now are
    /// forgotten: memory stays bounded by the people who wrote recently.
    sweep_above: usize,
}

const FIRST_SWEEP_ABOVE: usize = 4096;

impl WriteLimiter {
    /// `None` when the limit is off.
    pub fn new(limit: WriteLimit) -> Option<Self> {
        let WriteLimit::On { count, per, burst } = limit else {
            return None;
        };
        let interval = per / count.get();
        Some(Self {
            interval,
            // `burst` writes at once: the first at now, the last `burst - 1`
            // intervals ahead.
            tolerance: interval * (burst.get() - 1),
            people: Arc::new(Mutex::new(People {
                due: HashMap::new(),
                sweep_above: FIRST_SWEEP_ABOVE,
            })),
        })
    }

    /// Counts one write by `person` at `now`: `Err` holds how long they must wait.
    pub fn admit(&self, person: Uuid, now: Instant) -> Result<(), Duration> {
        let mut people = self
            .people
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = people.due.get(&person).copied().unwrap_or(now).max(now);
        let allowed_from = due.checked_sub(self.tolerance).unwrap_or(now);
        if now < allowed_from {
            return Err(allowed_from - now);
        }
        people.due.insert(person, due + self.interval);
        if people.due.len() > people.sweep_above {
            people.due.retain(|_, due| *due > now);
            people.sweep_above = (people.due.len() * 2).max(FIRST_SWEEP_ABOVE);
        }
        Ok(())
    }
}

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Answers 429 to a person's write beyond their limit. Runs outside the
/// idempotency layer, so a refusal is never stored as a key's answer.
pub async fn limit_writes(
    State(limiter): State<WriteLimiter>,
    mut request: Request,
    next: Next,
) -> Response {
    if is_write(request.method()) {
        let caller = crate::auth::signed_in(&mut request).await;
        let person = caller.filter(|c| !matches!(c.kind, CallerKind::Service));
        if let Some(person) = person {
            if let Err(wait) = limiter.admit(person.id, Instant::now()) {
                tracing::info!(person = %person.id, ?wait, "write rate limited");
                return ApiError::rate_limited(whole_seconds(wait)).into_response();
            }
        }
    }
    next.run(request).await
}

/// `Retry-After` counts whole seconds; rounding down would invite a retry
/// that is refused again.
fn whole_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs();
    if wait.subsec_nanos() > 0 || seconds == 0 {
        seconds + 1
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn limiter(rate: &str, burst: u32) -> WriteLimiter {
        let burst = NonZeroU32::new(burst).expect("burst");
        WriteLimiter::new(WriteLimit::new(rate.parse().expect("rate"), burst)).expect("on")
    }

    #[test]
    fn rates_parse() {
        assert_eq!("off".parse::<Rate>(), Ok(Rate::Off));
        let Ok(Rate::Every { count, per }) = "600/min".parse::<Rate>() else {
            panic!("600/min");
        };
        assert_eq!((count.get(), per), (600, Duration::from_secs(60)));
        for bad in ["", "600", "0/min", "-1/s", "ten/s", "10/day", "10/"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = limiter("60/min", 3);
        let person = Uuid::new_v4();
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.admit(person, start), Ok(()));
        }
        let wait = limiter.admit(person, start).expect_err("over the burst");
        assert_eq!(wait, Duration::from_secs(1));
        assert_eq!(whole_seconds(wait), 1);
        // One interval later, one more fits, and only one.
        let later = start + Duration::from_secs(1);
        assert_eq!(limiter.admit(person, later), Ok(()));
        assert!(limiter.admit(person, later).is_err());
        // Someone else is not affected.
        assert_eq!(limiter.admit(Uuid::new_v4(), later), Ok(()));
    }

    #[test]
    fn people_who_caught_up_are_forgotten() {
        let limiter = limiter("10/s", 1);
        let start = Instant::now();
        for _ in 0..FIRST_SWEEP_ABOVE {
            limiter.admit(Uuid::new_v4(), start).expect("first write");
        }
        limiter
            .admit(Uuid::new_v4(), start + Duration::from_secs(1))
            .expect("first write");
        let people = limiter.people.lock().expect("lock");
        assert_eq!(people.due.len(), 1);
    }
}
