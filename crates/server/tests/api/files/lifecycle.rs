//! The file clean-up, driven with the injected clock: unattached uploads go after
//! 24 hours (row, blob, thumbnail) unless they are an avatar, and blobs no row
//! names go after an hour's grace.

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
