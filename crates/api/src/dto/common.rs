//! Wire types shared by every resource: timestamps as docs/api.md writes them, the empty
//! 204 answer, and helpers the resource DTOs use.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// An instant on the wire: RFC 3339 UTC with milliseconds and a `Z`
/// (`2026-11-21T20:54:00.123Z`), whatever precision the database kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(
            self.0.to_rfc3339_opts(SecondsFormat::Millis, true),
        ))
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => DateTime::parse_from_rfc3339(&text)
                .map(|at| Self(at.with_timezone(&Utc)))
                .map_err(|_| ParseError::custom("expected an RFC 3339 timestamp")),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

/// Declares a request string whose schema states the limits the domain enforces
/// (so generated clients and schema checkers know them), while the value itself is
/// checked by the domain, which reports every refused field at once.
macro_rules! documented_string {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $value:expr),* $(,)? }) => {
        $(#[$doc])*
        // No `Debug`: some of these carry passwords.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                concat!("string_", stringify!($name)).into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    $($field: $value,)*
                    ..MetaSchema::new("string")
                }))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                // Strict: a number or boolean is not silently turned into a string.
                match value.unwrap_or_default() {
                    Value::String(text) => Ok(Self(text)),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

/// Text whose trimmed length lies in `min..=max` (the domain trims these fields).
fn trimmed(min: usize, max: usize) -> String {
    let core = format!(r"\S([\s\S]{{0,{}}}\S)?", max.saturating_sub(2));
    if min == 0 {
        format!(r"^\s*({core})?\s*$")
    } else {
        format!(r"^\s*{core}\s*$")
    }
}

documented_string!(
    /// A username: 3 to 32 letters, digits or `_` (folded to lower case).
    UsernameText {
        pattern: Some("^[A-Za-z0-9_]{3,32}$".to_owned()),
        min_length: Some(3),
        max_length: Some(32),
    }
);
documented_string!(
    /// An email address `local@domain.tld`, unique case-insensitively.
    EmailText {
        pattern: Some(r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$".to_owned()),
        max_length: Some(254),
    }
);
documented_string!(
    /// A password: 8 to 128 characters.
    PasswordText {
        format: Some("password"),
        min_length: Some(8),
        max_length: Some(128),
    }
);
documented_string!(
    /// A password to check (any length; a wrong one is refused like any other).
    PasswordCheck { format: Some("password") }
);
documented_string!(
    /// 1 to 64 characters after trimming surrounding white space.
    NameText { pattern: Some(trimmed(1, 64)) }
);
documented_string!(
    /// Up to 500 characters after trimming.
    BioText { pattern: Some(trimmed(0, 500)) }
);
documented_string!(
    /// Up to 100 characters after trimming.
    LocationText { pattern: Some(trimmed(0, 100)) }
);
documented_string!(
    /// A username or an email address (1 to 254 characters after trimming).
    LoginText { pattern: Some(trimmed(1, 254)) }
);
documented_string!(
    /// A date `YYYY-MM-DD` from 1900-01-01 up to today.
    BirthDateText {
        format: Some("date"),
        pattern: Some(
            "^(19[0-9]{2}|20[01][0-9]|202[0-5])-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])\
             |(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))$"
                .to_owned()
        ),
    }
);

/// `204 No Content`.
#[derive(Debug, ApiResponse)]
pub enum NoContent {
    /// Done; nothing to return.
    #[oai(status = 204)]
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T20:54:00.123456789+00:00")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(
            Timestamp(at).to_json(),
            Some(Value::String("2026-11-21T20:54:00.123Z".into()))
        );
    }
}
