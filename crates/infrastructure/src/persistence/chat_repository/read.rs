//! Reading chats: one member's view, the chat list and the heads of every log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{ChatListCursor, Membership};
use confab_domain::{ChatId, ChatKind, ChatListItem, ChatView, Member, Seq, UserId};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Iterable};
use uuid::Uuid;

use crate::persistence::chat_queries::{
    chat_from_row, last_message, member_counts, members, members_in, role_from_row, unread_count,
};
use crate::persistence::entities::{chat_members, chats};
use crate::persistence::storage;

/// The member's row and the chat's, in one query (every history read starts here).
pub(super) async fn membership<C: ConnectionTrait>(
    conn: &C,
    chat_id: ChatId,
    user_id: UserId,
) -> Result<Option<Membership>, RepositoryError> {
    use chat_members::Column as M;
    let query = Query::select()
        .columns(chats::Column::iter().map(|column| (chats::Entity, column)))
        .expr_as(Expr::col((chat_members::Entity, M::Role)), "member_role")
        .expr_as(
            Expr::col((chat_members::Entity, M::LastReadSeq)),
            "member_last_read_seq",
        )
        .from(chats::Entity)
        .inner_join(
            chat_members::Entity,
            Expr::col((chat_members::Entity, M::ChatId)).equals((chats::Entity, chats::Column::Id)),
        )
        .and_where(Expr::col((chats::Entity, chats::Column::Id)).eq(chat_id.as_uuid()))
        .and_where(Expr::col((chat_members::Entity, M::UserId)).eq(user_id.as_uuid()))
        .to_owned();
    let Some(row) = conn.query_one(&query).await.map_err(storage)? else {
        return Ok(None);
    };
    let chat = chats::Model::from_query_result(&row, "").map_err(storage)?;
    let role: Option<String> = row.try_get("", "member_role").map_err(storage)?;
    let last_read_seq: i64 = row.try_get("", "member_last_read_seq").map_err(storage)?;
    Ok(Some(Membership {
        chat: chat_from_row(chat)?,
        role: role_from_row(role.as_deref())?,
        last_read_seq: Seq::new(last_read_seq).map_err(RepositoryError::new)?,
    }))
}

pub(super) async fn view(
    db: &DatabaseConnection,
    chat_id: ChatId,
    viewer: UserId,
    now: DateTime<Utc>,
) -> Result<Option<ChatView>, RepositoryError> {
    let Some(me) = membership(db, chat_id, viewer).await? else {
        return Ok(None);
    };
    let members = members(db, chat_id.as_uuid()).await?;
    let last_message = last_message(db, &me.chat, now).await?;
    let unread_count = unread_count(db, &me.chat, viewer, me.last_read_seq, now).await?;
    Ok(Some(ChatView {
        snapshot: confab_domain::ChatSnapshot {
            chat: me.chat,
            members,
        },
        last_message,
        unread_count,
    }))
}

/// A chat of the list, with my membership columns.
#[derive(FromQueryResult)]
struct ListRow {
    id: Uuid,
    kind: String,
    name: Option<String>,
    direct_key: Option<String>,
    created_at: DateTime<Utc>,
    last_seq: i64,
    last_activity_at: DateTime<Utc>,
    message_ttl_seconds: Option<i64>,
    my_role: Option<String>,
    my_last_read_seq: i64,
}

