//! One legacy `public.campaigns` row → one `campaign.campaigns` row.
//!
//! Pure: no database, so every currency kind, status word and bad-row
//! reason is tested here. A row either maps whole or is refused with a
//! reason; nothing is ever half-copied. The one exception is the picture:
//! a legacy `image_url` that is not a safe https link is left out and the
//! row copied without it ([`dropped_image`]), because a campaign without a
//! picture is still whole and the link could never be shown.

use campaign_service::domain::Status;
use chrono::{DateTime, Utc};
use hearth_core::image_url::ImageUrl;
use hearth_core::money::Currency;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The longest title campaign-service accepts (its table's check).
const MAX_TITLE_CHARS: usize = 200;

/// A row of the legacy table, as read. Amounts arrive as PostgreSQL's own
/// decimal text so that no float ever touches money.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LegacyCampaign {
    pub id: Uuid,
    pub recipient_id: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    pub goal_amount: Option<String>,
    pub raised_amount: String,
    pub currency: String,
    pub status: String,
    pub category: Option<String>,
    pub image_url: Option<String>,
    pub end_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A mapped row is campaign-service's [`CopiedCampaign`]: the legacy
/// `raised_amount` becomes its opening balance, a blank or unsafe image link
/// none (`ImageUrl`'s normal form otherwise), and a missing `updated_at` the
/// `created_at`.
pub use campaign_service::domain::CopiedCampaign as MappedCampaign;

/// Why a legacy row cannot be copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadRow {
    UnknownCurrency(String),
    MissingGoal,
    GoalNotPositive(String),
    NegativeRaised(String),
    TooManyDecimals {
        field: &'static str,
        amount: String,
        currency: &'static str,
    },
    NotAnAmount {
        field: &'static str,
        amount: String,
    },
    EmptyTitle,
    TitleTooLong(usize),
    UnknownStatus(String),
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadRow::UnknownCurrency(c) => write!(f, "unknown currency {c:?}"),
            BadRow::MissingGoal => f.write_str("missing goal_amount"),
            BadRow::GoalNotPositive(a) => write!(f, "goal_amount {a} is not positive"),
            BadRow::NegativeRaised(a) => write!(f, "raised_amount {a} is negative"),
            BadRow::TooManyDecimals {
                field,
                amount,
                currency,
            } => write!(
                f,
                "{field} {amount} has more decimals than {currency} has minor units"
            ),
            BadRow::NotAnAmount { field, amount } => {
                write!(f, "{field} {amount:?} is not an amount")
            }
            BadRow::EmptyTitle => f.write_str("empty title"),
            BadRow::TitleTooLong(n) => {
                write!(f, "title of {n} characters (at most {MAX_TITLE_CHARS})")
            }
            BadRow::UnknownStatus(s) => write!(f, "unknown status {s:?}"),
        }
    }
}

/// Maps one legacy row, or says why it cannot be mapped. The first problem
/// found is the reason given.
pub fn map(row: &LegacyCampaign) -> Result<MappedCampaign, BadRow> {
    let currency = currency(&row.currency)?;
    let goal_text = row.goal_amount.as_deref().ok_or(BadRow::MissingGoal)?;
    let goal_minor = minor_units("goal_amount", goal_text, currency)?;
    if goal_minor <= 0 {
        return Err(BadRow::GoalNotPositive(goal_text.to_owned()));
    }
    let opening_minor = minor_units("raised_amount", &row.raised_amount, currency)?;
    if opening_minor < 0 {
        return Err(BadRow::NegativeRaised(row.raised_amount.clone()));
    }
    Ok(MappedCampaign {
        id: row.id,
        recipient_id: row.recipient_id,
        title: title(row.title.as_deref())?,
        description: row.description.clone(),
        category: row.category.clone(),
        goal_minor,
        opening_minor,
        currency: currency.code().to_owned(),
        status: status(&row.status)?,
        ends_at: row.end_date,
        image_url: image(row.image_url.as_deref()).ok().flatten(),
        created_at: row.created_at,
        updated_at: row.updated_at.unwrap_or(row.created_at),
    })
}

