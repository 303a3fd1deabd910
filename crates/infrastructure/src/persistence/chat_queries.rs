//! Reads shared by the chat and message repositories: rows to domain types, members
//! with their names, and the expiry filter every message query applies.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_domain::{
    Chat, ChatKind, ChatName, ChatSnapshot, ClientMessageId, DisplayName, Member, MemberRole,
    Message, MessageBody, MessageId, MessageTtl, Seq, UserId, Username,
};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::attachments::one_with_files;
use super::entities::{chat_members, chats, messages, users};
use super::storage;

/// Wraps a value that failed to parse out of a row. (Text is taken as stored: it was
/// checked when written, and a stricter rule since must not make it unreadable.)
fn corrupt(what: &str, error: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::corrupt(format!("corrupt {what} row: {error}"))
}

/// The chat row as a domain chat.
pub(super) fn chat_from_row(row: chats::Model) -> Result<Chat, RepositoryError> {
    Ok(Chat {
        id: row.id.into(),
        kind: row
            .kind
            .parse::<ChatKind>()
            .map_err(|e| corrupt("chat", e))?,
        name: row.name.map(ChatName::from_stored),
        created_at: row.created_at,
        last_seq: Seq::new(row.last_seq).map_err(|e| corrupt("chat", e))?,
        message_ttl: row
            .message_ttl_seconds
            .map(MessageTtl::from_seconds)
            .transpose()
            .map_err(|e| corrupt("chat", e))?,
        last_activity_at: row.last_activity_at,
    })
}

/// The message row as a domain message, without its files: a reader that shows
/// them fills them in with `attachments::attach`.
pub(super) fn message_from_row(row: messages::Model) -> Result<Message, RepositoryError> {
    Ok(Message {
        id: row.id.into(),
        chat_id: row.chat_id.into(),
        seq: Seq::new(row.seq).map_err(|e| corrupt("message", e))?,
        author_id: row.author_id.into(),
        body: row.body.map(MessageBody::from_stored),
        attachments: Vec::new(),
        reply_to_id: row.reply_to_id.map(MessageId::from),
        client_message_id: row.client_message_id.map(ClientMessageId::from_stored),
        created_at: row.created_at,
        edited_at: row.edited_at,
        deleted_at: row.deleted_at,
    })
}

/// Parses a stored role.
pub(super) fn role_from_row(role: Option<&str>) -> Result<Option<MemberRole>, RepositoryError> {
    role.map(str::parse::<MemberRole>)
        .transpose()
        .map_err(|e| corrupt("member", e))
}

/// Messages of `chat_id` that have not expired at `now` under `ttl`.
pub(super) fn live_messages(
    chat_id: Uuid,
    ttl: Option<MessageTtl>,
    now: DateTime<Utc>,
) -> Select<messages::Entity> {
    let query = messages::Entity::find().filter(messages::Column::ChatId.eq(chat_id));
    match ttl {
        Some(ttl) => query.filter(messages::Column::CreatedAt.gt(ttl.cutoff(now))),
        None => query,
    }
}

/// The chat row, if it exists.
pub(super) async fn load_chat<C: ConnectionTrait>(
    conn: &C,
    chat_id: Uuid,
) -> Result<Option<chats::Model>, RepositoryError> {
    chats::Entity::find_by_id(chat_id)
        .one(conn)
        .await
        .map_err(storage)
}

#[derive(FromQueryResult)]
struct MemberRow {
    chat_id: Uuid,
    user_id: Uuid,
    username: String,
    display_name: Option<String>,
    role: Option<String>,
    last_read_seq: i64,
    joined_at: DateTime<Utc>,
}

/// The members of `chat_id` with their names, oldest first (ties by user id).
pub(super) async fn members<C: ConnectionTrait>(
    conn: &C,
    chat_id: Uuid,
) -> Result<Vec<Member>, RepositoryError> {
    let rows = members_in(conn, &[chat_id], None).await?;
    Ok(rows.into_iter().map(|(_, member)| member).collect())
}

