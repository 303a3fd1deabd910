//! Seq-based history windows (`before` / `after` / newest) and their `next_cursor`.

use confab_domain::{Message, Seq};

use crate::error::{FieldError, ValidationErrors};
use crate::pagination::{Page, PageLimit};
use crate::ports::SeqWindow;

/// `GET /chats/{id}/messages` once checked: which window and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// The slice of history.
    pub window: SeqWindow,
    /// The page size.
    pub limit: PageLimit,
}

impl HistoryQuery {
    /// Checks the raw query: `before` and `after` exclude each other, seqs are not
    /// negative, `limit` is 1..=100. Every bad field is reported.
    pub fn parse(
        before: Option<i64>,
        after: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let before = before.and_then(|n| errors.check("before", Seq::new(n)));
        let after = after.and_then(|n| errors.check("after", Seq::new(n)));
        if before.is_some() && after.is_some() {
            errors.0.push(FieldError {
                field: "before",
                message: "cannot be combined with after".to_owned(),
            });
        }
        let limit = match PageLimit::parse(limit) {
            Ok(limit) => Some(limit),
            Err(limit_errors) => {
                errors.0.extend(limit_errors.0);
                None
            }
        };
        let window = match (before, after) {
            (Some(seq), _) => SeqWindow::Before(seq),
            (None, Some(seq)) => SeqWindow::After(seq),
            (None, None) => SeqWindow::Newest,
        };
        errors.finish(|| limit.map(|limit| Self { window, limit }))
    }
}

