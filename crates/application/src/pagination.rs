//! Cursor pagination: page sizes and the `{items, next_cursor}` page.

use crate::error::ValidationErrors;

/// How many items a list may return: 1 to 100, 50 when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u16);

impl PageLimit {
    /// The size used when the client does not ask for one.
    pub const DEFAULT: Self = Self(50);
    /// The largest page a client may ask for.
    pub const MAX: u16 = 100;

    /// Checks `1..=100`; `None` means the default.
    pub fn parse(requested: Option<i64>) -> Result<Self, ValidationErrors> {
        match requested {
            None => Ok(Self::DEFAULT),
            Some(n) if (1..=i64::from(Self::MAX)).contains(&n) => {
                Ok(Self(u16::try_from(n).unwrap_or(Self::MAX)))
            }
            Some(_) => Err(ValidationErrors::single(
                "limit",
                "must be a whole number from 1 to 100",
            )),
        }
    }

    /// The size as a count.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// One more than the size: fetching this many tells whether another page exists.
    pub const fn probe(self) -> u64 {
        self.0 as u64 + 1
    }
}

/// One page of a list, continued by a cursor of type `C`: an opaque string for most
/// lists, a [`Seq`](confab_domain::Seq) for a chat's messages and log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C = String> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` exactly when nothing more exists.
    pub next_cursor: Option<C>,
}

impl<T, C> Page<T, C> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves
    /// there is more, and `cursor_of` turns the last kept item into the cursor.
    pub fn from_probe(mut rows: Vec<T>, limit: PageLimit, cursor_of: impl Fn(&T) -> C) -> Self {
        let has_more = rows.len() > usize::from(limit.get());
        rows.truncate(usize::from(limit.get()));
        let next_cursor = if has_more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// Converts every item, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, C> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(PageLimit::parse(None), Ok(PageLimit::DEFAULT));
        assert_eq!(PageLimit::parse(Some(1)).map(PageLimit::get), Ok(1));
        assert_eq!(PageLimit::parse(Some(100)).map(PageLimit::get), Ok(100));
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(101)).is_err());
        assert!(PageLimit::parse(Some(-5)).is_err());
    }

    #[test]
    fn probe_row_sets_the_cursor_and_is_dropped() {
        let limit = PageLimit::parse(Some(2)).expect("valid");
        let page = Page::from_probe(vec![1, 2, 3], limit, ToString::to_string);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
        let last = Page::from_probe(vec![1, 2], limit, ToString::to_string);
        assert_eq!(last.next_cursor, None);
    }
}