/// The legacy link, read leniently: surrounding spaces trimmed, a blank one
/// is no picture. Anything else must be what the API accepts.
fn image(raw: Option<&str>) -> Result<Option<ImageUrl>, String> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    ImageUrl::parse(raw)
        .map(Some)
        .map_err(|why| format!("image_url {raw:?} left out: {why}"))
}

/// Why the row's legacy `image_url` is not carried over, when it is not:
/// the copy reports it and copies the campaign without a picture.
pub fn dropped_image(row: &LegacyCampaign) -> Option<String> {
    image(row.image_url.as_deref()).err()
}

/// Legacy codes were typed by hand: `usd ` is USD; `XYZ` is refused.
fn currency(raw: &str) -> Result<Currency, BadRow> {
    Currency::parse(&raw.trim().to_ascii_uppercase())
        .ok_or_else(|| BadRow::UnknownCurrency(raw.to_owned()))
}

/// The legacy status words onto campaign-service's state machine.
pub fn status(raw: &str) -> Result<Status, BadRow> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "active" => Ok(Status::Active),
        "completed" | "ended" => Ok(Status::Completed),
        "cancelled" | "canceled" => Ok(Status::Cancelled),
        "draft" => Ok(Status::Draft),
        "paused" => Ok(Status::Paused),
        _ => Err(BadRow::UnknownStatus(raw.to_owned())),
    }
}

/// The title is kept as written; only a blank one or one too long is refused.
fn title(raw: Option<&str>) -> Result<String, BadRow> {
    let title = raw.unwrap_or_default();
    if title.trim().is_empty() {
        return Err(BadRow::EmptyTitle);
    }
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(BadRow::TitleTooLong(chars));
    }
    Ok(title.to_owned())
}

/// `"250.00"` USD → 25000; `"1000.00"` JPY → 1000; `"1000.50"` JPY is refused:
/// rounding money away is never the copy's decision to make.
pub fn minor_units(field: &'static str, amount: &str, currency: Currency) -> Result<i64, BadRow> {
    let not_an_amount = || BadRow::NotAnAmount {
        field,
        amount: amount.to_owned(),
    };
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_an_amount());
    }
    let fraction = fraction.trim_end_matches('0');
    let exponent = currency.exponent() as usize;
    if fraction.len() > exponent {
        return Err(BadRow::TooManyDecimals {
            field,
            amount: amount.to_owned(),
            currency: currency.code(),
        });
    }
    let scaled = format!("{whole}{fraction:0<exponent$}");
    let minor: i64 = scaled.parse().map_err(|_| not_an_amount())?;
    Ok(if negative { -minor } else { minor })
}

/// A null is not the empty string.
fn optional(s: Option<&str>) -> &[u8] {
    s.map(str::as_bytes).unwrap_or(b"\0null")
}

/// What "differs" and "verify" compare: the fields that come from the legacy
/// row, not the counters campaign-service moves on its own afterwards
/// (`raised_minor`, `donor_count`, `version`, …), nor `updated_at`, which it
/// moves with every change.
pub trait Compare {
    /// A digest of every mapped field, the same on both sides of `--verify`.
    fn checksum(&self) -> [u8; 32];
    /// The names of the fields in which `self` and `other` differ.
    fn differing_fields(&self, other: &Self) -> Vec<&'static str>;
}

