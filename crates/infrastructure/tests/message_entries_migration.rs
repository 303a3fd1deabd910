//! Migration `m20261203_000080_message_entries` on SQLite and PostgreSQL: the log
//! entries about messages written before it lose their copies of the message, the
//! other entries keep their payloads, and the log replays as before.

use chrono::{SubsecRound, Utc};
use confab_application::ports::{
    ChatRepository, MessageRepository, NewGroup, NewMessage, NewUser, PasswordHash, SendOutcome,
    UserRepository,
};
use confab_domain::{ChatName, Email, EventPayload, MessageBody, MessageId, Seq, UserId, Username};
use confab_infrastructure::persistence::{
    SeaOrmChatRepository, SeaOrmMessageRepository, SeaOrmUserRepository, connect,
};
use confab_infrastructure::testing::ScratchDatabase;
use confab_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const MIGRATION: &str = "m20261203_000080_message_entries";

/// (kind, payload) of every entry, in seq order (one chat).
async fn entries(db: &DatabaseConnection) -> Vec<(String, String)> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT kind, payload FROM chat_events ORDER BY seq",
    ))
    .await
    .expect("query")
    .iter()
    .map(|row| {
        (
            row.try_get("", "kind").expect("kind"),
            row.try_get("", "payload").expect("payload"),
        )
    })
    .collect()
}

async fn old_copies_are_emptied(scratch: ScratchDatabase) {
    let db = connect(scratch.url(), 2).await.expect("connect");
    let before = Migrator::migrations()
        .iter()
        .position(|migration| migration.name() == MIGRATION)
        .expect("the migration is listed");
    Migrator::up(&db, Some(u32::try_from(before).expect("few migrations")))
        .await
        .expect("migrate to the one before");

    // Today's adapters write to the schema of the migration before (this one
    // changes no column); the entry is then given a copy, as entries had.
    // PostgreSQL keeps microseconds: a time it stores reads back equal.
    let now = Utc::now().trunc_subsecs(3);
    let user = SeaOrmUserRepository::new(db.clone())
        .insert(NewUser {
            id: UserId::generate(),
            username: Username::parse("alice").expect("valid"),
            email: Email::parse("alice@example.com").expect("valid"),
            password_hash: PasswordHash::new("$argon2id$placeholder"),
            display_name: None,
            now,
        })
        .await
        .expect("user")
        .id;
    let created = SeaOrmChatRepository::new(db.clone())
        .create_group(NewGroup {
            id: confab_domain::ChatId::generate(),
            name: ChatName::parse("Team").expect("valid"),
            owner: user,
            members: Vec::new(),
            now,
        })
        .await
        .expect("group");
    let messages = SeaOrmMessageRepository::new(db.clone());
    let SendOutcome::Created(sent) = messages
        .send(NewMessage {
            id: MessageId::generate(),
            chat_id: created.chat_id,
            author_id: user,
            body: Some(MessageBody::parse("the old copy").expect("valid")),
            attachment_ids: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            now,
        })
        .await
        .expect("send")
    else {
        panic!("a new message");
    };
    let copy = serde_json::to_string(&sent.entry.payload).expect("json");
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE chat_events SET payload = $1 WHERE message_id IS NOT NULL"
            }
            _ => "UPDATE chat_events SET payload = ? WHERE message_id IS NOT NULL",
        },
        [copy.clone().into()],
    ))
    .await
    .expect("give the entry its old copy");
    let chat_created = entries(&db).await[0].clone();

    Migrator::up(&db, None).await.expect("migrate");
    assert_eq!(
        entries(&db).await,
        vec![chat_created, ("message.created".to_owned(), String::new())],
        "the message entry's copy is gone, the chat's entry untouched"
    );
    let log = messages
        .events_after(created.chat_id, Seq::ZERO, 10, Utc::now())
        .await
        .expect("replay");
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[1].payload,
        EventPayload::MessageCreated(sent.message),
        "the entry replays its message from the row"
    );
}

#[tokio::test]
async fn sqlite() {
    old_copies_are_emptied(ScratchDatabase::sqlite("confab-migration-")).await;
}

#[tokio::test]
async fn postgres() {
    if let Some(scratch) =
        ScratchDatabase::postgres_from_env("message_entries_migration", "confab_test_").await
    {
        old_copies_are_emptied(scratch).await;
    }
}
