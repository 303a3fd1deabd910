//! The behaviour every store promises, each test once, run on every store by
//! `store_contract!`.

use bytes::Bytes;
use confab_application::ports::{ByteRange, ObjectStore, StoreError};

use crate::support::{key, listed, put, read};

/// Generates `<test>::memory`, `<test>::local` and `<test>::s3` for each contract test.
macro_rules! store_contract {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn memory() {
                super::$test(&*confab_infrastructure::files::memory()).await;
            }

            #[tokio::test]
            async fn local() {
                let dir = crate::support::ScratchDir::new();
                let store = confab_infrastructure::files::local(&dir.0).expect("local store");
                super::$test(&*store).await;
            }

            #[tokio::test]
            async fn s3() {
                let Some(bucket) = crate::s3::Bucket::create().await else {
                    return;
                };
                super::$test(&*bucket.store).await;
            }
        }
    )*};
}

store_contract!(
    chunks_written_read_back_whole,
    an_object_larger_than_a_part_survives_the_split,
    ranges_serve_the_bytes_they_name,
    ranges_outside_the_object_are_not_satisfiable,
    missing_objects_are_not_found,
    delete_removes_and_is_idempotent,
    list_finds_keys_by_prefix,
    aborted_writes_leave_nothing,
    dropped_writers_leave_nothing,
    empty_objects,
    finishing_again_replaces_the_object,
);

async fn chunks_written_read_back_whole(store: &dyn ObjectStore) {
    let key = key("greeting");
    put(store, &key, &[b"hello, ", b"", b"wor", b"ld"]).await;
    let (bytes, range, size) = read(store, &key, None).await.expect("read");
    assert_eq!(bytes, b"hello, world");
    assert_eq!((range, size), (Some((0, 11)), 12));
}

async fn an_object_larger_than_a_part_survives_the_split(store: &dyn ObjectStore) {
    // 7.5 MiB in three chunks: two parts of S3's 5 MiB minimum, the second short.
    let chunk: Vec<u8> = (0..2_621_440_u32).map(|i| (i % 251) as u8).collect();
    let key = key("large");
    put(store, &key, &[&chunk, &chunk, &chunk]).await;
    let (bytes, _, size) = read(store, &key, None).await.expect("read");
    assert_eq!(size, 3 * 2_621_440);
    assert_eq!(bytes, [&chunk[..], &chunk, &chunk].concat());
    let (tail, range, _) = read(store, &key, Some(ByteRange::Suffix(3)))
        .await
        .expect("read the tail");
    assert_eq!(tail, &chunk[chunk.len() - 3..]);
    assert_eq!(range, Some((size - 3, size - 1)));
}

async fn ranges_serve_the_bytes_they_name(store: &dyn ObjectStore) {
    let key = key("digits");
    put(store, &key, &[b"01234", b"56789"]).await;
    for (range, bytes, served) in [
        (ByteRange::Closed { start: 3, end: 6 }, &b"3456"[..], (3, 6)),
        (ByteRange::Closed { start: 8, end: 99 }, b"89", (8, 9)),
        (ByteRange::Closed { start: 0, end: 0 }, b"0", (0, 0)),
        (ByteRange::From(7), b"789", (7, 9)),
        (ByteRange::From(0), b"0123456789", (0, 9)),
        (ByteRange::Suffix(2), b"89", (8, 9)),
        (ByteRange::Suffix(50), b"0123456789", (0, 9)),
    ] {
        let (read_bytes, read_range, size) = read(store, &key, Some(range))
            .await
            .unwrap_or_else(|error| panic!("{range:?}: {error}"));
        assert_eq!(read_bytes, bytes, "{range:?}");
        assert_eq!((read_range, size), (Some(served), 10), "{range:?}");
    }
}

async fn ranges_outside_the_object_are_not_satisfiable(store: &dyn ObjectStore) {
    let key = key("short");
    put(store, &key, &[b"abc"]).await;
    for range in [
        ByteRange::Closed { start: 3, end: 5 },
        ByteRange::Closed { start: 2, end: 1 },
        ByteRange::From(3),
        ByteRange::From(u64::MAX),
        ByteRange::Suffix(0),
    ] {
        let outcome = read(store, &key, Some(range)).await;
        assert!(
            matches!(outcome, Err(StoreError::RangeNotSatisfiable)),
            "{range:?}: {outcome:?}"
        );
    }
}

