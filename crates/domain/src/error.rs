//! The one error every value-object constructor returns: what was wrong with the input.

use thiserror::Error;

/// Why a raw input was refused by a value object's constructor.
///
/// The variants carry the limits so a caller can render a precise message
/// without knowing which value object produced it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    /// The input was empty (or only white space, where that is meaningless).
    #[error("must not be empty")]
    Empty,
    /// The input has fewer characters than allowed.
    #[error("must be at least {min} characters")]
    TooShort {
        /// The least number of Unicode scalar values allowed.
        min: usize,
    },
    /// The input has more characters than allowed.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The most Unicode scalar values allowed.
        max: usize,
    },
    /// The input does not have the required shape.
    #[error("must be {expected}")]
    InvalidFormat {
        /// A human description of the accepted shape.
        expected: &'static str,
    },
    /// The input holds a control character the field does not allow.
    #[error("must not contain control characters (found U+{:04X})", u32::from(*.found))]
    ControlCharacter {
        /// The first refused character.
        found: char,
    },
    /// A name holds a bidirectional override, which reorders the text shown after it.
    #[error("must not contain bidirectional override characters (found U+{:04X})", u32::from(*.found))]
    BidiOverride {
        /// The first refused character.
        found: char,
    },
    /// A name holds only white space and characters that draw nothing.
    #[error("must contain at least one visible character")]
    NothingVisible,
    /// A number lies outside its allowed range.
    #[error("must be a whole number from {min} to {max}")]
    OutOfRange {
        /// The smallest allowed value.
        min: i64,
        /// The largest allowed value.
        max: i64,
    },
}

/// Counts Unicode scalar values, the unit every length limit in the API uses.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Checks `min..=max` scalar values, reporting the first limit broken.
pub(crate) fn check_len(s: &str, min: usize, max: usize) -> Result<(), ValueError> {
    let len = char_len(s);
    if len == 0 && min > 0 {
        Err(ValueError::Empty)
    } else if len < min {
        Err(ValueError::TooShort { min })
    } else if len > max {
        Err(ValueError::TooLong { max })
    } else {
        Ok(())
    }
}
