//! HTTP byte ranges resolved against an object's size, the same way for every store
//! (the stores disagree on how they report a range past the end).

use confab_application::ports::{ByteRange, StoreError};

/// The first and last byte `range` names in an object of `size` bytes. A range that
/// ends past the end is cut at the end; one that starts past it, or any range of an
/// empty object, is not satisfiable (RFC 9110 §14.1.2).
pub(super) fn resolve(range: ByteRange, size: u64) -> Result<(u64, u64), StoreError> {
    let last = size.checked_sub(1).ok_or(StoreError::RangeNotSatisfiable)?;
    let (start, end) = match range {
        ByteRange::Closed { start, end } => (start, end.min(last)),
        ByteRange::From(start) => (start, last),
        ByteRange::Suffix(0) => return Err(StoreError::RangeNotSatisfiable),
        ByteRange::Suffix(length) => (size.saturating_sub(length), last),
    };
    if start > end {
        return Err(StoreError::RangeNotSatisfiable);
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(range: ByteRange, size: u64) -> (u64, u64) {
        resolve(range, size).expect("satisfiable")
    }

    fn refused(range: ByteRange, size: u64) -> bool {
        matches!(resolve(range, size), Err(StoreError::RangeNotSatisfiable))
    }

    #[test]
    fn closed_ranges_are_cut_at_the_end() {
        assert_eq!(ok(ByteRange::Closed { start: 2, end: 5 }, 10), (2, 5));
        assert_eq!(ok(ByteRange::Closed { start: 2, end: 99 }, 10), (2, 9));
        assert!(refused(ByteRange::Closed { start: 10, end: 12 }, 10));
        assert!(refused(ByteRange::Closed { start: 5, end: 4 }, 10));
    }

    #[test]
    fn open_and_suffix_ranges() {
        assert_eq!(ok(ByteRange::From(7), 10), (7, 9));
        assert!(refused(ByteRange::From(10), 10));
        assert_eq!(ok(ByteRange::Suffix(3), 10), (7, 9));
        assert_eq!(ok(ByteRange::Suffix(30), 10), (0, 9));
        assert!(refused(ByteRange::Suffix(0), 10));
    }

    #[test]
    fn nothing_of_an_empty_object_is_satisfiable() {
        assert!(refused(ByteRange::From(0), 0));
        assert!(refused(ByteRange::Suffix(1), 0));
        assert!(refused(ByteRange::Closed { start: 0, end: 0 }, 0));
    }
}
