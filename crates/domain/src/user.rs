//! Accounts and profiles: the validated fields a user is made of, and who sees what.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::address;
use crate::error::{ValueError, check_len};
use crate::ids::{UploadId, UserId};
use crate::text::TextRule;

/// Declares a string newtype whose way in for input is a validating constructor
/// (`parse`), and for text read back from storage `from_stored`.
macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(into = "String")]
        pub struct $name(String);

        impl $name {
            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Wraps text read back from storage (a row, the chat log, the event bus),
            /// which was checked when it came in. It is not checked again: a rule made
            /// stricter later must not make what is already stored unreadable.
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }
        }

        /// Deserializing reads stored data (the chat log, the event bus), so it
        /// trusts the text like [`from_stored`](Self::from_stored); input goes
        /// through `parse`.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from_stored)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use validated_string;

validated_string!(
    /// A login name: 3 to 32 of `a-z`, `0-9` and `_`, after folding to lower case.
    Username
);

impl Username {
    /// Fewest characters a username may have.
    pub const MIN_LEN: usize = 3;
    /// Most characters a username may have.
    pub const MAX_LEN: usize = 32;

    /// Folds `input` to lower case and checks it against `^[a-z0-9_]{3,32}$`.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let folded = input.into().to_lowercase();
        check_len(&folded, Self::MIN_LEN, Self::MAX_LEN)?;
        if folded
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            Ok(Self(folded))
        } else {
            Err(ValueError::InvalidFormat {
                expected: "lower-case letters, digits and underscores only",
            })
        }
    }
}

validated_string!(
    /// An email address, kept as the user typed it and compared case-insensitively.
    Email
);

impl Email {
    /// Most characters an address may have (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Accepts `local@domain.tld` with no white space or control character, whose
    /// local part and domain have the shape of [`crate::address`] (one confab's
    /// mailer can send to); the text is kept as given, but for surrounding white
    /// space.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        const EXPECTED: &str = "an email address like name@example.com";
        let input = input.into();
        // The limit counts the text as sent, as the schema's `maxLength` does.
        check_len(&input, 0, Self::MAX_LEN)?;
        let email = input.trim().to_owned();
        check_len(&email, 3, Self::MAX_LEN)?;
        TextRule::Plain.check(&input)?;
        let Some((local, domain)) = email.split_once('@') else {
            return Err(ValueError::InvalidFormat { expected: EXPECTED });
        };
        let well_formed = !email.chars().any(char::is_whitespace)
            && address::is_local_part(local)
            && address::is_domain(domain);
        if well_formed {
            Ok(Self(email))
        } else {
            Err(ValueError::InvalidFormat { expected: EXPECTED })
        }
    }

    /// The comparison key: the address in lower case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A plain-text password on its way to the hasher. Never printed, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Fewest characters a password may have.
    pub const MIN_LEN: usize = 8;
    /// Most characters a password may have; longer inputs only cost hashing time.
    pub const MAX_LEN: usize = 128;

    /// Checks the length (8 to 128 Unicode scalar values). Any character is allowed,
    /// control characters too: a password is only ever hashed, never stored, searched
    /// or shown, and refusing characters would only lock out the users who chose them.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let password = input.into();
        check_len(&password, Self::MIN_LEN, Self::MAX_LEN)?;
        Ok(Self(password))
    }

    /// The secret, for the password hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Declares a text field with a length window and a character rule; surrounding
/// white space is trimmed.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $rule:expr) => {
        validated_string!($(#[$doc])* $name);

        impl $name {
            /// Fewest characters allowed.
            pub const MIN_LEN: usize = $min;
            /// Most characters allowed.
            pub const MAX_LEN: usize = $max;

            /// Trims surrounding white space, checks the length window, and checks the
            /// characters of the whole input (a control character is refused even
            /// where trimming would have dropped it).
            pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
                let input = input.into();
                let text = input.trim();
                $crate::error::check_len(text, Self::MIN_LEN, Self::MAX_LEN)?;
                $rule.check(&input)?;
                Ok(Self(text.to_owned()))
            }
        }
    };
}
pub(crate) use bounded_text;

bounded_text!(
    /// The name shown instead of the username: 1 to 64 characters, at least one of
    /// them visible, no control character or bidi override.
    DisplayName, 1, 64, TextRule::Name
);
bounded_text!(
    /// A short self-description: up to 500 characters (empty is allowed), no control
    /// character.
    Bio, 0, 500, TextRule::Plain
);
bounded_text!(
    /// Where the user says they are: up to 100 characters (empty is allowed), no
    /// control character.
    Location, 0, 100, TextRule::Plain
);
bounded_text!(
    /// A label for the device a session belongs to: 1 to 64 characters, a name like
    /// [`DisplayName`].
    DeviceName, 1, 64, TextRule::Name
);

