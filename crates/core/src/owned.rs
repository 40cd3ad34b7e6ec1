//! What campaigns and requests share: a resource a person owns, staff
//! moderate, and writes change only at the version the writer saw.

use uuid::Uuid;

use crate::auth::Caller;
use crate::concurrency::{IfMatch, Versioned};
use crate::{ApiError, ApiResult};

/// A resource with an owner, which staff may manage too.
pub trait Owned: Versioned {
    /// Names it in refusals: "campaign", "request".
    const NOUN: &'static str;

    /// The person it belongs to.
    fn owner_id(&self) -> Uuid;

    /// Whether `caller` may see it at all. One they may not is a 404, as if
    /// it did not exist.
    fn is_visible_to(&self, caller: Option<&Caller>) -> bool;

    fn is_owned_by(&self, caller: &Caller) -> bool {
        caller.id == self.owner_id()
    }

    /// Its owner and staff manage it.
    fn may_be_managed_by(&self, caller: &Caller) -> bool {
        caller.is_staff() || self.is_owned_by(caller)
    }
}

/// Lets a write by `caller` go ahead on `found` (read and locked by the
/// writer's transaction): a 404 if they may not see it, a 403 if they may
/// see but not manage it, a 412 if `if_match` names another version.
pub fn for_write<T: Owned>(found: Option<T>, caller: &Caller, if_match: IfMatch) -> ApiResult<T> {
    let resource = found
        .filter(|r| r.is_visible_to(Some(caller)))
        .ok_or_else(ApiError::not_found)?;
    if !resource.may_be_managed_by(caller) {
        return Err(ApiError::forbidden(format!(
            "only the {}'s owner or staff may change it",
            T::NOUN
        )));
    }
    if_match.check(resource.version())?;
    Ok(resource)
}
