//! The plain words notifications are written in (docs/events.md, "Notifications").

pub use hearth_core::money::format_amount;

/// A title as the body quotes it: “Blankets”.
pub fn quoted(title: &str) -> String {
    format!("\u{201c}{title}\u{201d}")
}

/// "1 item", "3 items".
/// Who gave, as the recipient hears it: "Someone" unless the donor agreed to
/// be named; then their display name, or "A donor" before messaging knows it.
pub fn giver(anonymous: Option<bool>, name: Option<&str>) -> String {
    match (anonymous, name) {
        (Some(false), Some(name)) => name.to_owned(),
        (Some(false), None) => "A donor".to_owned(),
        (Some(true) | None, _) => "Someone".to_owned(),
    }
}

/// The donor to name, if the payload says who and that they may be named.
pub fn nameable(anonymous: Option<bool>, donor_id: Option<uuid::Uuid>) -> Option<uuid::Uuid> {
    donor_id.filter(|_| anonymous == Some(false))
}

pub fn items(quantity: i32) -> String {
    if quantity == 1 {
        "1 item".to_owned()
    } else {
        format!("{quantity} items")
    }
}

/// Why a donation was refused, in words that finish "…was not accepted: ".
/// The codes are campaign-service's and request-service's (docs/events.md);
/// a code we do not know yet still gets a sentence.
pub fn rejection(reason: &str) -> &'static str {
    match reason {
        "not_found" => "the campaign or request it was for does not exist",
        "not_active" => "the campaign is not taking donations right now",
        "ended" => "the campaign has ended",
        "currency_mismatch" => "the campaign takes donations in another currency",
        "self_donation" => "you cannot give to your own campaign or request",
        "donor_suspended" => "your account is suspended",
        "not_open" => "the request is no longer open",
        "quantity_exceeded" => "the request needs fewer items than you pledged",
        _ => "it could not be accepted",
    }
}

/// A title and body for a move of a `noun` ("campaign", "request") into or
/// out of `suspended`; `None` otherwise.
pub fn moderated(
    from: &str,
    to: &str,
    reason: Option<&str>,
    noun: &str,
    title: &str,
) -> Option<(String, String)> {
    let why = reason.map_or(String::new(), |r| {
        format!(" Reason: {}.", r.trim_end_matches('.'))
    });
    let title = quoted(title);
    match (from, to) {
        (_, "suspended") => Some((
            format!("Your {noun} was suspended"),
            format!("Staff suspended your {noun} {title}; it is hidden until they lift it.{why}"),
        )),
        ("suspended", to) => Some((
            format!("Your {noun} is back"),
            format!("Staff lifted the suspension of your {noun} {title}; it is {to} again.{why}"),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_code_has_its_own_words() {
        let codes = [
            "not_found",
            "not_active",
            "ended",
            "currency_mismatch",
            "self_donation",
            "donor_suspended",
            "not_open",
            "quantity_exceeded",
        ];
        let words: std::collections::HashSet<_> = codes.iter().map(|c| rejection(c)).collect();
        assert_eq!(words.len(), codes.len());
        assert!(!words.contains(rejection("something_new")));
    }

    #[test]
    fn quantities_agree_in_number() {
        assert_eq!(items(1), "1 item");
        assert_eq!(items(3), "3 items");
    }
}
