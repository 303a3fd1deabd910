//! Uploads stored with sea-orm.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{UploadInsertError, UploadRepository};
use confab_domain::{FileName, MessageId, Upload, UploadId, UserId};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::chat_queries::{chat_from_row, load_chat};
use super::entities::{chat_members, messages, uploads, users};
use super::storage;
use super::user_repository::is_avatar;

/// [`UploadRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmUploadRepository {
    db: DatabaseConnection,
}

impl SeaOrmUploadRepository {
    /// A repository using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UploadRepository for SeaOrmUploadRepository {
    async fn insert(&self, upload: &Upload, quota: u64) -> Result<(), UploadInsertError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let used = usage_in(&txn, upload.owner_id).await?;
        if used.saturating_add(upload.size) > quota {
            txn.rollback().await.map_err(storage)?;
            return Err(UploadInsertError::QuotaExceeded);
        }
        to_row(upload)?.insert(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn usage(&self, owner: UserId) -> Result<u64, RepositoryError> {
        usage_in(&self.db, owner).await
    }

    async fn readable(
        &self,
        id: UploadId,
        reader: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Upload>, RepositoryError> {
        let Some(row) = uploads::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let upload = upload_from_row(row)?;
        if is_avatar(&self.db, id).await? {
            return Ok(Some(upload));
        }
        let Some(message_id) = upload.message_id else {
            return Ok((upload.owner_id == reader).then_some(upload));
        };
        let visible =
            message_visible_to(&self.db, message_id, reader, upload.owner_id, now).await?;
        Ok(visible.then_some(upload))
    }

    async fn set_thumbnail(&self, id: UploadId, key: &str) -> Result<(), RepositoryError> {
        uploads::Entity::update_many()
            .col_expr(uploads::Column::ThumbnailKey, Expr::value(key))
            .filter(uploads::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn delete(&self, id: UploadId) -> Result<(), RepositoryError> {
        uploads::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn remove_stale_unattached(
        &self,
        created_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Upload>, RepositoryError> {
        let candidates: Vec<Uuid> = uploads::Entity::find()
            .select_only()
            .column(uploads::Column::Id)
            .filter(uploads::Column::MessageId.is_null())
            .filter(uploads::Column::CreatedAt.lt(created_before))
            .filter(uploads::Column::Id.not_in_subquery(avatar_ids()))
            .order_by_asc(uploads::Column::CreatedAt)
            .order_by_asc(uploads::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        // One statement that checks each row again: an upload attached or made an
        // avatar since the select is kept, and only what went is returned.
        let removed = uploads::Entity::delete_many()
            .filter(uploads::Column::Id.is_in(candidates))
            .filter(uploads::Column::MessageId.is_null())
            .filter(uploads::Column::Id.not_in_subquery(avatar_ids()))
            .exec_with_returning(&self.db)
            .await
            .map_err(storage)?;
        let mut removed = removed
            .into_iter()
            .map(upload_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING keeps no order; oldest first, as they were chosen.
        removed.sort_by_key(|upload| (upload.created_at, upload.id));
        Ok(removed)
    }

    async fn existing(&self, ids: &[UploadId]) -> Result<HashSet<UploadId>, RepositoryError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let found: Vec<Uuid> = uploads::Entity::find()
            .select_only()
            .column(uploads::Column::Id)
            .filter(uploads::Column::Id.is_in(ids.iter().map(UploadId::as_uuid)))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(found.into_iter().map(UploadId::from).collect())
    }
}

/// The uploads some account names as its avatar (NULLs left out, so `NOT IN`
/// stays true for every other id).
pub(super) fn avatar_ids() -> SelectStatement {
    Query::select()
        .column(users::Column::AvatarUploadId)
        .from(users::Entity)
        .and_where(users::Column::AvatarUploadId.is_not_null())
        .to_owned()
}

/// Whether the message is live (neither deleted nor expired at `now`) and `reader`
/// is its upload's owner or a member of its chat.
async fn message_visible_to<C: ConnectionTrait>(
    conn: &C,
    message_id: MessageId,
    reader: UserId,
    owner: UserId,
    now: DateTime<Utc>,
) -> Result<bool, RepositoryError> {
    let Some(message) = messages::Entity::find_by_id(message_id.as_uuid())
        .one(conn)
        .await
        .map_err(storage)?
    else {
        return Ok(false);
    };
    if message.deleted_at.is_some() {
        return Ok(false);
    }
    let Some(chat) = load_chat(conn, message.chat_id).await? else {
        return Ok(false);
    };
    let chat = chat_from_row(chat)?;
    if chat
        .message_ttl
        .is_some_and(|ttl| message.created_at <= ttl.cutoff(now))
    {
        return Ok(false);
    }
    if reader == owner {
        return Ok(true);
    }
    let member = chat_members::Entity::find_by_id((message.chat_id, reader.as_uuid()))
        .one(conn)
        .await
        .map_err(storage)?;
    Ok(member.is_some())
}

/// The bytes `owner`'s uploads take.
async fn usage_in<C: ConnectionTrait>(conn: &C, owner: UserId) -> Result<u64, RepositoryError> {
    // SUM is NUMERIC on PostgreSQL: cast to keep one decoding path.
    let total: Option<i64> = uploads::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(size), 0) AS BIGINT)"),
            "total",
        )
        .filter(uploads::Column::OwnerId.eq(owner.as_uuid()))
        .into_tuple()
        .one(conn)
        .await
        .map_err(storage)?;
    Ok(u64::try_from(total.unwrap_or(0)).unwrap_or(0))
}

fn to_row(upload: &Upload) -> Result<uploads::ActiveModel, RepositoryError> {
    let too_big = |what: &str| RepositoryError::corrupt(format!("upload {what} out of range"));
    Ok(uploads::ActiveModel {
        id: Set(upload.id.as_uuid()),
        owner_id: Set(upload.owner_id.as_uuid()),
        filename: Set(upload.filename.as_str().to_owned()),
        content_type: Set(upload.content_type.clone()),
        size: Set(i64::try_from(upload.size).map_err(|_| too_big("size"))?),
        sha256: Set(upload.sha256.clone()),
        width: Set(upload
            .width
            .map(i32::try_from)
            .transpose()
            .map_err(|_| too_big("width"))?),
        height: Set(upload
            .height
            .map(i32::try_from)
            .transpose()
            .map_err(|_| too_big("height"))?),
        created_at: Set(upload.created_at),
        message_id: Set(upload.message_id.map(Uuid::from)),
        thumbnail_key: Set(upload.thumbnail_key.clone()),
        // Set when a send attaches it.
        position: Set(None),
    })
}

/// The row as a domain upload.
pub(super) fn upload_from_row(row: uploads::Model) -> Result<Upload, RepositoryError> {
    let corrupt = |what: &str| RepositoryError::corrupt(format!("corrupt upload row: {what}"));
    Ok(Upload {
        id: row.id.into(),
        owner_id: row.owner_id.into(),
        filename: FileName::from_stored(row.filename),
        content_type: row.content_type,
        size: u64::try_from(row.size).map_err(|_| corrupt("size"))?,
        sha256: row.sha256,
        width: row
            .width
            .map(u32::try_from)
            .transpose()
            .map_err(|_| corrupt("width"))?,
        height: row
            .height
            .map(u32::try_from)
            .transpose()
            .map_err(|_| corrupt("height"))?,
        created_at: row.created_at,
        message_id: row.message_id.map(MessageId::from),
        thumbnail_key: row.thumbnail_key,
    })
}
