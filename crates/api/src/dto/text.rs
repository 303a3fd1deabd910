//! Text fields and text parameters of requests: each one's schema states the limits
//! and character rules the domain enforces (patterns from [`super::patterns`]), so
//! generated clients and schema checkers know them, while parsing accepts any string
//! and leaves the checks to the domain, which names every refused field in plain
//! words.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use confab_domain::{
    Bio, ChatName, ClientMessageId, DeviceName, DisplayName, Email, Location, LoginIdentifier,
    MessageBody, Password, SearchPrefix, Username,
};

use super::patterns;

/// Declares a request string documented by the given schema fields; a `secret` one
/// (a password) prints as `<redacted>`, so it cannot end up in a log line.
macro_rules! documented_string {
    (@define $(#[$doc:meta])* $name:ident { $($field:ident: $value:expr),* }) => {
        $(#[$doc])*
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

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Ok(Self(value.to_owned()))
            }

            // An absent required parameter reads as empty, so the service refuses it
            // in its own words ("must not be empty") rather than poem in its own.
            fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
                values: I,
            ) -> ParseResult<Self> {
                let first = values.into_iter().next();
                Ok(Self(first.map(|v| v.as_ref().to_owned()).unwrap_or_default()))
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
    ($(#[$doc:meta])* secret $name:ident { $($field:ident: $value:expr),* $(,)? }) => {
        documented_string!(@define $(#[$doc])* $name { $($field: $value),* });

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
    ($(#[$doc:meta])* $name:ident { $($field:ident: $value:expr),* $(,)? }) => {
        documented_string!(@define $(#[$doc])* $name { $($field: $value),* });

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
    };
}

documented_string!(
    /// A username: 3 to 32 letters, digits or `_` (folded to lower case).
    UsernameText {
        pattern: Some(format!(
            "^[A-Za-z0-9_]{{{},{}}}$",
            Username::MIN_LEN,
            Username::MAX_LEN
        )),
        min_length: Some(Username::MIN_LEN),
        max_length: Some(Username::MAX_LEN),
    }
);
documented_string!(
    /// An email address `local@domain.tld`, unique case-insensitively; no white space
    /// or control character.
    EmailText {
        pattern: Some(patterns::email()),
        max_length: Some(Email::MAX_LEN),
    }
);
documented_string!(
    /// A password: 8 to 128 characters, any of them (it is only hashed).
    secret PasswordText {
        format: Some("password"),
        min_length: Some(Password::MIN_LEN),
        max_length: Some(Password::MAX_LEN),
    }
);
documented_string!(
    /// A password to check (any length; a wrong one is refused like any other).
    secret PasswordCheck { format: Some("password") }
);
documented_string!(
    /// A display or device name: 1 to 64 characters after trimming white space, at
    /// least one of them visible, no control character or bidi override.
    NameText { pattern: Some(patterns::name(DisplayName::MAX_LEN.max(DeviceName::MAX_LEN))) }
);
documented_string!(
    /// A group name: 1 to 100 characters after trimming, a name like `display_name`.
    GroupNameText { pattern: Some(patterns::name(ChatName::MAX_LEN)) }
);
documented_string!(
    /// Up to 500 characters after trimming, no control character.
    BioText { pattern: Some(patterns::trimmed_plain(Bio::MIN_LEN, Bio::MAX_LEN)) }
);
documented_string!(
    /// Up to 100 characters after trimming, no control character.
    LocationText { pattern: Some(patterns::trimmed_plain(Location::MIN_LEN, Location::MAX_LEN)) }
);
documented_string!(
    /// A username or an email address (1 to 254 characters after trimming).
    LoginText {
        pattern: Some(patterns::trimmed_plain(
            LoginIdentifier::MIN_LEN,
            LoginIdentifier::MAX_LEN
        ))
    }
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
documented_string!(
    /// A message body: 1 to `MessageBody::MAX_LEN` (4000) characters, not only white space, no control
    /// character but line breaks and tabs.
    BodyText {
        pattern: Some(patterns::body()),
        min_length: Some(1),
        max_length: Some(MessageBody::MAX_LEN),
    }
);
documented_string!(
    /// A client message id: 1 to 64 characters, no control character.
    ClientMessageIdText {
        pattern: Some(patterns::plain()),
        min_length: Some(1),
        max_length: Some(ClientMessageId::MAX_LEN),
    }
);
documented_string!(
    /// A user-search prefix: 1 to 64 characters after trimming, no control character.
    SearchText { pattern: Some(patterns::trimmed_plain(1, SearchPrefix::MAX_LEN)) }
);
documented_string!(
    /// The chat list's cursor, in the exact shape the server hands out
    /// (`<seconds>.<nanoseconds>.<uuid hex>`): every string matching the pattern is
    /// usable, anything else is `400 invalid_cursor`.
    ChatCursorText {
        pattern: Some(r"^-?[0-9]{1,11}\.[0-9]{9}\.[0-9a-f]{32}$".to_owned()),
    }
);
documented_string!(
    /// The user search's cursor: the username of the previous page's last user.
    UserCursorText {
        pattern: Some(format!(
            "^[a-z0-9_]{{{},{}}}$",
            Username::MIN_LEN,
            Username::MAX_LEN
        ))
    }
);
documented_string!(
    /// The session list's cursor: the id of the previous page's last session.
    SessionCursorText {
        pattern: Some(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$".to_owned()
        ),
    }
);

documented_string!(
    /// The cursor of a list paged by id (invites, the audit log): the id of the
    /// previous page's last item.
    IdCursorText {
        pattern: Some(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$".to_owned()
        ),
    }
);
documented_string!(
    /// An invite token as `POST /admin/invites` handed it out (64 hex digits); a
    /// token that is unknown, used, expired or revoked is `403 invite_required`.
    InviteTokenText { pattern: Some("^[0-9a-f]{64}$".to_owned()) }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_carry_the_rules_but_parsing_takes_any_string() {
        let MetaSchemaRef::Inline(schema) = BodyText::schema_ref() else {
            panic!("inline schema");
        };
        assert_eq!(
            (schema.min_length, schema.max_length),
            (Some(1), Some(MessageBody::MAX_LEN))
        );
        assert_eq!(schema.pattern, Some(patterns::body()));
        let parsed = BodyText::parse_from_json(Some(Value::from("\u{0}")));
        assert_eq!(parsed.map(String::from).ok().as_deref(), Some("\u{0}"));
        assert!(BodyText::parse_from_json(Some(Value::from(3))).is_err());
        let secret = PasswordCheck("hunter2hunter2".to_owned());
        assert!(!format!("{secret:?}").contains("hunter2"));
        let query = SearchText::parse_from_parameter("\u{0}");
        assert_eq!(query.map(String::from).ok().as_deref(), Some("\u{0}"));
        let absent = SearchText::parse_from_parameters(Vec::<String>::new());
        assert_eq!(absent.map(String::from).ok().as_deref(), Some(""));
    }
}
