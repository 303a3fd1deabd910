//! Keeping the number of distinct statement texts small, so they stay prepared.
//!
//! sqlx prepares each distinct SQL text once per connection and keeps the prepared
//! statement in a per-connection cache; on PostgreSQL a statement that is not in
//! that cache costs an extra round trip (Parse, Describe) and a parse and plan in
//! the backend before it runs. A list of ids bound one parameter each (`id IN ($1,
//! $2, …)`) is a new text for every length, so a batch of sends, whose lists vary
//! from batch to batch, kept pushing its own statements (and everyone else's) out
//! of the cache. So lists bound into `IN (…)` are padded to the next power of two
//! by repeating their last element ([`in_list`]), which changes no result: eight
//! texts for lists of up to 128.
//!
//! The batch's multi-row `INSERT`s still have one text per row count (up to 128
//! each). Cutting the batch to a few sizes would bound that too, but measured it
//! cost a fifth of the sends/s: the sends left over wait a whole batch longer. So
//! the cache ([`STATEMENT_CACHE_CAPACITY`]) is sized to hold them instead.

/// Prepared statements kept per connection (sqlx's default is 100): the send
/// batch's two inserts at up to 128 row counts each, its other statements at eight
/// list lengths, and the rest of confab's hundred or so. What a cached statement
/// costs PostgreSQL is measured in docs/benchmarks.md.
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
}