/// A date of birth in `YYYY-MM-DD`, from 1900-01-01 up to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    const EXPECTED: &'static str = "a date YYYY-MM-DD between 1900-01-01 and today";

    /// Parses the strict `YYYY-MM-DD` form; a date after `today` is refused.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValueError> {
        let strict_shape = input.len() == 10
            && input.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let date = strict_shape
            .then(|| NaiveDate::parse_from_str(input, "%Y-%m-%d").ok())
            .flatten()
            .ok_or(ValueError::InvalidFormat {
                expected: Self::EXPECTED,
            })?;
        if date.year() < 1900 || date > today {
            return Err(ValueError::InvalidFormat {
                expected: Self::EXPECTED,
            });
        }
        Ok(Self(date))
    }

    /// Wraps a date read back from storage, where it was validated on the way in.
    pub const fn from_stored(date: NaiveDate) -> Self {
        Self(date)
    }

    /// The calendar date.
    pub const fn date(&self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A user's full profile, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The account's identity.
    pub id: UserId,
    /// The unique login name.
    pub username: Username,
    /// The address, as given; unique case-insensitively.
    pub email: Email,
    /// Whether the owner proved they receive mail at `email`.
    #[serde(default)]
    pub email_verified: bool,
    /// An address the owner asked to change to, waiting for its confirmation link.
    #[serde(default)]
    pub pending_email: Option<Email>,
    /// The optional display name.
    pub display_name: Option<DisplayName>,
    /// The optional self-description.
    pub bio: Option<Bio>,
    /// The optional location.
    pub location: Option<Location>,
    /// The optional date of birth.
    pub birth_date: Option<BirthDate>,
    /// Whether strangers see only the public minimum.
    pub is_private: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether the account administers the server (the `/admin` routes).
    #[serde(default)]
    pub is_admin: bool,
    /// When an admin disabled the account; `None` while it may sign in.
    #[serde(default)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// The image upload shown as the avatar; `None` without one. Shown on every
    /// view of the profile, private ones included.
    #[serde(default)]
    pub avatar: Option<UploadId>,
}

/// What one user may see of another's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileView {
    /// The owner looking at their own profile: everything, email included.
    Own(User),
    /// Someone else looking at a public profile: everything but the email.
    Public(User),
    /// Someone else looking at a private profile: identity, names, bio only.
    Restricted(User),
}