/// The members of several chats at once, each with its chat id, leaving out
/// `except` (to find the peers of direct chats in one query).
pub(super) async fn members_in<C: ConnectionTrait>(
    conn: &C,
    chat_ids: &[Uuid],
    except: Option<Uuid>,
) -> Result<Vec<(Uuid, Member)>, RepositoryError> {
    use chat_members::Column as M;
    if chat_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::select();
    query
        .columns(
            [M::ChatId, M::UserId, M::Role, M::LastReadSeq, M::JoinedAt]
                .map(|col| (chat_members::Entity, col)),
        )
        .columns([
            (users::Entity, users::Column::Username),
            (users::Entity, users::Column::DisplayName),
        ])
        .from(chat_members::Entity)
        .inner_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::Id)).equals((chat_members::Entity, M::UserId)),
        )
        .and_where(Expr::col((chat_members::Entity, M::ChatId)).is_in(chat_ids.iter().copied()))
        .order_by((chat_members::Entity, M::ChatId), Order::Asc)
        .order_by((chat_members::Entity, M::JoinedSeq), Order::Asc)
        .order_by((chat_members::Entity, M::UserId), Order::Asc);
    if let Some(user_id) = except {
        query.and_where(Expr::col((chat_members::Entity, M::UserId)).ne(user_id));
    }
    let rows = MemberRow::find_by_statement(conn.get_database_backend().build(&query))
        .all(conn)
        .await
        .map_err(storage)?;
    rows.into_iter()
        .map(|row| Ok((row.chat_id, member_from_row(row)?)))
        .collect()
}

fn member_from_row(row: MemberRow) -> Result<Member, RepositoryError> {
    Ok(Member {
        user_id: UserId::from(row.user_id),
        username: Username::from_stored(row.username),
        display_name: row.display_name.map(DisplayName::from_stored),
        role: role_from_row(row.role.as_deref())?,
        last_read_seq: Seq::new(row.last_read_seq).map_err(|e| corrupt("member", e))?,
        joined_at: row.joined_at,
    })
}

/// The chat and its members as stored now.
pub(super) async fn snapshot<C: ConnectionTrait>(
    conn: &C,
    chat_id: Uuid,
) -> Result<Option<ChatSnapshot>, RepositoryError> {
    let Some(row) = load_chat(conn, chat_id).await? else {
        return Ok(None);
    };
    Ok(Some(ChatSnapshot {
        chat: chat_from_row(row)?,
        members: members(conn, chat_id).await?,
    }))
}

/// The highest-seq message of `chat` that has not expired at `now`, tombstones included.
pub(super) async fn last_message<C: ConnectionTrait>(
    conn: &C,
    chat: &Chat,
    now: DateTime<Utc>,
) -> Result<Option<Message>, RepositoryError> {
    let Some(row) = live_messages(chat.id.as_uuid(), chat.message_ttl, now)
        .order_by_desc(messages::Column::Seq)
        .one(conn)
        .await
        .map_err(storage)?
    else {
        return Ok(None);
    };
    one_with_files(conn, row).await.map(Some)
}

/// Messages by others after `last_read`, not deleted, not expired at `now`.
pub(super) async fn unread_count<C: ConnectionTrait>(
    conn: &C,
    chat: &Chat,
    reader: UserId,
    last_read: Seq,
    now: DateTime<Utc>,
) -> Result<i64, RepositoryError> {
    let count = live_messages(chat.id.as_uuid(), chat.message_ttl, now)
        .filter(messages::Column::Seq.gt(last_read.get()))
        .filter(messages::Column::AuthorId.ne(reader.as_uuid()))
        .filter(messages::Column::DeletedAt.is_null())
        .count(conn)
        .await
        .map_err(storage)?;
    i64::try_from(count).map_err(|e| corrupt("count", e))
}

/// How many members `chat_id` has.
pub(super) async fn member_count<C: ConnectionTrait>(
    conn: &C,
    chat_id: Uuid,
) -> Result<u64, RepositoryError> {
    chat_members::Entity::find()
        .filter(chat_members::Column::ChatId.eq(chat_id))
        .count(conn)
        .await
        .map_err(storage)
}

/// How many members each of `chat_ids` has, in one query.
pub(super) async fn member_counts<C: ConnectionTrait>(
    conn: &C,
    chat_ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, RepositoryError> {
    let rows: Vec<(Uuid, i64)> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .column_as(chat_members::Column::UserId.count(), "members")
        .filter(chat_members::Column::ChatId.is_in(chat_ids.iter().copied()))
        .group_by(chat_members::Column::ChatId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(storage)?;
    Ok(rows.into_iter().collect())
}

/// Those of `ids` that have no account, or a deleted one: nobody is added to a chat
/// after their deletion (the erasure job has left, or will leave, every group).
pub(super) async fn unknown_users<C: ConnectionTrait>(
    conn: &C,
    ids: &[UserId],
) -> Result<Vec<UserId>, RepositoryError> {
    let uuids: Vec<Uuid> = ids.iter().map(UserId::as_uuid).collect();
    let found: HashSet<Uuid> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.is_in(uuids))
        .filter(users::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(conn)
        .await
        .map_err(storage)?
        .into_iter()
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !found.contains(&id.as_uuid()))
        .copied()
        .collect())
}
