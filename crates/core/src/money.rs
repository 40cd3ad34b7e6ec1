//! Money is an integer count of minor units plus an ISO 4217 currency (docs/api.md).

/// Every supported currency and its number of decimal places (its exponent).
const CURRENCIES: &[(&str, u32)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("CHF", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("JPY", 0),
    ("INR", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("ZAR", 2),
    ("NGN", 2),
    ("KES", 2),
];

/// A supported ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// Only upper-case codes are accepted: the contract fixes the spelling.
    pub fn parse(code: &str) -> Option<Self> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, exponent)| Self { code, exponent })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimal places of the currency's minor unit: 2 for USD, 0 for JPY.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    pub fn supported() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(c, _)| *c)
    }
}

/// In the OpenAPI documents: one of the supported codes, upper case.
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::supported()))
            .description(Some("A supported ISO 4217 currency code, upper case."))
            .examples([serde_json::json!("USD")])
            .into()
    }
}

impl utoipa::ToSchema for Currency {}

/// An amount as people read it: "25.00 USD", "1,500 JPY", "1,234,567.89 EUR".
/// The decimals follow the currency's exponent and thousands are separated
/// with commas. A code we do not know shows the raw minor units with it
/// ("2500 XXX") rather than guess where the decimal point goes.
pub fn format_amount(amount_minor: i64, currency: &str) -> String {
    let Some(known) = Currency::parse(currency) else {
        return format!("{amount_minor} {currency}");
    };
    let sign = if amount_minor < 0 { "-" } else { "" };
    let minor = amount_minor.unsigned_abs();
    let scale = 10u64.pow(known.exponent());
    let whole = group_thousands(minor / scale);
    match known.exponent() {
        0 => format!("{sign}{whole} {currency}"),
        places => {
            let fraction = minor % scale;
            let width = places as usize;
            format!("{sign}{whole}.{fraction:0width$} {currency}")
        }
    }
}

/// 1234567 → "1,234,567".
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_in_their_currency() {
        assert_eq!(format_amount(2500, "USD"), "25.00 USD");
        assert_eq!(format_amount(5, "EUR"), "0.05 EUR");
        assert_eq!(format_amount(0, "GBP"), "0.00 GBP");
        assert_eq!(format_amount(1500, "JPY"), "1,500 JPY");
        assert_eq!(format_amount(999, "JPY"), "999 JPY");
        assert_eq!(format_amount(123_456_789, "EUR"), "1,234,567.89 EUR");
        assert_eq!(format_amount(100_000_000, "JPY"), "100,000,000 JPY");
        assert_eq!(format_amount(-2550, "USD"), "-25.50 USD");
    }

    #[test]
    fn an_unknown_currency_shows_the_raw_minor_units() {
        assert_eq!(format_amount(2500, "XXX"), "2500 XXX");
    }

    #[test]
    fn currencies_know_their_exponent() {
        assert_eq!(Currency::parse("USD").map(|c| c.exponent()), Some(2));
        assert_eq!(Currency::parse("JPY").map(|c| c.exponent()), Some(0));
        assert_eq!(Currency::parse("usd"), None);
        assert_eq!(Currency::parse("XXX"), None);
        assert_eq!(Currency::supported().count(), 17);
    }
}
