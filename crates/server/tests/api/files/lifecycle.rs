//! The file clean-up, driven with the injected clock: unattached uploads go after
//! 24 hours (row, blob, thumbnail) unless they are an avatar, and blobs no row
//! names go after an hour's grace: among them the files of deleted and expired
//! messages.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::TimeDelta;
use confab_application::files::{CleanUp, FileLimits, FileService};
use confab_infrastructure::files;
use confab_infrastructure::media::ImageMedia;
use confab_infrastructure::persistence::SeaOrmUploadRepository;
use reqwest::Method;
use serde_json::json;

use super::{id_of, png, uploaded};
use crate::api_test;
use crate::helpers::{PASSWORD, TestApp};

/// One run of the clean-up the server's background job runs, on the server's
/// database, files directory and clock.
async fn clean_up(app: &TestApp) -> CleanUp {
    let files = FileService::new(
        Arc::new(SeaOrmUploadRepository::new(app.db.clone())),
        files::local(&app.files_dir).expect("files dir"),
        Arc::new(ImageMedia),
        app.clock.clone(),
        FileLimits::default(),
    );
    files.clean_up().await.expect("clean-up")
}

fn blob(app: &TestApp, key: &str) -> PathBuf {
    app.files_dir.join(key)
}

async fn unattached_uploads_go_after_a_day_but_avatars_stay(app: TestApp) {
    let alice = app.register("alice").await;
    let note = uploaded(&app, &alice, "note.txt", b"remember the milk").await;
    let photo = uploaded(&app, &alice, "photo.png", &png(400, 300)).await;
    let avatar = uploaded(&app, &alice, "me.png", &png(64, 64)).await;
    let set = app
        .send_json(
            Method::PUT,
            "/api/v1/me/avatar",
            Some(&alice.access),
            &json!({ "upload_id": id_of(&avatar) }),
        )
        .await;
    assert_eq!(set.status().as_u16(), 200);
    let (note, photo, avatar) = (id_of(&note), id_of(&photo), id_of(&avatar));
    assert!(blob(&app, &format!("thumbnails/{photo}")).exists());

    // Not yet a day old: everything stays.
    app.clock.advance(TimeDelta::hours(23));
    // Access tokens are short-lived: sign in again after moving the clock.
    let alice = app.login("alice", PASSWORD).await;
    let fresh = uploaded(&app, &alice, "fresh.txt", b"just sent").await;
    let fresh = id_of(&fresh);
    assert_eq!(clean_up(&app).await.stale_uploads, 0);
    let still = app
        .get(&format!("/api/v1/files/{note}"), &alice.access)
        .await;
    assert_eq!(still.status().as_u16(), 200);

    app.clock
        .advance(TimeDelta::hours(1) + TimeDelta::minutes(1));
    let alice = app.login("alice", PASSWORD).await;
    assert_eq!(
        clean_up(&app).await.stale_uploads,
        2,
        "the note and the photo"
    );
    for gone in [note, photo] {
        let file = app
            .get(&format!("/api/v1/files/{gone}"), &alice.access)
            .await;
        assert_eq!(file.status().as_u16(), 404, "{gone}");
        assert!(!blob(&app, &format!("uploads/{gone}")).exists(), "{gone}");
    }
    assert!(!blob(&app, &format!("thumbnails/{photo}")).exists());

    // The avatar and the upload younger than a day stay, bytes and all.
    for kept in [avatar, fresh] {
        let file = app
            .get(&format!("/api/v1/files/{kept}"), &alice.access)
            .await;
        assert_eq!(file.status().as_u16(), 200, "{kept}");
        assert!(blob(&app, &format!("uploads/{kept}")).exists(), "{kept}");
    }
    assert!(blob(&app, &format!("thumbnails/{avatar}")).exists());
    let me = app.get("/api/v1/me", &alice.access).await;
    let me: serde_json::Value = me.json().await.expect("json");
    let expected = format!("/api/v1/files/{avatar}/thumbnail");
    assert_eq!(me["avatar_url"], expected.as_str());
}
api_test!(unattached_uploads_go_after_a_day_but_avatars_stay);