impl User {
    /// Applies the privacy rules for `viewer` looking at this profile.
    pub fn view_for(self, viewer: UserId) -> ProfileView {
        if viewer == self.id {
            ProfileView::Own(self)
        } else if self.is_private {
            ProfileView::Restricted(self)
        } else {
            ProfileView::Public(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_folds_case_and_enforces_alphabet_and_length() {
        assert_eq!(
            Username::parse("Alice_01").map(|u| u.to_string()),
            Ok("alice_01".into())
        );
        assert_eq!(Username::parse("ab"), Err(ValueError::TooShort { min: 3 }));
        assert_eq!(
            Username::parse("a".repeat(33)),
            Err(ValueError::TooLong { max: 32 })
        );
        assert!(Username::parse("a".repeat(32)).is_ok());
        assert_eq!(Username::parse(""), Err(ValueError::Empty));
        for bad in ["al ice", "al-ice", "alïce", "al.ice", "al@ce"] {
            assert!(
                matches!(Username::parse(bad), Err(ValueError::InvalidFormat { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn email_length_counts_the_text_as_sent() {
        // The schema's `maxLength` counts surrounding white space too; so does the
        // domain, or a schema-violating address would be accepted.
        // 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 = 254: the longest local part and labels.
        let address = format!(
            "{}@{}.{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(57)
        );
        assert_eq!(address.len(), Email::MAX_LEN);
        assert!(Email::parse(address.clone()).is_ok());
        assert_eq!(
            Email::parse(format!("  {address}")),
            Err(ValueError::TooLong {
                max: Email::MAX_LEN
            })
        );
    }

    #[test]
    fn email_is_kept_as_given_and_normalized_for_comparison() {
        let email = Email::parse("Alice@Example.COM").expect("valid");
        assert_eq!(email.as_str(), "Alice@Example.COM");
        assert_eq!(email.normalized(), "alice@example.com");
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
            "a@com.",
            // What the mailer could not send to (see `address`).
            "a..b@example.com",
            "\"alice\"@example.com",
            "a,b@example.com",
            "alice@[127.0.0.1]",
            "alice@exa_mple.com",
            "alice@bücher.de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            Email::parse(long_local),
            Err(ValueError::TooLong { max: 254 })
        );
    }

    #[test]
    fn password_counts_scalar_values_and_never_prints() {
        assert_eq!(
            Password::parse("1234567"),
            Err(ValueError::TooShort { min: 8 })
        );
        assert!(
            Password::parse("ääääääää").is_ok(),
            "8 scalar values, 16 bytes"
        );
        assert!(Password::parse("x".repeat(128)).is_ok());
        assert_eq!(
            Password::parse("x".repeat(129)),
            Err(ValueError::TooLong { max: 128 })
        );
        let secret = Password::parse("hunter2hunter2").expect("valid");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn free_text_fields_enforce_their_windows() {
        assert_eq!(DisplayName::parse("   "), Err(ValueError::Empty));
        assert!(DisplayName::parse("é".repeat(64)).is_ok());
        assert_eq!(
            DisplayName::parse("é".repeat(65)),
            Err(ValueError::TooLong { max: 64 })
        );
        assert_eq!(
            DisplayName::parse("  Alice  ").map(String::from),
            Ok("Alice".into())
        );
        assert!(Bio::parse("").is_ok());
        assert!(Bio::parse("b".repeat(500)).is_ok());
        assert_eq!(
            Bio::parse("b".repeat(501)),
            Err(ValueError::TooLong { max: 500 })
        );
        assert!(Location::parse("l".repeat(100)).is_ok());
        assert_eq!(
            Location::parse("l".repeat(101)),
            Err(ValueError::TooLong { max: 100 })
        );
        assert!(DeviceName::parse("d".repeat(64)).is_ok());
        assert_eq!(
            DeviceName::parse("d".repeat(65)),
            Err(ValueError::TooLong { max: 64 })
        );
    }

    #[test]
    fn birth_date_is_strict_and_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        assert_eq!(
            BirthDate::parse("1990-02-28", today).map(|d| d.to_string()),
            Ok("1990-02-28".into())
        );
        for bad in [
            "1990-2-28",
            "1990-02-30",
            "28.02.1990",
            "1899-12-31",
            "2026-11-22",
            "",
            "1990-02-28T00:00:00Z",
        ] {
            assert!(BirthDate::parse(bad, today).is_err(), "{bad}");
        }
        assert!(BirthDate::parse("2026-11-21", today).is_ok());
    }

    #[test]
    fn deserializing_trusts_stored_text() {
        // Only stored data (the chat log, the event bus) is deserialized: a name stored
        // before a rule was made stricter must still load.
        let legacy: DisplayName = serde_json::from_str("\"\\u200b\"").expect("stored");
        assert_eq!(legacy.as_str(), "\u{200b}");
        assert_eq!(
            DisplayName::parse("\u{200b}"),
            Err(ValueError::NothingVisible)
        );
        let round_trip: Username = serde_json::from_str(
            &serde_json::to_string(&Username::parse("BoB").expect("valid")).expect("json"),
        )
        .expect("stored");
        assert_eq!(round_trip.as_str(), "bob");
    }

    #[test]
    fn no_stored_field_takes_a_control_character() {
        let nul = ValueError::ControlCharacter { found: '\u{0}' };
        assert_eq!(Email::parse("a\u{0}@example.com"), Err(nul.clone()));
        assert_eq!(DisplayName::parse("Al\u{0}ice"), Err(nul.clone()));
        assert_eq!(Bio::parse("bio\u{0}"), Err(nul.clone()));
        assert_eq!(Location::parse("\u{0}"), Err(nul.clone()));
        assert_eq!(DeviceName::parse("Phone\u{0}"), Err(nul));
        assert!(matches!(
            Username::parse("al\u{0}ice"),
            Err(ValueError::InvalidFormat { .. })
        ));
        // Refused even where trimming would have removed it.
        assert_eq!(
            Bio::parse("two\nlines"),
            Err(ValueError::ControlCharacter { found: '\n' })
        );
        assert_eq!(
            DisplayName::parse("Alice\n"),
            Err(ValueError::ControlCharacter { found: '\n' })
        );
        assert_eq!(
            Email::parse(" alice@example.com\t"),
            Err(ValueError::ControlCharacter { found: '\t' })
        );
        assert_eq!(
            Email::parse("\u{a0}Alice@Example.com ").map(String::from),
            Ok("Alice@Example.com".into())
        );
    }

    #[test]
    fn names_must_show_something_and_hold_no_bidi_override() {
        let display = |text: &str| DisplayName::parse(text).map(String::from);
        let device = |text: &str| DeviceName::parse(text).map(String::from);
        for parse in [display, device] {
            assert_eq!(parse("\u{200b}\u{feff}"), Err(ValueError::NothingVisible));
            assert_eq!(
                parse("abc\u{202e}"),
                Err(ValueError::BidiOverride { found: '\u{202e}' })
            );
            assert_eq!(parse("  "), Err(ValueError::Empty));
            assert!(parse("\u{1f469}\u{200d}\u{1f4bb}").is_ok());
        }
        // Free text may hold them: only names are shown where they could deceive.
        assert!(Bio::parse("\u{200b}").is_ok());
        assert!(Location::parse("\u{202e}").is_ok());
    }

    #[test]
    fn a_password_may_hold_any_character() {
        assert!(Password::parse("\u{0}\u{1}\u{7f}\u{202e}\u{200b}\n\t\r").is_ok());
    }
}
