//! `PUT /me/avatar` and `DELETE /me/avatar`: an image upload of mine becomes my
//! avatar, every view of my profile (private too) shows its URL, and any signed-in
//! user may fetch it.

use reqwest::Method;
use serde_json::{Value, json};

use super::{id_of, png, uploaded};
use crate::api_test;
use crate::helpers::{TestApp, TestUser, assert_error};

async fn set_avatar(app: &TestApp, user: &TestUser, upload_id: &str) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        "/api/v1/me/avatar",
        Some(&user.access),
        &json!({ "upload_id": upload_id }),
    )
    .await
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("json")
}

async fn an_image_of_mine_becomes_my_avatar_everywhere(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let me = json_of(app.get("/api/v1/me", &alice.access).await).await;
    assert_eq!(me["avatar_url"], Value::Null);

    let picture = uploaded(&app, &alice, "me.png", &png(400, 200)).await;
    let expected = format!("/api/v1/files/{}/thumbnail", id_of(&picture));
    let set = json_of(set_avatar(&app, &alice, id_of(&picture)).await).await;
    assert_eq!(set["avatar_url"], expected.as_str());
    let me = json_of(app.get("/api/v1/me", &alice.access).await).await;
    assert_eq!(me["avatar_url"], expected.as_str());

    // A private profile still shows the avatar to others, and search shows it too.
    let private = app
        .send_json(
            Method::PATCH,
            "/api/v1/me",
            Some(&alice.access),
            &json!({ "is_private": true }),
        )
        .await;
    assert_eq!(private.status().as_u16(), 200);
    let seen = json_of(
        app.get(&format!("/api/v1/users/{}", alice.id), &bob.access)
            .await,
    )
    .await;
    assert!(seen.get("location").is_none(), "restricted view: {seen}");
    assert_eq!(seen["avatar_url"], expected.as_str());
    let found = json_of(app.get("/api/v1/users?q=ali", &bob.access).await).await;
    assert_eq!(found["items"][0]["avatar_url"], expected.as_str());
}
api_test!(an_image_of_mine_becomes_my_avatar_everywhere);

async fn anyone_signed_in_may_fetch_an_avatar_but_not_my_other_files(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let picture = uploaded(&app, &alice, "me.png", &png(64, 64)).await;
    let other = uploaded(&app, &alice, "holiday.png", &png(64, 64)).await;
    let thumbnail = format!("/api/v1/files/{}/thumbnail", id_of(&picture));
    let original = format!("/api/v1/files/{}", id_of(&picture));

    // Before it is an avatar, only Alice reads it.
    assert_error(
        app.get(&thumbnail, &bob.access).await,
        404,
        "file_not_found",
    )
    .await;
    json_of(set_avatar(&app, &alice, id_of(&picture)).await).await;
    for path in [&thumbnail, &original] {
        let fetched = app.get(path, &bob.access).await;
        assert_eq!(fetched.status().as_u16(), 200, "{path}");
        let content_type = fetched
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(content_type.starts_with("image/"), "{path}: {content_type}");
    }
    // Her other uploads stay hers.
    let private = format!("/api/v1/files/{}", id_of(&other));
    assert_error(app.get(&private, &bob.access).await, 404, "file_not_found").await;

    // Once it is no longer her avatar, it is hers alone again.
    let removed = app
        .request(Method::DELETE, "/api/v1/me/avatar", Some(&alice.access))
        .send()
        .await
        .expect("send");
    assert_eq!(removed.status().as_u16(), 204);
    assert_error(
        app.get(&thumbnail, &bob.access).await,
        404,
        "file_not_found",
    )
    .await;
    let me = json_of(app.get("/api/v1/me", &alice.access).await).await;
    assert_eq!(me["avatar_url"], Value::Null);
    assert_eq!(
        app.get(&original, &alice.access).await.status().as_u16(),
        200
    );
}
api_test!(anyone_signed_in_may_fetch_an_avatar_but_not_my_other_files);

async fn only_an_image_of_mine_is_accepted(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let text = uploaded(&app, &alice, "notes.txt", b"not a picture").await;
    let bobs = uploaded(&app, &bob, "bob.png", &png(32, 32)).await;
    for (upload_id, why) in [
        (id_of(&text), "not an image"),
        (id_of(&bobs), "someone else's"),
        ("0193b0a0-0000-7000-8000-000000000000", "unknown"),
    ] {
        let refused = set_avatar(&app, &alice, upload_id).await;
        let body = assert_error(refused, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "upload_id", "{why}: {body}");
    }
    // Bob's picture being his avatar (readable by all) does not make it Alice's.
    json_of(set_avatar(&app, &bob, id_of(&bobs)).await).await;
    let refused = set_avatar(&app, &alice, id_of(&bobs)).await;
    assert_error(refused, 422, "validation_failed").await;
    let me = json_of(app.get("/api/v1/me", &alice.access).await).await;
    assert_eq!(me["avatar_url"], Value::Null);

    let unsigned = app
        .send_json(
            Method::PUT,
            "/api/v1/me/avatar",
            None,
            &json!({ "upload_id": id_of(&bobs) }),
        )
        .await;
    assert_eq!(unsigned.status().as_u16(), 401);
    let removed_none = app
        .request(Method::DELETE, "/api/v1/me/avatar", Some(&alice.access))
        .send()
        .await
        .expect("send");
    assert_eq!(removed_none.status().as_u16(), 204);
}
api_test!(only_an_image_of_mine_is_accepted);
