//! The eraser survives `kill -9`: a node erasing an account with a few thousand
//! messages is killed midway, a new node on the same PostgreSQL database finishes,
//! and every message was tombstoned exactly once in a gapless log.

use std::process::Command;
use std::time::Duration;

use confab_application::ports::{MessageRepository, NewMessage};
use confab_domain::{ChatId, MessageBody, MessageId, UserId};
use confab_infrastructure::persistence::{SeaOrmMessageRepository, connect};
use confab_infrastructure::testing::ScratchDatabase;
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

use crate::support::{Node, delete, post, register, start_node};

const MESSAGES: i64 = 3_000;

/// One number from a query on the test's own connection.
async fn number(db: &DatabaseConnection, sql: &str, chat: uuid::Uuid) -> i64 {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [chat.into()],
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index(0).expect("a number")
}

async fn tombstoned(db: &DatabaseConnection, chat: uuid::Uuid) -> i64 {
    number(
        db,
        "SELECT count(*) FROM messages WHERE chat_id = $1 AND deleted_at IS NOT NULL",
        chat,
    )
    .await
}

async fn start(database: &ScratchDatabase) -> Node {
    // Small batches, so the kill lands between (or inside) many of them.
    start_node(&[
        ("DATABASE_URL", database.url()),
        ("CONFAB_DELETION_BATCH", "50"),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_killed_midway_is_finished_by_the_next_node_exactly_once() {
    let Some(database) =
        ScratchDatabase::postgres_from_env("erasure_kill", "confab_cluster_").await
    else {
        return;
    };
    let node = start(&database).await;
    let (alice_id, alice) = register(&node, "alice").await;
    let (bob_id, _) = register(&node, "bob").await;
    let chat = post(
        &node,
        "/api/v1/chats",
        Some(&alice),
        &json!({"type": "group", "name": "Big", "member_ids": [bob_id]}),
    )
    .await;
    let chat_id: ChatId = chat["id"].as_str().expect("chat id").parse().expect("uuid");
    let author: UserId = alice_id.parse().expect("user id");
    let db = connect(database.url(), 4).await.expect("db");
    seed(&db, chat_id, author).await;
    let chat = chat_id.as_uuid();
    let log_before = number(
        &db,
        "SELECT count(*) FROM chat_events WHERE chat_id = $1",
        chat,
    )
    .await;

    let deleted = delete(
        &node,
        "/api/v1/me",
        &alice,
        &json!({"current_password": "password123"}),
    )
    .await;
    assert_eq!(deleted, 204);
    // Kill the node once the erasure is under way, without any chance to stop.
    let mut done = 0;
    for _ in 0..2_000 {
        done = tombstoned(&db, chat).await;
        if done >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let killed = Command::new("kill")
        .args(["-9", &node.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    drop(node);
    let at_kill = tombstoned(&db, chat).await;
    assert!(
        done >= 200 && at_kill < MESSAGES,
        "killed midway: {at_kill}"
    );

    // A new node resumes at start and finishes the account.
    let node = start(&database).await;
    assert!(erased_in_time(&db, author).await, "the account was erased");
    drop(node);
    assert_erased_once(&db, chat, log_before).await;
}

/// `MESSAGES` messages by `author`, straight through the send path (batched
/// commits), not over HTTP.
async fn seed(db: &DatabaseConnection, chat_id: ChatId, author: UserId) {
    let repository = SeaOrmMessageRepository::new(db.clone());
    futures_util::stream::iter(0..MESSAGES)
        .for_each_concurrent(64, |n| {
            let repository = &repository;
            async move {
                repository
                    .send(NewMessage {
                        id: MessageId::generate(),
                        chat_id,
                        author_id: author,
                        body: Some(MessageBody::parse(format!("message {n}")).expect("body")),
                        attachment_ids: Vec::new(),
                        reply_to_id: None,
                        client_message_id: None,
                        now: chrono::Utc::now(),
                    })
                    .await
                    .expect("stored");
            }
        })
        .await;
}

/// Whether `user` gets `erased_at` within two minutes.
async fn erased_in_time(db: &DatabaseConnection, user: UserId) -> bool {
    for _ in 0..1_200 {
        let sql = "SELECT count(*) FROM users WHERE id = $1 AND erased_at IS NULL";
        if number(db, sql, user.as_uuid()).await == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Every message of the chat tombstoned, each by exactly one `message.deleted`, in a
/// gapless log that grew by those and the leave; one member left.
async fn assert_erased_once(db: &DatabaseConnection, chat: uuid::Uuid, log_before: i64) {
    assert_eq!(tombstoned(db, chat).await, MESSAGES);
    let deletions = number(
        db,
        "SELECT count(*) FROM chat_events WHERE chat_id = $1 AND kind = 'message.deleted'",
        chat,
    )
    .await;
    let distinct = number(
        db,
        "SELECT count(DISTINCT message_id) FROM chat_events \
         WHERE chat_id = $1 AND kind = 'message.deleted'",
        chat,
    )
    .await;
    assert_eq!(
        (deletions, distinct),
        (MESSAGES, MESSAGES),
        "each exactly once"
    );
    // Gapless: seqs 1..=n, n entries; the deletions and the leave were appended.
    let entries = number(
        db,
        "SELECT count(*) FROM chat_events WHERE chat_id = $1",
        chat,
    )
    .await;
    let last = number(
        db,
        "SELECT max(seq) FROM chat_events WHERE chat_id = $1",
        chat,
    )
    .await;
    assert_eq!(entries, last);
    // The owner hand-over (member.updated) and the leave (member.removed).
    assert_eq!(entries, log_before + MESSAGES + 2);
    let members = number(
        db,
        "SELECT count(*) FROM chat_members WHERE chat_id = $1",
        chat,
    )
    .await;
    assert_eq!(members, 1);
}
