//! The authorization matrix: owner, admin, member and non-member against every chat
//! and message route of a group. Non-members always get `404 chat_not_found`
//! (no existence leak); members lacking the role get `403 forbidden`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_test;
use crate::chats::support::{RoleGroup, call, role_group, send};
use crate::helpers::{TestApp, TestUser};

#[derive(Debug, Clone, Copy)]
enum Route {
    GetChat,
    RenameChat,
    AddMembers,
    RemoveMember,
    ChangeRole,
    SendMessage,
    ListMessages,
    GetMessage,
    EditMembersMessage,
    DeleteOwnersMessage,
    MarkRead,
    ListEvents,
}

/// Expected statuses for owner, admin, member, non-member.
const MATRIX: &[(Route, [u16; 4])] = &[
    (Route::GetChat, [200, 200, 200, 404]),
    (Route::RenameChat, [200, 200, 403, 404]),
    (Route::AddMembers, [200, 200, 403, 404]),
    (Route::RemoveMember, [204, 204, 403, 404]),
    (Route::ChangeRole, [200, 403, 403, 404]),
    (Route::SendMessage, [201, 201, 201, 404]),
    (Route::ListMessages, [200, 200, 200, 404]),
    (Route::GetMessage, [200, 200, 200, 404]),
    (Route::EditMembersMessage, [403, 403, 200, 404]),
    (Route::DeleteOwnersMessage, [204, 204, 403, 404]),
    (Route::MarkRead, [204, 204, 204, 404]),
    (Route::ListEvents, [200, 200, 200, 404]),
];

/// Tries `route` as `who`, with fresh targets so every attempt starts alike.
async fn attempt(
    app: &TestApp,
    g: &RoleGroup,
    extra: &TestUser,
    route: Route,
    who: &TestUser,
) -> reqwest::Response {
    let chat = format!("/api/v1/chats/{}", g.chat);
    let message_path = |m: &Value| format!("{chat}/messages/{}", m["id"].as_str().expect("id"));
    match route {
        Route::GetChat => call(app, Method::GET, &chat, who, None).await,
        Route::RenameChat => {
            call(
                app,
                Method::PATCH,
                &chat,
                who,
                Some(json!({"name": "Team"})),
            )
            .await
        }
        Route::AddMembers => {
            let body = json!({"user_ids": [g.member.id]});
            call(
                app,
                Method::POST,
                &format!("{chat}/members"),
                who,
                Some(body),
            )
            .await
        }
        Route::RemoveMember => {
            let body = json!({"user_ids": [extra.id]});
            let added = call(
                app,
                Method::POST,
                &format!("{chat}/members"),
                &g.owner,
                Some(body),
            )
            .await;
            assert_eq!(added.status(), 200);
            call(
                app,
                Method::DELETE,
                &format!("{chat}/members/{}", extra.id),
                who,
                None,
            )
            .await
        }
        Route::ChangeRole => {
            let path = format!("{chat}/members/{}", g.member.id);
            call(
                app,
                Method::PATCH,
                &path,
                who,
                Some(json!({"role": "member"})),
            )
            .await
        }
        Route::SendMessage => {
            call(
                app,
                Method::POST,
                &format!("{chat}/messages"),
                who,
                Some(json!({"body": "hi"})),
            )
            .await
        }
        Route::ListMessages => call(app, Method::GET, &format!("{chat}/messages"), who, None).await,
        Route::GetMessage => {
            let message = send(app, &g.member, &g.chat, "readable").await;
            call(app, Method::GET, &message_path(&message), who, None).await
        }
        Route::EditMembersMessage => {
            let message = send(app, &g.member, &g.chat, "editable").await;
            call(
                app,
                Method::PATCH,
                &message_path(&message),
                who,
                Some(json!({"body": "edited"})),
            )
            .await
        }
        Route::DeleteOwnersMessage => {
            let message = send(app, &g.owner, &g.chat, "deletable").await;
            call(app, Method::DELETE, &message_path(&message), who, None).await
        }
        Route::MarkRead => {
            call(
                app,
                Method::POST,
                &format!("{chat}/read"),
                who,
                Some(json!({"seq": 2})),
            )
            .await
        }
        Route::ListEvents => call(app, Method::GET, &format!("{chat}/events"), who, None).await,
    }
}

async fn every_route_answers_each_role_as_specified(app: TestApp) {
    let g = role_group(&app).await;
    let extra = app.register("extra").await;
    let roles = [
        ("owner", &g.owner),
        ("admin", &g.admin),
        ("member", &g.member),
        ("non-member", &g.outsider),
    ];
    let mut mismatches = Vec::new();
    for (route, expected) in MATRIX {
        for ((role, who), want) in roles.iter().zip(expected) {
            let response = attempt(&app, &g, &extra, *route, who).await;
            let got = response.status().as_u16();
            if got != *want {
                mismatches.push(format!("{route:?} as {role}: {got}, expected {want}"));
                continue;
            }
            if got >= 400 {
                let body: Value = response.json().await.expect("error body");
                let code = if got == 404 {
                    "chat_not_found"
                } else {
                    "forbidden"
                };
                if body["code"] != code {
                    mismatches.push(format!("{route:?} as {role}: code {}", body["code"]));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
api_test!(every_route_answers_each_role_as_specified);