/// My chats after the cursor, newest activity first: a keyset on
/// `(last_activity_at, id)`, never an offset.
async fn list_rows(
    db: &DatabaseConnection,
    user_id: UserId,
    after: Option<ChatListCursor>,
    limit: u64,
) -> Result<Vec<ListRow>, RepositoryError> {
    use chats::Column as C;
    let mut query = Query::select();
    query
        .columns(
            [
                C::Id,
                C::Kind,
                C::Name,
                C::DirectKey,
                C::CreatedAt,
                C::LastSeq,
                C::LastActivityAt,
                C::MessageTtlSeconds,
            ]
            .map(|col| (chats::Entity, col)),
        )
        .expr_as(
            Expr::col((chat_members::Entity, chat_members::Column::Role)),
            "my_role",
        )
        .expr_as(
            Expr::col((chat_members::Entity, chat_members::Column::LastReadSeq)),
            "my_last_read_seq",
        )
        .from(chats::Entity)
        .inner_join(
            chat_members::Entity,
            Expr::col((chat_members::Entity, chat_members::Column::ChatId))
                .equals((chats::Entity, C::Id)),
        )
        .and_where(
            Expr::col((chat_members::Entity, chat_members::Column::UserId)).eq(user_id.as_uuid()),
        )
        .order_by((chats::Entity, C::LastActivityAt), Order::Desc)
        .order_by((chats::Entity, C::Id), Order::Desc)
        .limit(limit);
    if let Some(cursor) = after {
        let at = cursor.last_activity_at;
        query.cond_where(
            Cond::any()
                .add(Expr::col((chats::Entity, C::LastActivityAt)).lt(at))
                .add(
                    Cond::all()
                        .add(Expr::col((chats::Entity, C::LastActivityAt)).eq(at))
                        .add(Expr::col((chats::Entity, C::Id)).lt(cursor.chat_id.as_uuid())),
                ),
        );
    }
    ListRow::find_by_statement(db.get_database_backend().build(&query))
        .all(db)
        .await
        .map_err(storage)
}

pub(super) async fn list_for_user(
    db: &DatabaseConnection,
    user_id: UserId,
    after: Option<ChatListCursor>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<ChatListItem>, RepositoryError> {
    let rows = list_rows(db, user_id, after, limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let counts = member_counts(db, &ids).await?;
    let direct: Vec<Uuid> = rows
        .iter()
        .filter(|row| row.kind == ChatKind::Direct.as_str())
        .map(|row| row.id)
        .collect();
    let mut peers: HashMap<Uuid, Member> = members_in(db, &direct, Some(user_id.as_uuid()))
        .await?
        .into_iter()
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let my_role = role_from_row(row.my_role.as_deref())?;
        let my_last_read_seq = Seq::new(row.my_last_read_seq).map_err(RepositoryError::new)?;
        let member_count = counts.get(&row.id).copied().unwrap_or_default();
        let peer = peers.remove(&row.id);
        let chat = chat_from_row(chats::Model {
            id: row.id,
            kind: row.kind,
            name: row.name,
            direct_key: row.direct_key,
            created_at: row.created_at,
            last_seq: row.last_seq,
            last_activity_at: row.last_activity_at,
            message_ttl_seconds: row.message_ttl_seconds,
        })?;
        items.push(ChatListItem {
            member_count,
            peer,
            my_role,
            my_last_read_seq,
            last_message: last_message(db, &chat, now).await?,
            unread_count: unread_count(db, &chat, user_id, my_last_read_seq, now).await?,
            chat,
        });
    }
    Ok(items)
}

pub(super) async fn heads_for_user(
    db: &DatabaseConnection,
    user_id: UserId,
) -> Result<Vec<(ChatId, Seq)>, RepositoryError> {
    let query = Query::select()
        .columns([
            (chats::Entity, chats::Column::Id),
            (chats::Entity, chats::Column::LastSeq),
        ])
        .from(chats::Entity)
        .inner_join(
            chat_members::Entity,
            Expr::col((chat_members::Entity, chat_members::Column::ChatId))
                .equals((chats::Entity, chats::Column::Id)),
        )
        .and_where(
            Expr::col((chat_members::Entity, chat_members::Column::UserId)).eq(user_id.as_uuid()),
        )
        .to_owned();
    let rows = db.query_all(&query).await.map_err(storage)?;
    rows.into_iter()
        .map(|row| {
            let id: Uuid = row.try_get("", "id").map_err(storage)?;
            let seq: i64 = row.try_get("", "last_seq").map_err(storage)?;
            Ok((
                ChatId::from(id),
                Seq::new(seq).map_err(RepositoryError::new)?,
            ))
        })
        .collect()
}
