//! The `open_enum!` macro: string enums that keep values they do not know.
//!
//! A newer daemon (or Podman) may send a state, mode or option this crate has never heard of.
//! A closed enum would fail the whole response on it; these enums parse it into a fallback
//! variant that holds the raw text and write it back unchanged.

/// Defines a `#[non_exhaustive]` string enum with a fallback variant holding unknown text,
/// plus `as_str`, `Display`, `FromStr` (infallible), `From<&str>`, serde and (with the
/// `schema` feature) `JsonSchema`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident / $fallback:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept exactly as sent.
            $fallback(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order, as the daemon writes it.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            /// The value as the daemon writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::$fallback(text) => text.as_str(),
                }
            }

            /// True when the value is one this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::$fallback(_))
            }
        }

        impl $crate::model::Field for $name {}

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::model::StrVisitor(|text: &str| {
                    Ok::<Self, ::std::convert::Infallible>(Self::from(text))
                }))
            }
        }

        #[cfg(feature = "schema")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "description": concat!("Known values: ", $($text, " "),+, "(others are kept as sent)"),
                    "examples": [$($text),+]
                })
            }
        }
    };
}

pub(crate) use open_enum;
