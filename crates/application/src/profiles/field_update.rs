//! A tri-state PATCH field: absent leaves it alone, `null` clears it, a value sets it.

/// What a PATCH asks for one nullable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldUpdate<T> {
    /// The field was absent: keep the stored value.
    #[default]
    Unchanged,
    /// The field was `null`: clear the stored value.
    Clear,
    /// The field carried a value: store it.
    Set(T),
}

impl<T> FieldUpdate<T> {
    /// Builds an update from the common `Option<Option<T>>` encoding (outer `None` =
    /// absent, inner `None` = `null`).
    pub fn from_nullable(value: Option<Option<T>>) -> Self {
        match value {
            None => Self::Unchanged,
            Some(None) => Self::Clear,
            Some(Some(value)) => Self::Set(value),
        }
    }

    /// The `Option<Option<T>>` encoding the repository's change set uses.
    pub fn into_nullable(self) -> Option<Option<T>> {
        match self {
            Self::Unchanged => None,
            Self::Clear => Some(None),
            Self::Set(value) => Some(Some(value)),
        }
    }

    /// Converts a set value with a fallible parser, leaving the other states alone.
    pub fn try_map<U, E>(self, parse: impl FnOnce(T) -> Result<U, E>) -> Result<FieldUpdate<U>, E> {
        Ok(match self {
            Self::Unchanged => FieldUpdate::Unchanged,
            Self::Clear => FieldUpdate::Clear,
            Self::Set(value) => FieldUpdate::Set(parse(value)?),
        })
    }

    /// Whether the field was absent.
    pub const fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }
}

impl<T> From<Option<Option<T>>> for FieldUpdate<T> {
    fn from(value: Option<Option<T>>) -> Self {
        Self::from_nullable(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_encoding_round_trips_all_three_states() {
        for value in [None, Some(None), Some(Some(7))] {
            assert_eq!(FieldUpdate::from_nullable(value).into_nullable(), value);
        }
        assert_eq!(FieldUpdate::<u8>::default(), FieldUpdate::Unchanged);
        assert!(FieldUpdate::<u8>::Unchanged.is_unchanged());
        assert!(!FieldUpdate::<u8>::Clear.is_unchanged());
    }

    #[test]
    fn try_map_parses_only_set_values() {
        let parse = |s: &str| s.parse::<u8>().map_err(|_| "bad");
        assert_eq!(
            FieldUpdate::Set("5").try_map(parse),
            Ok(FieldUpdate::Set(5))
        );
        assert_eq!(FieldUpdate::Set("x").try_map(parse), Err("bad"));
        assert_eq!(FieldUpdate::Clear.try_map(parse), Ok(FieldUpdate::Clear));
        assert_eq!(
            FieldUpdate::Unchanged.try_map(parse),
            Ok(FieldUpdate::Unchanged)
        );
    }
}
