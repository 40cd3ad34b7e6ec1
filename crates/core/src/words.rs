//! Enums of fixed words: one spelling for JSON, the OpenAPI documents, the
//! `text` column and the logs, declared once with [`crate::words!`].

/// Declares an enum whose variants are fixed words, with everything a domain
/// enum of Hearth needs: `as_str`, `ALL`, `Display`, `FromStr` (refusing an
/// unknown word with "unknown <noun> …"), serde and utoipa under the same
/// words, and storage as `text` ([`crate::text_column!`]). The crate using it
/// depends on `serde`, `utoipa` and `sqlx`.
///
/// ```ignore
/// hearth_core::words! {
///     /// Where a campaign is in its life.
///     pub enum Status: "campaign status" {
///         Draft => "draft",
///         Active => "active",
///     }
/// }
/// ```
#[macro_export]
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $noun:literal {
            $($(#[$variant_meta:meta])* $variant:ident => $word:tt),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        $vis enum $name {
            $($(#[$variant_meta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every word, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!(concat!("unknown ", $noun, " {:?}"), other)),
                }
            }
        }

        $crate::text_column!($name);
    };
}

#[cfg(test)]
mod tests {
    crate::words! {
        /// A test enum.
        pub enum Colour: "colour" {
            Red => "red",
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn one_spelling_everywhere() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(*colour));
            assert_eq!(
                serde_json::to_value(colour).expect("json"),
                serde_json::json!(colour.as_str())
            );
        }
        assert_eq!(Colour::DarkBlue.to_string(), "dark_blue");
        assert_eq!(
            "blue".parse::<Colour>(),
            Err("unknown colour \"blue\"".to_owned())
        );
    }
}