async fn missing_objects_are_not_found(store: &dyn ObjectStore) {
    let key = key("never-written");
    for range in [None, Some(ByteRange::From(0)), Some(ByteRange::Suffix(1))] {
        let outcome = read(store, &key, range).await;
        assert!(
            matches!(outcome, Err(StoreError::NotFound)),
            "{range:?}: {outcome:?}"
        );
    }
}

async fn delete_removes_and_is_idempotent(store: &dyn ObjectStore) {
    let key = key("doomed");
    put(store, &key, &[b"bye"]).await;
    store.delete(&key).await.expect("delete");
    assert!(matches!(
        read(store, &key, None).await,
        Err(StoreError::NotFound)
    ));
    store.delete(&key).await.expect("deleting again is fine");
    store
        .delete(&crate::support::key("never-written"))
        .await
        .expect("deleting what never was is fine");
}

async fn list_finds_keys_by_prefix(store: &dyn ObjectStore) {
    let root = key("listing");
    for name in ["uploads/a1", "uploads/a2", "uploads/b1", "thumbnails/a1"] {
        put(store, &format!("{root}/{name}"), &[b"x"]).await;
    }
    let listed = |prefix: String| async move { listed(store, &prefix).await };
    // (The port lists in no set order; `listed` sorts.)
    assert_eq!(
        listed(format!("{root}/uploads/")).await,
        [
            format!("{root}/uploads/a1"),
            format!("{root}/uploads/a2"),
            format!("{root}/uploads/b1")
        ]
    );
    // Any string is a prefix, not only whole path segments.
    assert_eq!(
        listed(format!("{root}/uploads/a")).await,
        [format!("{root}/uploads/a1"), format!("{root}/uploads/a2")]
    );
    assert_eq!(
        listed(format!("{root}/thumb")).await,
        [format!("{root}/thumbnails/a1")]
    );
    assert!(listed(format!("{root}/nothing/")).await.is_empty());
    assert_eq!(listed(format!("{root}/")).await.len(), 4);
}

async fn aborted_writes_leave_nothing(store: &dyn ObjectStore) {
    let key = key("aborted");
    let mut writer = store
        .writer(&key, &crate::support::headers())
        .await
        .expect("writer");
    writer
        .write(Bytes::from_static(b"half"))
        .await
        .expect("write");
    writer.abort().await.expect("abort");
    assert!(matches!(
        read(store, &key, None).await,
        Err(StoreError::NotFound)
    ));
    assert!(listed(store, &key).await.is_empty());
}

async fn dropped_writers_leave_nothing(store: &dyn ObjectStore) {
    let key = key("dropped");
    let mut writer = store
        .writer(&key, &crate::support::headers())
        .await
        .expect("writer");
    writer
        .write(Bytes::from_static(b"half"))
        .await
        .expect("write");
    // Unfinished, the object is not visible yet...
    assert!(matches!(
        read(store, &key, None).await,
        Err(StoreError::NotFound)
    ));
    drop(writer);
    // ...nor after the writer is gone (a client that hung up mid-upload).
    assert!(matches!(
        read(store, &key, None).await,
        Err(StoreError::NotFound)
    ));
    assert!(listed(store, &key).await.is_empty());
}

async fn empty_objects(store: &dyn ObjectStore) {
    let key = key("empty");
    put(store, &key, &[]).await;
    let (bytes, range, size) = read(store, &key, None).await.expect("read");
    assert!(bytes.is_empty());
    assert_eq!((range, size), (None, 0));
    assert!(matches!(
        read(store, &key, Some(ByteRange::From(0))).await,
        Err(StoreError::RangeNotSatisfiable)
    ));
    assert_eq!(listed(store, &key).await, std::slice::from_ref(&key));
}

async fn finishing_again_replaces_the_object(store: &dyn ObjectStore) {
    let key = key("replaced");
    put(store, &key, &[b"first version"]).await;
    put(store, &key, &[b"second"]).await;
    let (bytes, _, size) = read(store, &key, None).await.expect("read");
    assert_eq!((bytes, size), (b"second".to_vec(), 6));
}