/// Cuts up to `limit + 1` ascending rows down to a page. The probe row lies beyond
/// the page's far end: below it for newest/`before` pages (the cursor is then the
/// lowest kept seq, to pass as `before`), above it for `after` pages (the highest
/// kept seq, to pass as `after`). No probe row means nothing more: no cursor.
pub fn next_cursor(
    mut rows: Vec<Message>,
    window: SeqWindow,
    limit: PageLimit,
) -> Page<Message, Seq> {
    let limit = usize::from(limit.get());
    if rows.len() <= limit {
        return Page {
            items: rows,
            next_cursor: None,
        };
    }
    let next_cursor = match window {
        SeqWindow::Newest | SeqWindow::Before(_) => {
            rows.drain(..rows.len() - limit);
            rows.first().map(|m| m.seq)
        }
        SeqWindow::After(_) => {
            rows.truncate(limit);
            rows.last().map(|m| m.seq)
        }
    };
    Page {
        items: rows,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use confab_domain::{ChatId, MessageId, UserId};

    fn messages(seqs: std::ops::RangeInclusive<i64>) -> Vec<Message> {
        let chat_id = ChatId::generate();
        let author_id = UserId::generate();
        seqs.map(|n| Message {
            id: MessageId::generate(),
            chat_id,
            seq: Seq::new(n).expect("positive"),
            author_id,
            body: None,
            attachments: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            created_at: Utc::now(),
            edited_at: None,
            deleted_at: Some(Utc::now()),
        })
        .collect()
    }

    fn seqs(page: &Page<Message, Seq>) -> Vec<i64> {
        page.items.iter().map(|m| m.seq.get()).collect()
    }

    fn limit(n: i64) -> PageLimit {
        PageLimit::parse(Some(n)).expect("valid limit")
    }

    #[test]
    fn newest_and_before_pages_drop_the_lowest_probe_row() {
        for window in [
            SeqWindow::Newest,
            SeqWindow::Before(Seq::new(9).expect("ok")),
        ] {
            let page = next_cursor(messages(2..=8), window, limit(6));
            assert_eq!(seqs(&page), vec![3, 4, 5, 6, 7, 8]);
            assert_eq!(page.next_cursor.map(Seq::get), Some(3));
        }
    }

    #[test]
    fn after_pages_drop_the_highest_probe_row() {
        let page = next_cursor(messages(4..=7), SeqWindow::After(Seq::FIRST), limit(3));
        assert_eq!(seqs(&page), vec![4, 5, 6]);
        assert_eq!(page.next_cursor.map(Seq::get), Some(6));
    }

    #[test]
    fn a_short_page_has_no_cursor() {
        for window in [SeqWindow::Newest, SeqWindow::After(Seq::ZERO)] {
            let page = next_cursor(messages(1..=3), window, limit(3));
            assert_eq!(seqs(&page), vec![1, 2, 3]);
            assert_eq!(page.next_cursor, None);
        }
        let empty = next_cursor(Vec::new(), SeqWindow::Newest, limit(1));
        assert!(empty.items.is_empty() && empty.next_cursor.is_none());
    }

    /// What a repository returns for `window`: up to `take` of the closest stored
    /// seqs, ascending.
    fn stored_window(stored: &[i64], window: SeqWindow, take: usize) -> Vec<Message> {
        let picked: Vec<i64> = match window {
            SeqWindow::Newest => stored.iter().rev().take(take).rev().copied().collect(),
            SeqWindow::Before(seq) => {
                let below: Vec<i64> = stored.iter().copied().filter(|s| *s < seq.get()).collect();
                below[below.len().saturating_sub(take)..].to_vec()
            }
            SeqWindow::After(seq) => stored
                .iter()
                .copied()
                .filter(|s| *s > seq.get())
                .take(take)
                .collect(),
        };
        picked.into_iter().flat_map(|n| messages(n..=n)).collect()
    }

    /// Follows `next_cursor` from `start` and returns every page's seqs.
    fn walk(stored: &[i64], start: SeqWindow, size: i64) -> Vec<Vec<i64>> {
        let limit = limit(size);
        let mut window = start;
        let mut pages = Vec::new();
        loop {
            let rows = stored_window(stored, window, usize::from(limit.get()) + 1);
            let page = next_cursor(rows, window, limit);
            pages.push(seqs(&page));
            let Some(seq) = page.next_cursor else {
                return pages;
            };
            window = match start {
                SeqWindow::After(_) => SeqWindow::After(seq),
                SeqWindow::Newest | SeqWindow::Before(_) => SeqWindow::Before(seq),
            };
        }
    }

    #[test]
    fn walks_return_every_message_once_whatever_the_gaps_and_page_size() {
        // Every history of up to 10 messages with gaps (removed seqs) of every shape,
        // walked both ways with every page size from 1 to 4.
        for mask in 0_u32..1024 {
            let stored: Vec<i64> = (0..10)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| i + 2)
                .collect();
            for size in 1..=4 {
                for start in [SeqWindow::Newest, SeqWindow::After(Seq::ZERO)] {
                    let pages = walk(&stored, start, size);
                    let mut all: Vec<i64> = pages.concat();
                    for page in &pages {
                        assert!(page.windows(2).all(|w| w[0] < w[1]), "ascending {page:?}");
                        assert!(page.len() <= usize::try_from(size).expect("small"));
                    }
                    all.sort_unstable();
                    assert_eq!(all, stored, "mask {mask:b}, size {size}, {start:?}");
                    let full = stored.len().div_ceil(usize::try_from(size).expect("small"));
                    assert_eq!(pages.len(), full.max(1), "no empty trailing page");
                }
            }
        }
    }

    #[test]
    fn query_refuses_both_directions_and_bad_numbers() {
        assert_eq!(
            HistoryQuery::parse(None, None, None).map(|q| q.window),
            Ok(SeqWindow::Newest)
        );
        assert_eq!(
            HistoryQuery::parse(None, Some(0), Some(10)).map(|q| q.window),
            Ok(SeqWindow::After(Seq::ZERO))
        );
        let both = HistoryQuery::parse(Some(5), Some(1), None).expect_err("exclusive");
        assert_eq!(both.0[0].field, "before");
        let bad = HistoryQuery::parse(Some(-1), None, Some(0)).expect_err("negative and 0");
        let fields: Vec<_> = bad.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["before", "limit"]);
    }
}
