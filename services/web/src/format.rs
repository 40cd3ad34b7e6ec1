//! How numbers and times read on the site: amounts in their currency,
//! progress as a share, times relative to now.

use chrono::{DateTime, Utc};

/// "25.00 USD", "1,500 JPY": minor units shown with the currency's exponent.
pub fn money(amount_minor: i64, currency: &str) -> String {
    hearth_core::money::format_amount(amount_minor, currency)
}

/// An amount as a person types it ("25", "25.50", "1,500") in minor units
/// of `currency`: no more decimals than the currency has, above zero.
pub fn parse_amount(typed: &str, currency: &str) -> Result<i64, &'static str> {
    let Some(currency) = hearth_core::money::Currency::parse(currency) else {
        return Err("this currency is not supported");
    };
    let exponent = currency.exponent();
    let cleaned: String = typed.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || (!fraction.is_empty() && !digits(fraction))
        || cleaned.ends_with('.') && exponent == 0
    {
        return Err("enter an amount such as 25 or 25.50");
    }
    if fraction.len() > exponent as usize {
        return Err(if exponent == 0 {
            "this currency has no decimals"
        } else {
            "too many decimals for this currency"
        });
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = whole.parse().map_err(|_| "that amount is too large")?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        padded
            .parse()
            .map_err(|_| "enter an amount such as 25 or 25.50")?
    };
    let minor = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or("that amount is too large")?;
    if minor <= 0 {
        return Err("the amount must be more than zero");
    }
    Ok(minor)
}

/// An amount as a form shows it to be edited: "1,500.00", no currency
/// (the form names it), read back by [`parse_amount`].
pub fn amount_typed(amount_minor: i64, currency: &str) -> String {
    let shown = money(amount_minor, currency);
    match shown.strip_suffix(currency) {
        Some(number) => number.trim_end().to_owned(),
        None => shown,
    }
}

/// The day a form's date field shows for a deadline: the deadline is the
/// end of that day, UTC, so the day is the one just before it.
pub fn day_of(deadline: DateTime<Utc>) -> String {
    (deadline - chrono::Duration::seconds(1))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// A date field ("2027-03-31") as a deadline: the end of that day, UTC.
/// Nothing typed is no deadline.
pub fn parse_day(typed: &str) -> Result<Option<DateTime<Utc>>, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .map_err(|_| "must be a date such as 2027-03-31")?;
    day.succ_opt()
        .map(|next| Some(next.and_time(chrono::NaiveTime::MIN).and_utc()))
        .ok_or("must be a date such as 2027-03-31")
}

/// How far `part` is towards `whole`, 0–100, for a `<progress>` bar.
/// Past the goal the bar is full; a goal of 0 (never valid) shows empty.
pub fn percent(part: i64, whole: i64) -> u8 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    let share = (i128::from(part) * 100) / i128::from(whole);
    u8::try_from(share.min(100)).unwrap_or(100)
}

/// "1 donor", "3 donors".
pub fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "just now", "3 minutes ago", "12 days ago"; a time in the future reads
/// "in 2 hours".
pub fn relative(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - then).num_seconds();
    if seconds.abs() < 60 {
        return "just now".to_owned();
    }
    let span = span(seconds.unsigned_abs());
    if seconds > 0 {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

/// What is left before `ends_at`: "12 days left", "Ended", "No end date".
pub fn time_left(ends_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match ends_at {
        None => "No end date".to_owned(),
        Some(ends_at) if ends_at <= now => "Ended".to_owned(),
        Some(ends_at) => {
            let seconds = (ends_at - now).num_seconds().unsigned_abs();
            if seconds < 60 {
                "Less than a minute left".to_owned()
            } else {
                format!("{} left", span(seconds))
            }
        }
    }
}

/// The largest whole unit in `seconds`: "3 minutes", "1 hour", "12 days".
fn span(seconds: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (365 * 86_400, "year"),
        (30 * 86_400, "month"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    for (size, unit) in UNITS {
        if seconds >= size {
            let n = seconds / size;
            return if n == 1 {
                format!("1 {unit}")
            } else {
                format!("{n} {unit}s")
            };
        }
    }
    "1 minute".to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_is_a_deadline_at_its_end_and_reads_back_the_same() {
        let deadline = parse_day("2027-03-31").expect("a date").expect("a day");
        assert_eq!(deadline.to_rfc3339(), "2027-04-01T00:00:00+00:00");
        assert_eq!(day_of(deadline), "2027-03-31");
        assert_eq!(parse_day("  "), Ok(None));
        assert!(parse_day("31/03/2027").is_err());
    }

    #[test]
    fn an_amount_to_edit_reads_back_as_it_was() {
        assert_eq!(amount_typed(150_000, "USD"), "1,500.00");
        assert_eq!(amount_typed(1_500, "JPY"), "1,500");
        assert_eq!(
            parse_amount(&amount_typed(150_000, "USD"), "USD"),
            Ok(150_000)
        );
    }

    use chrono::Duration;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().expect("time")
    }

    #[test]
    fn amounts_follow_their_currency() {
        assert_eq!(money(2500, "USD"), "25.00 USD");
        assert_eq!(money(1500, "JPY"), "1,500 JPY");
        assert_eq!(money(123_456_789, "EUR"), "1,234,567.89 EUR");
    }

    #[test]
    fn typed_amounts_become_minor_units_of_their_currency() {
        assert_eq!(parse_amount("25", "USD"), Ok(2500));
        assert_eq!(parse_amount(" 25.5 ", "USD"), Ok(2550));
        assert_eq!(parse_amount("1,234.56", "EUR"), Ok(123_456));
        assert_eq!(parse_amount("1500", "JPY"), Ok(1500));
        assert!(parse_amount("15.00", "JPY").is_err());
        assert!(parse_amount("2.345", "USD").is_err());
        assert!(parse_amount("0", "USD").is_err());
        assert!(parse_amount("-5", "USD").is_err());
        assert!(parse_amount("ten", "USD").is_err());
        assert!(parse_amount("", "USD").is_err());
        assert!(parse_amount("99999999999999999999", "USD").is_err());
        assert!(parse_amount("5", "XXX").is_err());
    }

    #[test]
    fn progress_is_a_bounded_share() {
        assert_eq!(percent(0, 100), 0);
        assert_eq!(percent(50, 200), 25);
        assert_eq!(percent(300, 200), 100);
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(i64::MAX, 1), 100);
    }

    #[test]
    fn times_read_relative_to_now() {
        assert_eq!(relative(now() - Duration::seconds(20), now()), "just now");
        assert_eq!(
            relative(now() - Duration::minutes(3), now()),
            "3 minutes ago"
        );
        assert_eq!(relative(now() - Duration::hours(1), now()), "1 hour ago");
        assert_eq!(relative(now() - Duration::days(12), now()), "12 days ago");
        assert_eq!(relative(now() + Duration::hours(2), now()), "in 2 hours");
    }

    #[test]
    fn time_left_counts_down_to_the_end() {
        assert_eq!(time_left(None, now()), "No end date");
        assert_eq!(time_left(Some(now() - Duration::days(1)), now()), "Ended");
        assert_eq!(
            time_left(Some(now() + Duration::days(12)), now()),
            "12 days left"
        );
        assert_eq!(
            time_left(Some(now() + Duration::seconds(30)), now()),
            "Less than a minute left"
        );
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "donor", "donors"), "1 donor");
        assert_eq!(count(0, "donor", "donors"), "0 donors");
    }
}
