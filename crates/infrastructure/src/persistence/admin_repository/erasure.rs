//! The erasure job's storage (see `confab_application::admin::ErasureService`): each
//! write is one transaction, and each finds its remaining work in the rows, so it
//! does nothing twice however often it is repeated.

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{RELEASED_NAME_PREFIX, released_name};
use confab_domain::{ChatId, ChatKind, DisplayName, LoggedEvent, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::persistence::attachments::with_files;
use crate::persistence::chat_log::lock_chat;
use crate::persistence::chat_queries::{chat_from_row, live_messages};
use crate::persistence::entities::{chat_members, chats, email_tokens, messages, uploads, users};
use crate::persistence::message_repository::write::tombstone;
use crate::persistence::{begin_write, storage};

pub(super) async fn next_to_erase(
    db: &DatabaseConnection,
) -> Result<Option<UserId>, RepositoryError> {
    let id: Option<Uuid> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::DeletedAt.is_not_null())
        .filter(users::Column::ErasedAt.is_null())
        .order_by_asc(users::Column::DeletedAt)
        .order_by_asc(users::Column::Id)
        .into_tuple()
        .one(db)
        .await
        .map_err(storage)?;
    Ok(id.map(UserId::from))
}

/// Profiles not yet blank: any personal field still set.
fn not_blank(display_name: &DisplayName) -> Condition {
    Condition::any()
        .add(users::Column::DisplayName.is_null())
        .add(users::Column::DisplayName.ne(display_name.as_str()))
        .add(users::Column::Bio.is_not_null())
        .add(users::Column::Location.is_not_null())
        .add(users::Column::BirthDate.is_not_null())
        .add(users::Column::PendingEmail.is_not_null())
        .add(users::Column::AvatarUploadId.is_not_null())
        .add(users::Column::IsPrivate.eq(false))
}

pub(super) async fn blank_profile(
    db: &DatabaseConnection,
    user: UserId,
    display_name: &DisplayName,
    now: DateTime<Utc>,
) -> Result<bool, RepositoryError> {
    let id = user.as_uuid();
    let none = Option::<String>::None;
    let txn = begin_write(db).await.map_err(storage)?;
    let blanked = users::Entity::update_many()
        .col_expr(
            users::Column::DisplayName,
            Expr::value(display_name.as_str()),
        )
        // Display names are normalized by lower-casing (`user_repository::rows`).
        .col_expr(
            users::Column::DisplayNameNormalized,
            Expr::value(display_name.as_str().to_lowercase()),
        )
        .col_expr(users::Column::Bio, Expr::value(none.clone()))
        .col_expr(users::Column::Location, Expr::value(none.clone()))
        .col_expr(
            users::Column::BirthDate,
            Expr::value(Option::<chrono::NaiveDate>::None),
        )
        .col_expr(users::Column::PendingEmail, Expr::value(none))
        .col_expr(
            users::Column::AvatarUploadId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(users::Column::IsPrivate, Expr::value(true))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(id))
        .filter(users::Column::ErasedAt.is_null())
        .filter(not_blank(display_name))
        .exec(&txn)
        .await
        .map_err(storage)?;
    // Unused tokens name the account's (pending) address.
    let tokens = email_tokens::Entity::delete_many()
        .filter(email_tokens::Column::UserId.eq(id))
        .exec(&txn)
        .await
        .map_err(storage)?;
    txn.commit().await.map_err(storage)?;
    Ok(blanked.rows_affected > 0 || tokens.rows_affected > 0)
}

/// The chats holding messages by `user` not yet tombstoned, in id order: two runs
/// on PostgreSQL lock them in the same order, so they cannot deadlock.
async fn chats_with_messages_by(
    txn: &sea_orm::DatabaseTransaction,
    user: Uuid,
) -> Result<Vec<Uuid>, RepositoryError> {
    messages::Entity::find()
        .select_only()
        .column(messages::Column::ChatId)
        .distinct()
        .filter(messages::Column::AuthorId.eq(user))
        .filter(messages::Column::DeletedAt.is_null())
        .order_by_asc(messages::Column::ChatId)
        .into_tuple()
        .all(txn)
        .await
        .map_err(storage)
}

