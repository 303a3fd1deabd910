//! Device sessions and their rotating refresh tokens stored with sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{NewSession, RefreshOutcome, SessionRepository, TokenHash};
use confab_domain::{DeviceName, Session, SessionId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::entities::{refresh_tokens, sessions, users};
use super::storage;

/// [`SessionRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmSessionRepository {
    db: DatabaseConnection,
}

impl SeaOrmSessionRepository {
    /// A repository using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SessionRepository for SeaOrmSessionRepository {
    async fn create(&self, session: NewSession) -> Result<Option<Session>, RepositoryError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        // `FOR UPDATE` on PostgreSQL: a concurrent disable holds this row until it has
        // revoked the sessions it saw, and is then seen here (SQLite: one writer).
        let account = users::Entity::find_by_id(session.user_id.as_uuid())
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(storage)?;
        if account.is_some_and(|account| account.disabled_at.is_some()) {
            return Ok(None);
        }
        let row = sessions::ActiveModel {
            id: Set(session.id.as_uuid()),
            user_id: Set(session.user_id.as_uuid()),
            device_name: Set(session.device_name.map(String::from)),
            created_at: Set(session.now),
            last_used_at: Set(session.now),
            expires_at: Set(session.expires_at),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        insert_token(&txn, &session.refresh_token_hash, row.id, session.now).await?;
        txn.commit().await.map_err(storage)?;
        Ok(Some(to_session(row)))
    }

    async fn get(&self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
        sessions::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)
            .map(|row| row.map(to_session))
    }

    async fn rotate_refresh_token(
        &self,
        presented: &TokenHash,
        replacement: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepositoryError> {
        // Everything below uses `txn` only: on SQLite the pool has one connection,
        // which the transaction holds.
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let Some(session) = session_of_token(&txn, presented).await? else {
            txn.rollback().await.map_err(storage)?;
            return Ok(RefreshOutcome::Unknown);
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            txn.rollback().await.map_err(storage)?;
            return Ok(RefreshOutcome::Inactive);
        }
        // The conditional update is the arbiter: of two concurrent redemptions the
        // second waits on the row lock and then matches no row, so only one rotates.
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::SpentAt, Expr::value(now))
            .filter(refresh_tokens::Column::TokenHash.eq(presented.0.as_str()))
            .filter(refresh_tokens::Column::SpentAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        if spent.rows_affected == 0 {
            revoke_in(&txn, session.id, now).await?;
            txn.commit().await.map_err(storage)?;
            return Ok(RefreshOutcome::Reused {
                session_id: SessionId::from_uuid(session.id),
                user_id: UserId::from_uuid(session.user_id),
            });
        }
        insert_token(&txn, replacement, session.id, now).await?;
        let mut row: sessions::ActiveModel = session.into();
        row.last_used_at = Set(now);
        row.expires_at = Set(expires_at);
        let rotated = row.update(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(RefreshOutcome::Rotated(to_session(rotated)))
    }

    async fn list_active(
        &self,
        user_id: UserId,
        before: Option<SessionId>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, RepositoryError> {
        // Session ids are UUIDv7, so id order is creation order.
        sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user_id.as_uuid()))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .apply_if(before, |query, before| {
                query.filter(sessions::Column::Id.lt(before.as_uuid()))
            })
            .order_by_desc(sessions::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(storage)
            .map(|rows| rows.into_iter().map(to_session).collect())
    }

    async fn revoke(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let result = sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(now))
            .filter(sessions::Column::Id.eq(session_id.as_uuid()))
            .filter(sessions::Column::UserId.eq(user_id.as_uuid()))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(result.rows_affected > 0)
    }
}

/// The session that issued the token with this hash, if any.
async fn session_of_token(
    db: &impl ConnectionTrait,
    presented: &TokenHash,
) -> Result<Option<sessions::Model>, RepositoryError> {
    let Some(token) = refresh_tokens::Entity::find_by_id(presented.0.clone())
        .one(db)
        .await
        .map_err(storage)?
    else {
        return Ok(None);
    };
    sessions::Entity::find_by_id(token.session_id)
        .one(db)
        .await
        .map_err(storage)
}

async fn insert_token(
    db: &impl ConnectionTrait,
    hash: &TokenHash,
    session_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    refresh_tokens::ActiveModel {
        token_hash: Set(hash.0.clone()),
        session_id: Set(session_id),
        created_at: Set(now),
        spent_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(storage)?;
    Ok(())
}

/// Revokes the session unless it already is (theft detection on a replayed token).
async fn revoke_in(
    db: &impl ConnectionTrait,
    session_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map_err(storage)?;
    Ok(())
}

/// The row as a domain session; the device name is taken as stored (it was checked
/// when written).
fn to_session(row: sessions::Model) -> Session {
    Session {
        id: SessionId::from_uuid(row.id),
        user_id: UserId::from_uuid(row.user_id),
        device_name: row.device_name.map(DeviceName::from_stored),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    }
}

/// Revokes, on `txn`, every unrevoked session matching `which`, and returns their ids
/// in id order: for the writes that end sessions besides their own (a password change,
/// an admin disabling an account).
pub(super) async fn revoke_sessions<C: ConnectionTrait>(
    txn: &C,
    which: sea_orm::Condition,
    now: DateTime<Utc>,
) -> Result<Vec<SessionId>, RepositoryError> {
    let active = which.add(sessions::Column::RevokedAt.is_null());
    let revoked: Vec<uuid::Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::Id)
        .filter(active.clone())
        .order_by_asc(sessions::Column::Id)
        .into_tuple()
        .all(txn)
        .await
        .map_err(storage)?;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(active)
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(revoked.into_iter().map(SessionId::from_uuid).collect())
}