impl Compare for MappedCampaign {
    fn checksum(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        let mut field = |bytes: &[u8]| {
            // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        field(self.id.as_bytes());
        field(self.recipient_id.as_bytes());
        field(self.title.as_bytes());
        field(optional(self.description.as_deref()));
        field(optional(self.category.as_deref()));
        field(&self.goal_minor.to_le_bytes());
        field(&self.opening_minor.to_le_bytes());
        field(self.currency.as_bytes());
        field(self.status.as_str().as_bytes());
        field(
            &self
                .ends_at
                .map_or(i64::MIN, |t| t.timestamp_micros())
                .to_le_bytes(),
        );
        field(optional(self.image_url.as_ref().map(ImageUrl::as_str)));
        field(&self.created_at.timestamp_micros().to_le_bytes());
        hash.finalize().into()
    }

    fn differing_fields(&self, other: &MappedCampaign) -> Vec<&'static str> {
        let checks = [
            ("recipient_id", self.recipient_id == other.recipient_id),
            ("title", self.title == other.title),
            ("description", self.description == other.description),
            ("category", self.category == other.category),
            ("goal_minor", self.goal_minor == other.goal_minor),
            ("opening_minor", self.opening_minor == other.opening_minor),
            ("currency", self.currency == other.currency),
            ("status", self.status == other.status),
            ("ends_at", self.ends_at == other.ends_at),
            ("image_url", self.image_url == other.image_url),
            ("created_at", self.created_at == other.created_at),
        ];
        checks
            .into_iter()
            .filter(|(_, same)| !same)
            .map(|(name, _)| name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy(currency: &str, goal: &str, raised: &str, status: &str) -> LegacyCampaign {
        LegacyCampaign {
            id: Uuid::new_v4(),
            recipient_id: Uuid::new_v4(),
            title: Some("Blankets for the shelter".into()),
            description: Some("Winter is coming".into()),
            goal_amount: Some(goal.into()),
            raised_amount: raised.into(),
            currency: currency.into(),
            status: status.into(),
            category: Some("community".into()),
            image_url: None,
            end_date: None,
            created_at: Utc::now(),
            updated_at: None,
        }
    }

    fn reason(row: &LegacyCampaign) -> BadRow {
        map(row).expect_err("a bad row")
    }

    #[test]
    fn two_decimal_currencies_become_cents() {
        for code in ["USD", "EUR", "GBP", "CAD"] {
            let mapped = map(&legacy(code, "250.00", "12.34", "active")).expect("maps");
            assert_eq!(mapped.goal_minor, 25_000, "{code}");
            assert_eq!(mapped.opening_minor, 1_234, "{code}");
            assert_eq!(mapped.currency, code);
        }
        let mapped = map(&legacy("USD", "0.05", "0", "active")).expect("maps");
        assert_eq!((mapped.goal_minor, mapped.opening_minor), (5, 0));
    }

    #[test]
    fn zero_decimal_currencies_keep_whole_units() {
        let mapped = map(&legacy("JPY", "5000.00", "120.00", "active")).expect("maps");
        assert_eq!((mapped.goal_minor, mapped.opening_minor), (5_000, 120));
        assert_eq!(
            reason(&legacy("JPY", "5000.50", "0.00", "active")),
            BadRow::TooManyDecimals {
                field: "goal_amount",
                amount: "5000.50".into(),
                currency: "JPY"
            }
        );
        assert!(matches!(
            reason(&legacy("JPY", "5000", "0.10", "active")),
            BadRow::TooManyDecimals {
                field: "raised_amount",
                ..
            }
        ));
    }

    #[test]
    fn hand_typed_currency_codes_are_read_leniently() {
        assert_eq!(
            map(&legacy(" usd", "1.00", "0", "active"))
                .expect("maps")
                .currency,
            "USD"
        );
    }

    #[test]
    fn every_legacy_status_word_has_its_place_in_the_state_machine() {
        for (word, mapped) in [
            ("active", "active"),
            ("Active", "active"),
            ("ACTIVE ", "active"),
            ("completed", "completed"),
            ("ended", "completed"),
            ("cancelled", "cancelled"),
            ("canceled", "cancelled"),
            ("draft", "draft"),
            ("paused", "paused"),
        ] {
            let row = map(&legacy("USD", "1.00", "0", word)).expect("maps");
            assert_eq!(row.status.as_str(), mapped, "{word}");
        }
        assert_eq!(
            reason(&legacy("USD", "1.00", "0", "archived")),
            BadRow::UnknownStatus("archived".into())
        );
        assert_eq!(
            reason(&legacy("USD", "1.00", "0", "suspended")),
            BadRow::UnknownStatus("suspended".into())
        );
    }

    #[test]
    fn each_kind_of_bad_row_is_named() {
        let mut no_goal = legacy("USD", "1.00", "0", "active");
        no_goal.goal_amount = None;
        let mut no_title = legacy("USD", "1.00", "0", "active");
        no_title.title = None;
        let mut blank_title = legacy("USD", "1.00", "0", "active");
        blank_title.title = Some("   ".into());
        let mut long_title = legacy("USD", "1.00", "0", "active");
        long_title.title = Some("x".repeat(201));
        let cases = [
            (
                legacy("XYZ", "1.00", "0", "active"),
                "unknown currency \"XYZ\"",
            ),
            (no_goal, "missing goal_amount"),
            (
                legacy("USD", "-5.00", "0", "active"),
                "goal_amount -5.00 is not positive",
            ),
            (
                legacy("USD", "0.00", "0", "active"),
                "goal_amount 0.00 is not positive",
            ),
            (
                legacy("USD", "1.00", "-1.00", "active"),
                "raised_amount -1.00 is negative",
            ),
            (
                legacy("USD", "1.005", "0", "active"),
                "goal_amount 1.005 has more decimals than USD has minor units",
            ),
            (no_title, "empty title"),
            (blank_title, "empty title"),
            (long_title, "title of 201 characters (at most 200)"),
            (
                legacy("USD", "1.00", "0", "gone"),
                "unknown status \"gone\"",
            ),
        ];
        for (row, expected) in cases {
            assert_eq!(reason(&row).to_string(), expected);
        }
    }

    #[test]
    fn the_other_columns_are_carried_over() {
        let mut row = legacy("EUR", "10.00", "1.00", "draft");
        row.end_date = Some(Utc::now());
        let mapped = map(&row).expect("maps");
        assert_eq!(mapped.id, row.id);
        assert_eq!(mapped.recipient_id, row.recipient_id);
        assert_eq!(mapped.ends_at, row.end_date);
        assert_eq!(mapped.created_at, row.created_at);
        assert_eq!(mapped.description, row.description);
        assert_eq!(mapped.category, row.category);
    }

    #[test]
    fn a_safe_legacy_image_is_carried_in_its_normal_form() {
        let mut row = legacy("USD", "10.00", "0", "active");
        row.image_url = Some(" https://Images.example.org/blankets.jpg ".into());
        let mapped = map(&row).expect("maps");
        assert_eq!(
            mapped.image_url.as_ref().map(ImageUrl::as_str),
            Some("https://images.example.org/blankets.jpg")
        );
        assert_eq!(dropped_image(&row), None);
        for blank in [None, Some(""), Some("   ")] {
            row.image_url = blank.map(Into::into);
            assert_eq!(map(&row).expect("maps").image_url, None, "{blank:?}");
            assert_eq!(dropped_image(&row), None, "a blank link is no picture");
        }
    }

    #[test]
    fn an_unsafe_legacy_image_is_left_out_and_the_campaign_still_maps() {
        let mut row = legacy("USD", "10.00", "0", "active");
        for (link, why) in [
            ("http://images.example.org/a.jpg", "must be an https URL"),
            ("javascript:alert(1)", "must be an https URL"),
            ("blankets.jpg", "must be an absolute https URL"),
            ("https://example.org/a b.jpg", "must not contain spaces"),
        ] {
            row.image_url = Some(link.into());
            let mapped = map(&row).expect("the campaign maps without its picture");
            assert_eq!(mapped.image_url, None, "{link}");
            let note = dropped_image(&row).expect("the dropped image is told");
            assert!(note.contains(link) && note.contains(why), "{note}");
        }
    }

    #[test]
    fn the_checksum_sees_every_mapped_field() {
        let a = map(&legacy("USD", "10.00", "1.00", "active")).expect("maps");
        assert_eq!(a.checksum(), a.clone().checksum());
        let mut b = a.clone();
        b.description = None;
        assert_ne!(a.checksum(), b.checksum());
        assert_eq!(a.differing_fields(&b), vec!["description"]);
        let mut c = a.clone();
        c.opening_minor += 1;
        c.status = Status::Paused;
        assert_ne!(a.checksum(), c.checksum());
        assert_eq!(a.differing_fields(&c), vec!["opening_minor", "status"]);
        let mut d = a.clone();
        d.image_url = ImageUrl::parse("https://example.org/a.jpg").ok();
        assert_ne!(a.checksum(), d.checksum());
        assert_eq!(a.differing_fields(&d), vec!["image_url"]);
    }
}
