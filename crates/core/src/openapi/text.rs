//! The schema of a text field the way the services check it: trimmed (Rust's
//! `str::trim`, which removes Unicode `White_Space`), then counted in
//! characters, and never holding U+0000 (PostgreSQL cannot store it,
//! [`crate::extract::parse_json`] refuses it). JSON Schema's `minLength` and
//! `maxLength` count the spaces a service trims away, so the rule is a
//! `pattern`: optional spaces, the kept text between a first and a last
//! character that are not spaces, optional spaces.

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, Object, SchemaFormat};

/// The characters `str::trim` removes, as the body of a regex class.
pub const SPACE: &str = r"\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A regex (ECMA-262 and Python alike) for text of `min..=max` characters once
/// trimmed, without U+0000. `min == 0` also allows text that trims to nothing.
pub fn trimmed_pattern(min: usize, max: usize) -> String {
    assert!(max >= 1 && min <= max, "a text of {min}..={max} characters");
    let solid = format!("[^{SPACE}\\x00]");
    let any = "[^\\x00]";
    let kept = match (min, max) {
        (_, 1) => solid.clone(),
        (0 | 1, _) => format!("{solid}(?:{any}{{0,{}}}{solid})?", max - 2),
        _ => format!("{solid}{any}{{{},{}}}{solid}", min - 2, max - 2),
    };
    let kept = if min == 0 {
        format!("(?:{kept})?")
    } else {
        kept
    };
    format!("^[{SPACE}]*{kept}[{SPACE}]*$")
}

/// `pattern` (unanchored), anchored, with the spaces `str::trim` removes
/// allowed on either side.
pub fn surrounded_by_spaces(pattern: &str) -> String {
    format!("^[{SPACE}]*{pattern}[{SPACE}]*$")
}

/// A required text of `min..=max` characters once trimmed.
pub fn text(min: usize, max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(trimmed_pattern(min, max)))
        .description(Some(describe(min, max)))
        .build()
}

/// [`text`] that may also be `null`.
pub fn nullable_text(min: usize, max: usize) -> Object {
    let mut schema = text(min, max);
    schema.schema_type = SchemaType::Array(vec![Type::String, Type::Null]);
    schema
}

fn describe(min: usize, max: usize) -> String {
    let count = if min == 0 {
        format!("At most {max} characters")
    } else {
        format!("{min}–{max} characters")
    };
    format!("{count} once leading and trailing spaces are trimmed; no U+0000.")
}

/// An integer in `min..=max` (64 bits).
pub fn integer(min: i64, max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

/// [`integer`] that may also be `null`.
pub fn nullable_integer(min: i64, max: i64) -> Object {
    let mut schema = integer(min, max);
    schema.schema_type = SchemaType::Array(vec![Type::Integer, Type::Null]);
    schema
}

/// The extension that marks a time the service wants in the future: JSON
/// Schema cannot say "after now"; api-tests' hooks read it.
pub const AFTER_NOW: &str = "x-hearth-after-now";

/// An RFC 3339 time that must be in the future, or `null`.
pub fn nullable_future_time() -> Object {
    let mut schema = ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some("RFC 3339; must be in the future."))
        .build();
    schema.extensions = Some(
        utoipa::openapi::extensions::ExtensionsBuilder::new()
            .add(AFTER_NOW, true)
            .build(),
    );
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the services check: no U+0000, and `min..=max` characters once trimmed.
    fn rule(min: usize, max: usize, text: &str) -> bool {
        !text.contains('\0') && (min..=max).contains(&text.trim().chars().count())
    }

    #[test]
    fn the_pattern_says_what_the_check_does() {
        let long = "é".repeat(120);
        let samples = [
            "",
            " ",
            "a",
            " a ",
            "ab",
            "abc",
            " abc ",
            "a b",
            "\u{3000}abc\u{2009}",
            "\t\n\u{b}\u{c}\r x \u{85}\u{a0}\u{1680}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}",
            "a\0b",
            "\0",
            "ab\0",
            "\u{1c}ab",
            "\u{180e}a",
            "\u{200b}ab",
            "日本語",
            "😀😀😀",
            long.as_str(),
            &format!("  {long}  "),
            &format!("{long}x"),
        ];
        for (min, max) in [(0, 1), (0, 5), (1, 1), (1, 5), (2, 2), (3, 120), (0, 200)] {
            let pattern = regex::Regex::new(&trimmed_pattern(min, max)).expect("a regex");
            for text in samples {
                assert_eq!(
                    pattern.is_match(text),
                    rule(min, max, text),
                    "{min}..={max}: {text:?}"
                );
            }
        }
    }
}
