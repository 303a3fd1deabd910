//! Keeping the number of distinct statement texts small, so they stay prepared.
//!
//! sqlx prepares each distinct SQL text once per connection and keeps the prepared
//! statement in a per-connection cache; on PostgreSQL a statement that is not in
//! that cache costs an extra round trip (Parse, Describe) and a parse and plan in
//! the backend before it runs. A list of ids bound one parameter each (`id IN ($1,
//! $2, …)`) or a multi-row `INSERT` is a new text for every length, so a batch of
//! sends, whose lengths vary from batch to batch, would keep pushing its own
//! statements (and everyone else's) out of the cache. Two measures bound the texts:
//!
//! - lists bound into `IN (…)` are padded to the next power of two by repeating their
//!   last element ([`in_list`]), which changes no result;
//! - the batch of sends itself is cut to a power of two ([`batch_size`]), so its
//!   multi-row statements come in a handful of row counts.
//!
//! With lists of at most 128 that leaves eight lengths per list, and the cache
//! ([`STATEMENT_CACHE_CAPACITY`]) is sized to hold every text confab runs.

/// Prepared statements kept per connection (sqlx's default is 100). The send batch
/// alone has a few dozen texts at eight lengths each; the rest of confab about a
/// hundred more. A prepared statement costs the server a few kilobytes.
pub(crate) const STATEMENT_CACHE_CAPACITY: usize = 512;

/// `items` padded to the next power of two by repeating the last one: the same
/// `IN (…)` result with one of eight statement texts instead of one per length.
pub(crate) fn in_list<T: Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    if let Some(last) = items.last().cloned() {
        items.resize(items.len().next_power_of_two(), last);
    }
    items
}

/// How many of `waiting` sends to take into the next batch: the largest power of
/// two not above it (the rest make the next batch), so a batch's multi-row
/// statements come in a few row counts only.
pub(crate) fn batch_size(waiting: usize) -> usize {
    match waiting {
        0 => 0,
        n => 1 << n.ilog2(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_list_pads_to_a_power_of_two_with_the_last_item() {
        assert_eq!(in_list(Vec::<u8>::new()), Vec::<u8>::new());
        assert_eq!(in_list([7]), vec![7]);
        assert_eq!(in_list([1, 2, 3]), vec![1, 2, 3, 3]);
        assert_eq!(in_list([1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5, 5, 5, 5]);
        assert_eq!(in_list(1..=64).len(), 64);
    }

    #[test]
    fn lengths_up_to_128_give_eight_list_shapes() {
        let shapes: std::collections::BTreeSet<usize> =
            (1..=128).map(|n| in_list(0..n).len()).collect();
        assert_eq!(shapes.len(), 8);
    }

    #[test]
    fn batch_size_is_the_largest_power_of_two_not_above_the_queue() {
        assert_eq!(batch_size(0), 0);
        assert_eq!(batch_size(1), 1);
        assert_eq!(batch_size(3), 2);
        assert_eq!(batch_size(32), 32);
        assert_eq!(batch_size(127), 64);
        assert_eq!(batch_size(128), 128);
    }
}
