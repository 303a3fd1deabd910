//! Prefix search as a range on a byte-wise ordered column.

use sea_orm::{ColumnTrait, Condition};

use crate::persistence::entities::users;

/// `column` starts with `prefix`, as a range on the column's byte-wise order (so the
/// index serves it and `%` / `_` are plain characters).
pub(in crate::persistence) fn prefix_range(column: users::Column, prefix: &str) -> Condition {
    let lower = Condition::all().add(column.gte(prefix));
    match prefix_upper_bound(prefix) {
        Some(upper) => lower.add(column.lt(upper)),
        None => lower,
    }
}

/// The smallest string greater than every string starting with `prefix`, in code
/// point order (which is UTF-8 byte order), or `None` when no such bound exists.
pub(in crate::persistence) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000; // surrogates are not chars; skip to the next one
        }
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_upper_bound;

    #[test]
    fn upper_bound_bumps_the_last_char_that_can_grow() {
        assert_eq!(prefix_upper_bound("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_upper_bound("a_").as_deref(), Some("a`"));
        assert_eq!(prefix_upper_bound("a%").as_deref(), Some("a&"));
        assert_eq!(prefix_upper_bound("é").as_deref(), Some("ê"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(
            prefix_upper_bound(&format!("a{}", char::MAX)).as_deref(),
            Some("b")
        );
        assert_eq!(prefix_upper_bound(&char::MAX.to_string()), None);
        assert_eq!(prefix_upper_bound(""), None);
    }
}