pub(super) async fn tombstone_messages(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<LoggedEvent>, RepositoryError> {
    let author = user.as_uuid();
    let txn = begin_write(db).await.map_err(storage)?;
    let mut entries = Vec::new();
    for chat_id in chats_with_messages_by(&txn, author).await? {
        let left = limit.saturating_sub(u64::try_from(entries.len()).unwrap_or(u64::MAX));
        if left == 0 {
            break;
        }
        // Each chat is locked once for its share of the batch. The messages are read
        // after the lock, so a message another run tombstoned meanwhile is not seen.
        let Some(chat) = lock_chat(&txn, chat_id).await? else {
            continue;
        };
        let chat = chat_from_row(chat)?;
        let rows = live_messages(chat_id, chat.message_ttl, now)
            .filter(messages::Column::AuthorId.eq(author))
            .filter(messages::Column::DeletedAt.is_null())
            .order_by_asc(messages::Column::Seq)
            .limit(left)
            .all(&txn)
            .await
            .map_err(storage)?;
        // With their files (one query, only if some message has any): the tombstone
        // lets them go.
        for message in with_files(&txn, rows).await? {
            let written = tombstone(&txn, message, now).await?;
            entries.push(written.entry);
        }
    }
    txn.commit().await.map_err(storage)?;
    Ok(entries)
}

pub(super) async fn groups_of(
    db: &DatabaseConnection,
    user: UserId,
    limit: u64,
) -> Result<Vec<ChatId>, RepositoryError> {
    let groups = Query::select()
        .column(chats::Column::Id)
        .from(chats::Entity)
        .and_where(chats::Column::Kind.eq(ChatKind::Group.as_str()))
        .to_owned();
    let ids: Vec<Uuid> = chat_members::Entity::find()
        .select_only()
        .column(chat_members::Column::ChatId)
        .filter(chat_members::Column::UserId.eq(user.as_uuid()))
        .filter(chat_members::Column::ChatId.in_subquery(groups))
        .order_by_asc(chat_members::Column::ChatId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .map_err(storage)?;
    Ok(ids.into_iter().map(ChatId::from).collect())
}

pub(super) async fn delete_uploads(
    db: &DatabaseConnection,
    user: UserId,
    limit: u64,
) -> Result<u64, RepositoryError> {
    let owner = user.as_uuid();
    let txn = begin_write(db).await.map_err(storage)?;
    // The avatar names one of these rows.
    users::Entity::update_many()
        .col_expr(
            users::Column::AvatarUploadId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(users::Column::Id.eq(owner))
        .exec(&txn)
        .await
        .map_err(storage)?;
    let ids: Vec<Uuid> = uploads::Entity::find()
        .select_only()
        .column(uploads::Column::Id)
        .filter(uploads::Column::OwnerId.eq(owner))
        .order_by_asc(uploads::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(storage)?;
    let deleted = uploads::Entity::delete_many()
        .filter(uploads::Column::Id.is_in(ids))
        .exec(&txn)
        .await
        .map_err(storage)?;
    txn.commit().await.map_err(storage)?;
    Ok(deleted.rows_affected)
}

pub(super) async fn mark_erased(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    users::Entity::update_many()
        .col_expr(users::Column::ErasedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user.as_uuid()))
        .filter(users::Column::ErasedAt.is_null())
        .exec(db)
        .await
        .map_err(storage)?;
    Ok(())
}

pub(super) async fn release_names(
    db: &DatabaseConnection,
    deleted_before: DateTime<Utc>,
    limit: u64,
) -> Result<u64, RepositoryError> {
    let txn = begin_write(db).await.map_err(storage)?;
    let ids: Vec<Uuid> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::ErasedAt.is_not_null())
        .filter(users::Column::DeletedAt.lt(deleted_before))
        // No username registration accepts contains `-`.
        .filter(users::Column::Username.not_like(format!("{RELEASED_NAME_PREFIX}%")))
        .order_by_asc(users::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(storage)?;
    for &id in &ids {
        let released = released_name(UserId::from(id));
        users::Entity::update_many()
            .col_expr(users::Column::Username, Expr::value(released.clone()))
            .col_expr(users::Column::Email, Expr::value(released.clone()))
            .col_expr(users::Column::EmailNormalized, Expr::value(released))
            .filter(users::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
    }
    txn.commit().await.map_err(storage)?;
    Ok(u64::try_from(ids.len()).unwrap_or(u64::MAX))
}