async fn blobs_no_row_names_go_after_an_hour(app: TestApp) {
    let alice = app.register("alice").await;
    let kept = uploaded(&app, &alice, "kept.txt", b"has a row").await;
    let kept = id_of(&kept);
    // As a node that died between writing a blob and its row, or a message purged
    // for good (its uploads' rows go with it), would leave them.
    let orphan = uuid::Uuid::now_v7();
    let orphan_thumbnail = uuid::Uuid::now_v7();
    let foreign = "uploads/not-an-upload-id";
    for key in [
        format!("uploads/{orphan}"),
        format!("thumbnails/{orphan_thumbnail}"),
        foreign.to_owned(),
    ] {
        let path = blob(&app, &key);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
        std::fs::write(path, b"no row").expect("write a blob");
    }

    // Within the grace period a blob may be an upload in flight: it stays.
    app.clock.advance(TimeDelta::minutes(59));
    assert_eq!(clean_up(&app).await.orphan_blobs, 0);
    assert!(blob(&app, &format!("uploads/{orphan}")).exists());

    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(clean_up(&app).await.orphan_blobs, 2);
    assert!(!blob(&app, &format!("uploads/{orphan}")).exists());
    assert!(!blob(&app, &format!("thumbnails/{orphan_thumbnail}")).exists());
    // A blob with a row stays, and so does a key confab never chose.
    assert!(blob(&app, &format!("uploads/{kept}")).exists());
    let alice = app.login("alice", PASSWORD).await;
    let file = app
        .get(&format!("/api/v1/files/{kept}"), &alice.access)
        .await;
    assert_eq!(file.status().as_u16(), 200);
    assert!(blob(&app, foreign).exists());
}
api_test!(blobs_no_row_names_go_after_an_hour);

/// Sends `upload` to a new group of alice's; returns (chat id, message id).
async fn sent_with(
    app: &TestApp,
    alice: &crate::helpers::TestUser,
    upload: &str,
) -> (String, String) {
    let chat = crate::ws::client::group(app, &alice.access, &[]).await;
    let response = app
        .send_json(
            Method::POST,
            &format!("/api/v1/chats/{chat}/messages"),
            Some(&alice.access),
            &json!({ "attachment_ids": [upload] }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let message: serde_json::Value = response.json().await.expect("json");
    (chat, message["id"].as_str().expect("id").to_owned())
}

async fn files_of_deleted_and_expired_messages_leave_the_store(app: TestApp) {
    let alice = app.register("alice").await;
    let deleted = uploaded(&app, &alice, "deleted.png", &png(400, 300)).await;
    let expiring = uploaded(&app, &alice, "expiring.txt", b"for a minute").await;
    let kept = uploaded(&app, &alice, "kept.txt", b"stays").await;
    let (deleted, expiring, kept) = (id_of(&deleted), id_of(&expiring), id_of(&kept));

    let (chat, message) = sent_with(&app, &alice, deleted).await;
    let tombstone = app
        .request(
            Method::DELETE,
            &format!("/api/v1/chats/{chat}/messages/{message}"),
            Some(&alice.access),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(tombstone.status().as_u16(), 204);
    let (chat, _) = sent_with(&app, &alice, expiring).await;
    let ttl = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/chats/{chat}"),
            Some(&alice.access),
            &json!({ "message_ttl_seconds": 60 }),
        )
        .await;
    assert_eq!(ttl.status().as_u16(), 200);
    sent_with(&app, &alice, kept).await;

    // The reaper deletes the expired message for good; its upload's row goes too.
    app.clock.advance(TimeDelta::minutes(61));
    let messages = confab_infrastructure::persistence::SeaOrmMessageRepository::new(app.db.clone());
    let purged = confab_application::ports::MessageRepository::purge_expired(
        &messages,
        confab_application::ports::Clock::now(app.clock.as_ref()),
        100,
    )
    .await
    .expect("purge");
    assert_eq!(purged, 1);

    let done = clean_up(&app).await;
    assert_eq!(done.orphan_blobs, 3, "two files and a thumbnail: {done:?}");
    for gone in [
        format!("uploads/{deleted}"),
        format!("thumbnails/{deleted}"),
        format!("uploads/{expiring}"),
    ] {
        assert!(!blob(&app, &gone).exists(), "{gone}");
    }
    assert!(blob(&app, &format!("uploads/{kept}")).exists());
}
api_test!(files_of_deleted_and_expired_messages_leave_the_store);
