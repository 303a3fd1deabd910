//! What users type to find an account: the login (a username or an email) and the
//! prefix of a user search. Neither is stored, but both reach the database.

use crate::error::{ValueError, check_len};
use crate::text::TextRule;
use crate::user::{Email, bounded_text, validated_string};

bounded_text!(
    /// A username or email as typed at login: 1 to 254 characters (no account has a
    /// longer one) after trimming, no control character.
    LoginIdentifier, 1, Email::MAX_LEN, TextRule::Plain
);

validated_string!(
    /// The prefix a user search looks for: 1 to 64 characters after trimming, no
    /// control character, folded to lower case (the search ignores case).
    SearchPrefix
);

impl SearchPrefix {
    /// Most characters a search prefix may have.
    pub const MAX_LEN: usize = 64;

    /// Trims, checks 1..=64 characters and the characters, and folds to lower case.
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let input = input.into();
        let text = input.trim();
        check_len(text, 1, Self::MAX_LEN)?;
        TextRule::Plain.check(&input)?;
        Ok(Self(text.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_is_trimmed_bounded_and_plain() {
        assert_eq!(
            LoginIdentifier::parse("  Alice@Example.com ").map(String::from),
            Ok("Alice@Example.com".into())
        );
        assert_eq!(LoginIdentifier::parse("   "), Err(ValueError::Empty));
        assert!(LoginIdentifier::parse("a".repeat(254)).is_ok());
        assert_eq!(
            LoginIdentifier::parse("a".repeat(255)),
            Err(ValueError::TooLong { max: 254 })
        );
        assert_eq!(
            LoginIdentifier::parse("ali\u{0}ce"),
            Err(ValueError::ControlCharacter { found: '\u{0}' })
        );
    }

    #[test]
    fn search_prefix_is_trimmed_folded_bounded_and_plain() {
        assert_eq!(
            SearchPrefix::parse("  AlI ").map(String::from),
            Ok("ali".into())
        );
        assert_eq!(
            SearchPrefix::parse("a_%").map(String::from),
            Ok("a_%".into())
        );
        assert_eq!(SearchPrefix::parse("   "), Err(ValueError::Empty));
        assert!(SearchPrefix::parse("é".repeat(64)).is_ok());
        assert_eq!(
            SearchPrefix::parse("é".repeat(65)),
            Err(ValueError::TooLong { max: 64 })
        );
        assert_eq!(
            SearchPrefix::parse("a\u{0}"),
            Err(ValueError::ControlCharacter { found: '\u{0}' })
        );
    }
}
