//! What only the local directory promises: a write is a staging file beside its
//! target until `finish` renames it into place, and nothing of an abandoned write
//! stays on disk. Downloads from the directory and from memory are streamed.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use confab_application::ports::Delivery;
use confab_infrastructure::files;

use crate::support::{ScratchDir, headers, listed, put, read};

/// The files in `dir` (not descending).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_directory_is_created() {
    let dir = ScratchDir::new();
    let nested = dir.0.join("a/b");
    files::local(&nested).expect("local store");
    assert!(nested.is_dir());
}

#[tokio::test]
async fn a_write_is_invisible_until_finished_then_renamed_into_place() {
    let dir = ScratchDir::new();
    let store = files::local(&dir.0).expect("local store");
    let mut writer = store
        .writer("uploads/one", &headers())
        .await
        .expect("writer");
    writer
        .write(Bytes::from_static(b"hello"))
        .await
        .expect("write");
    let uploads = dir.0.join("uploads");
    assert!(!uploads.join("one").exists());
    let staged = files_in(&uploads);
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert!(staged[0].starts_with("one#"), "{staged:?}");
    assert!(listed(&*store, "uploads/").await.is_empty());

    writer.finish().await.expect("finish");
    assert_eq!(files_in(&uploads), ["one"]);
    assert_eq!(
        std::fs::read(uploads.join("one")).expect("the file"),
        b"hello"
    );
}

#[tokio::test]
async fn an_aborted_write_leaves_no_file() {
    let dir = ScratchDir::new();
    let store = files::local(&dir.0).expect("local store");
    let mut writer = store
        .writer("uploads/two", &headers())
        .await
        .expect("writer");
    writer
        .write(Bytes::from_static(b"half"))
        .await
        .expect("write");
    writer.abort().await.expect("abort");
    assert!(files_in(&dir.0.join("uploads")).is_empty());
}

#[tokio::test]
async fn a_dropped_write_leaves_no_file() {
    let dir = ScratchDir::new();
    let store = files::local(&dir.0).expect("local store");
    let mut writer = store
        .writer("uploads/three", &headers())
        .await
        .expect("writer");
    writer
        .write(Bytes::from_static(b"half"))
        .await
        .expect("write");
    drop(writer);
    // The staging file is removed in the background: wait for it (bounded).
    let uploads = dir.0.join("uploads");
    for _ in 0..200 {
        if files_in(&uploads).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(files_in(&uploads).is_empty(), "{:?}", files_in(&uploads));
}

#[tokio::test]
async fn objects_survive_a_new_store_on_the_same_directory() {
    let dir = ScratchDir::new();
    put(
        &*files::local(&dir.0).expect("local store"),
        "uploads/kept",
        &[b"still here"],
    )
    .await;
    let reopened = files::local(&dir.0).expect("local store again");
    let (bytes, _, _) = read(&*reopened, "uploads/kept", None).await.expect("read");
    assert_eq!(bytes, b"still here");
}

#[tokio::test]
async fn the_directory_and_memory_stream_downloads() {
    let dir = ScratchDir::new();
    for store in [files::local(&dir.0).expect("local store"), files::memory()] {
        let delivery = store
            .delivery("uploads/any", Duration::from_mins(5))
            .await
            .expect("delivery");
        assert_eq!(delivery, Delivery::Stream);
    }
}
