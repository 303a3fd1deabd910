//! `POST /chats/{id}/members`, `DELETE` and `PATCH /chats/{id}/members/{user_id}`.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{
    call, create_direct, event_types, get_ok, json_of, last_member_changes, role_group,
};
use crate::api_test;
use crate::helpers::{TestApp, TestUser, assert_error};

async fn add(app: &TestApp, user: &TestUser, chat: &str, ids: &[&str]) -> reqwest::Response {
    let path = format!("/api/v1/chats/{chat}/members");
    call(
        app,
        Method::POST,
        &path,
        user,
        Some(json!({"user_ids": ids})),
    )
    .await
}

async fn remove(app: &TestApp, user: &TestUser, chat: &str, target: &str) -> reqwest::Response {
    let path = format!("/api/v1/chats/{chat}/members/{target}");
    call(app, Method::DELETE, &path, user, None).await
}

async fn set_role(
    app: &TestApp,
    user: &TestUser,
    chat: &str,
    target: &str,
    role: &str,
) -> reqwest::Response {
    let path = format!("/api/v1/chats/{chat}/members/{target}");
    call(app, Method::PATCH, &path, user, Some(json!({"role": role}))).await
}

fn role_of(chat: &Value, user: &TestUser) -> Value {
    chat["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == user.id.as_str())
        .map_or(Value::Null, |m| m["role"].clone())
}

async fn managers_add_members_once(app: TestApp) {
    let g = role_group(&app).await;
    let newcomer = app.register("newcomer").await;
    assert_error(
        add(&app, &g.member, &g.chat, &[&newcomer.id]).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        add(&app, &g.outsider, &g.chat, &[&newcomer.id]).await,
        404,
        "chat_not_found",
    )
    .await;
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_error(
        add(&app, &g.admin, &g.chat, &[&newcomer.id, &unknown]).await,
        404,
        "user_not_found",
    )
    .await;
    let added = add(&app, &g.admin, &g.chat, &[&newcomer.id, &g.member.id]).await;
    assert_eq!(added.status(), 200);
    let chat = json_of(added).await;
    assert_eq!(chat["member_count"], 4);
    assert_eq!(role_of(&chat, &newcomer), "member");
    assert_eq!(
        last_member_changes(&app, &g.owner, &g.chat, 1).await,
        [(
            "member.added".to_owned(),
            json!(newcomer.id),
            json!(g.admin.id)
        )],
        "the adder is the actor"
    );
    // Adding an existing member changes nothing and logs nothing.
    let before = event_types(&app, &g.owner, &g.chat).await;
    let again = json_of(add(&app, &g.owner, &g.chat, &[&newcomer.id]).await).await;
    assert_eq!(again["member_count"], 4);
    assert_eq!(event_types(&app, &g.owner, &g.chat).await, before);
    assert_eq!(before.iter().filter(|t| *t == "member.added").count(), 1);
    let nobody = add(&app, &g.admin, &g.chat, &[]).await;
    assert_eq!(nobody.status(), 200);
    assert_eq!(event_types(&app, &g.owner, &g.chat).await, before);
    // The newcomer sees the whole history, also from before joining.
    let events = get_ok(&app, &newcomer, &format!("/api/v1/chats/{}/events", g.chat)).await;
    assert_eq!(events["items"][0]["type"], "chat.created");
}
api_test!(managers_add_members_once);

async fn removal_follows_the_role_rules(app: TestApp) {
    let g = role_group(&app).await;
    assert_error(
        remove(&app, &g.member, &g.chat, &g.admin.id).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        remove(&app, &g.admin, &g.chat, &g.owner.id).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        remove(&app, &g.outsider, &g.chat, &g.member.id).await,
        404,
        "chat_not_found",
    )
    .await;
    assert_error(
        remove(&app, &g.owner, &g.chat, &g.outsider.id).await,
        404,
        "member_not_found",
    )
    .await;
    assert_eq!(
        remove(&app, &g.admin, &g.chat, &g.member.id).await.status(),
        204
    );
    assert_eq!(
        last_member_changes(&app, &g.owner, &g.chat, 1).await,
        [(
            "member.removed".to_owned(),
            json!(g.member.id),
            json!(g.admin.id)
        )],
        "the remover is the actor"
    );
    // The removed member no longer sees the chat.
    assert_error(
        app.get(&format!("/api/v1/chats/{}", g.chat), &g.member.access)
            .await,
        404,
        "chat_not_found",
    )
    .await;
    assert_eq!(
        remove(&app, &g.owner, &g.chat, &g.admin.id).await.status(),
        204
    );
    let chat = get_ok(&app, &g.owner, &format!("/api/v1/chats/{}", g.chat)).await;
    assert_eq!(chat["member_count"], 1);
}
api_test!(removal_follows_the_role_rules);

async fn an_owner_who_leaves_hands_over_and_the_last_one_out_deletes(app: TestApp) {
    let g = role_group(&app).await;
    assert_eq!(
        remove(&app, &g.owner, &g.chat, &g.owner.id).await.status(),
        204
    );
    let chat = get_ok(&app, &g.admin, &format!("/api/v1/chats/{}", g.chat)).await;
    assert_eq!(role_of(&chat, &g.admin), "owner");
    // Leaving, and the hand-over it causes, are the leaver's doing.
    assert_eq!(
        last_member_changes(&app, &g.admin, &g.chat, 2).await,
        [
            (
                "member.updated".to_owned(),
                json!(g.admin.id),
                json!(g.owner.id)
            ),
            (
                "member.removed".to_owned(),
                json!(g.owner.id),
                json!(g.owner.id)
            ),
        ]
    );
    // Plain members may leave too.
    assert_eq!(
        remove(&app, &g.member, &g.chat, &g.member.id)
            .await
            .status(),
        204
    );
    assert_eq!(
        last_member_changes(&app, &g.admin, &g.chat, 1).await,
        [(
            "member.removed".to_owned(),
            json!(g.member.id),
            json!(g.member.id)
        )]
    );
    assert_eq!(
        remove(&app, &g.admin, &g.chat, &g.admin.id).await.status(),
        204
    );
    assert_error(
        app.get(&format!("/api/v1/chats/{}", g.chat), &g.admin.access)
            .await,
        404,
        "chat_not_found",
    )
    .await;
}
api_test!(an_owner_who_leaves_hands_over_and_the_last_one_out_deletes);

async fn only_the_owner_changes_roles(app: TestApp) {
    let g = role_group(&app).await;
    assert_error(
        set_role(&app, &g.admin, &g.chat, &g.member.id, "admin").await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        set_role(&app, &g.member, &g.chat, &g.member.id, "admin").await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        set_role(&app, &g.outsider, &g.chat, &g.member.id, "admin").await,
        404,
        "chat_not_found",
    )
    .await;
    assert_error(
        set_role(&app, &g.owner, &g.chat, &g.owner.id, "member").await,
        403,
        "forbidden",
    )
    .await;
    assert_error(
        set_role(&app, &g.owner, &g.chat, &g.outsider.id, "admin").await,
        404,
        "member_not_found",
    )
    .await;
    assert_error(
        set_role(&app, &g.owner, &g.chat, &g.member.id, "boss").await,
        422,
        "validation_failed",
    )
    .await;
    let promoted = set_role(&app, &g.owner, &g.chat, &g.member.id, "admin").await;
    assert_eq!(promoted.status(), 200);
    let member = json_of(promoted).await;
    assert_eq!(member["user_id"], g.member.id.as_str());
    assert_eq!(member["role"], "admin");
    // Handing over: the old owner becomes admin, two member.updated entries.
    let before = event_types(&app, &g.owner, &g.chat).await.len();
    let handed = json_of(set_role(&app, &g.owner, &g.chat, &g.member.id, "owner").await).await;
    assert_eq!(handed["role"], "owner");
    let types = event_types(&app, &g.owner, &g.chat).await;
    assert_eq!(
        types[before..],
        ["member.updated", "member.updated"],
        "{types:?}"
    );
    // Both entries are the handing owner's change.
    assert_eq!(
        last_member_changes(&app, &g.owner, &g.chat, 2).await,
        [
            (
                "member.updated".to_owned(),
                json!(g.member.id),
                json!(g.owner.id)
            ),
            (
                "member.updated".to_owned(),
                json!(g.owner.id),
                json!(g.owner.id)
            ),
        ]
    );
    let chat = get_ok(&app, &g.owner, &format!("/api/v1/chats/{}", g.chat)).await;
    assert_eq!(role_of(&chat, &g.owner), "admin");
}
api_test!(only_the_owner_changes_roles);

async fn direct_chats_have_no_membership_routes(app: TestApp) {
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let chat = create_direct(&app, &alice, &bob).await;
    assert_error(
        add(&app, &alice, &chat, &[&carol.id]).await,
        400,
        "not_a_group",
    )
    .await;
    assert_error(
        remove(&app, &alice, &chat, &alice.id).await,
        400,
        "not_a_group",
    )
    .await;
    assert_error(
        remove(&app, &alice, &chat, &bob.id).await,
        400,
        "not_a_group",
    )
    .await;
    assert_error(
        set_role(&app, &alice, &chat, &bob.id, "admin").await,
        400,
        "not_a_group",
    )
    .await;
}
api_test!(direct_chats_have_no_membership_routes);
