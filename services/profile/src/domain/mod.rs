//! profile-service's domain: profiles, who may rate whom, and reports.

mod profile;
mod rating;
mod report;

pub use profile::{Profile, ProfileStatus, PutProfile, ValidProfile};
pub use rating::{ratee_for, CreateRating, Exchange, NewRating, Rating, RatingView};
pub use report::{
    CreateReport, NewReport, Report, ReportAction, ReportReason, ReportStatus, Resolution,
    ResolveReport, TargetType, ValidResolution,
};
