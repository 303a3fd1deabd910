//! Accounts and profiles stored with sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    NewUser, PasswordHash, ProfileChanges, StoredCredentials, UserRepository, UserWriteError,
};
use confab_domain::{SessionId, User, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::entities::{sessions, users};
use super::session_repository::revoke_sessions;
use super::storage;

mod avatar;
mod prefix;
mod rows;

pub(super) use avatar::is_avatar;

pub(super) use prefix::{prefix_range, prefix_upper_bound};
use rows::{apply_changes, normalize};
pub(super) use rows::{to_user, write_error};

/// The row of a new account.
pub(super) fn new_row(user: NewUser, is_admin: bool) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(user.id.as_uuid()),
        username: Set(user.username.as_str().to_owned()),
        email_normalized: Set(user.email.normalized()),
        email: Set(user.email.into()),
        password_hash: Set(user.password_hash.as_str().to_owned()),
        display_name_normalized: Set(user.display_name.as_ref().map(normalize)),
        display_name: Set(user.display_name.map(String::from)),
        bio: Set(None),
        location: Set(None),
        birth_date: Set(None),
        is_private: Set(false),
        created_at: Set(user.now),
        updated_at: Set(user.now),
        email_verified: Set(false),
        pending_email: Set(None),
        is_admin: Set(is_admin),
        disabled_at: Set(None),
        avatar_upload_id: Set(None),
        deleted_at: Set(None),
        erased_at: Set(None),
    }
}

/// [`UserRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmUserRepository {
    db: DatabaseConnection,
}

impl SeaOrmUserRepository {
    /// A repository using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UserRepository for SeaOrmUserRepository {
    async fn insert(&self, user: NewUser) -> Result<User, UserWriteError> {
        let stored = new_row(user, false)
            .insert(&self.db)
            .await
            .map_err(write_error)?;
        Ok(to_user(stored))
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        users::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)
            .map(|row| row.map(to_user))
    }

    async fn find_credentials(
        &self,
        login: &str,
    ) -> Result<Option<StoredCredentials>, RepositoryError> {
        let key = login.trim().to_lowercase();
        // Usernames cannot contain `@` and addresses must, so one column decides.
        let column = if key.contains('@') {
            users::Column::EmailNormalized
        } else {
            users::Column::Username
        };
        // A deleted account's username and email no longer sign in.
        let Some(row) = users::Entity::find()
            .filter(column.eq(key))
            .filter(users::Column::DeletedAt.is_null())
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let password_hash = PasswordHash::new(row.password_hash.clone());
        Ok(Some(StoredCredentials {
            user: to_user(row),
            password_hash,
        }))
    }

    async fn password_hash(&self, id: UserId) -> Result<Option<PasswordHash>, RepositoryError> {
        let hash: Option<String> = users::Entity::find_by_id(id.as_uuid())
            .select_only()
            .column(users::Column::PasswordHash)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(hash.map(PasswordHash::new))
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        let Some(current) = users::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Err(UserWriteError::NotFound);
        };
        // Only the columns set here are written, so concurrent updates of other
        // fields are not overwritten with stale values.
        let mut row = current.into_active_model();
        apply_changes(&mut row, changes);
        row.updated_at = Set(now);
        match row.update(&self.db).await {
            Ok(updated) => Ok(to_user(updated)),
            Err(DbErr::RecordNotUpdated) => Err(UserWriteError::NotFound),
            Err(error) => Err(write_error(error)),
        }
    }

    async fn change_password(
        &self,
        id: UserId,
        hash: PasswordHash,
        keep: SessionId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, RepositoryError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash.as_str()))
            .filter(users::Column::Id.eq(id.as_uuid()))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let others = Condition::all()
            .add(sessions::Column::UserId.eq(id.as_uuid()))
            .add(sessions::Column::Id.ne(keep.as_uuid()));
        let revoked = revoke_sessions(&txn, others, now).await?;
        txn.commit().await.map_err(storage)?;
        Ok(revoked)
    }

    async fn search(
        &self,
        prefix: &str,
        after_username: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>, RepositoryError> {
        let matches = Condition::any()
            .add(prefix_range(users::Column::Username, prefix))
            .add(prefix_range(users::Column::DisplayNameNormalized, prefix));
        // A deleted account is not found (its profile stays readable by id, blank).
        users::Entity::find()
            .filter(matches)
            .filter(users::Column::DeletedAt.is_null())
            .apply_if(after_username, |query, after| {
                query.filter(users::Column::Username.gt(after))
            })
            .order_by_asc(users::Column::Username)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(storage)
            .map(|rows| rows.into_iter().map(to_user).collect())
    }

    async fn existing(&self, ids: &[UserId]) -> Result<Vec<UserId>, RepositoryError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<Uuid> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.is_in(ids.iter().map(UserId::as_uuid)))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(found.into_iter().map(UserId::from_uuid).collect())
    }
}
