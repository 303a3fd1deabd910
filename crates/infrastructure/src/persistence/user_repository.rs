//! Accounts and profiles stored with sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    NewUser, PasswordHash, ProfileChanges, StoredCredentials, UserRepository, UserWriteError,
};
use confab_domain::{
    Bio, BirthDate, DisplayName, Email, Location, SessionId, User, UserId, Username, ValueError,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    TransactionTrait,
};
use uuid::Uuid;

use super::entities::{sessions, users};
use super::{is_unique_violation, storage};

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
        let row = users::ActiveModel {
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
        };
        let stored = row.insert(&self.db).await.map_err(write_error)?;
        Ok(to_user(stored)?)
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        users::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(to_user)
            .transpose()
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
        let Some(row) = users::Entity::find()
            .filter(column.eq(key))
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let password_hash = PasswordHash::new(row.password_hash.clone());
        Ok(Some(StoredCredentials {
            user: to_user(row)?,
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
            Ok(updated) => Ok(to_user(updated)?),
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
        let txn = self.db.begin().await.map_err(storage)?;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash.as_str()))
            .filter(users::Column::Id.eq(id.as_uuid()))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let others = Condition::all()
            .add(sessions::Column::UserId.eq(id.as_uuid()))
            .add(sessions::Column::Id.ne(keep.as_uuid()))
            .add(sessions::Column::RevokedAt.is_null());
        let revoked: Vec<Uuid> = sessions::Entity::find()
            .select_only()
            .column(sessions::Column::Id)
            .filter(others.clone())
            .order_by_asc(sessions::Column::Id)
            .into_tuple()
            .all(&txn)
            .await
            .map_err(storage)?;
        sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(now))
            .filter(others)
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(revoked.into_iter().map(SessionId::from_uuid).collect())
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
        users::Entity::find()
            .filter(matches)
            .apply_if(after_username, |query, after| {
                query.filter(users::Column::Username.gt(after))
            })
            .order_by_asc(users::Column::Username)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(to_user)
            .collect()
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

/// Writes the requested changes into `row`, keeping the normalized copies in step.
fn apply_changes(row: &mut users::ActiveModel, changes: ProfileChanges) {
    if let Some(username) = changes.username {
        row.username = Set(username.into());
    }
    if let Some(email) = changes.email {
        row.email_normalized = Set(email.normalized());
        row.email = Set(email.into());
    }
    if let Some(display_name) = changes.display_name {
        row.display_name_normalized = Set(display_name.as_ref().map(normalize));
        row.display_name = Set(display_name.map(String::from));
    }
    if let Some(bio) = changes.bio {
        row.bio = Set(bio.map(String::from));
    }
    if let Some(location) = changes.location {
        row.location = Set(location.map(String::from));
    }
    if let Some(birth_date) = changes.birth_date {
        row.birth_date = Set(birth_date.map(|d| d.date()));
    }
    if let Some(is_private) = changes.is_private {
        row.is_private = Set(is_private);
    }
}

fn normalize(display_name: &DisplayName) -> String {
    display_name.as_str().to_lowercase()
}

/// `column` starts with `prefix`, as a range on the column's byte-wise order (so the
/// index serves it and `%` / `_` are plain characters).
fn prefix_range(column: users::Column, prefix: &str) -> Condition {
    let lower = Condition::all().add(column.gte(prefix));
    match prefix_upper_bound(prefix) {
        Some(upper) => lower.add(column.lt(upper)),
        None => lower,
    }
}

/// The smallest string greater than every string starting with `prefix`, in code
/// point order (which is UTF-8 byte order), or `None` when no such bound exists.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000; // surrogates are not chars; skip to the next one
        }
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A unique violation becomes the clash it is about: the violated index (PostgreSQL)
/// or column (SQLite) is named in the database's message. Anything else is a
/// storage failure.
fn write_error(error: DbErr) -> UserWriteError {
    if is_unique_violation(&error) {
        let message = error.to_string();
        if message.contains("email") {
            return UserWriteError::EmailTaken;
        }
        if message.contains("username") {
            return UserWriteError::UsernameTaken;
        }
    }
    UserWriteError::Storage(storage(error))
}

fn stored<T>(field: &str, parsed: Result<T, ValueError>) -> Result<T, RepositoryError> {
    parsed.map_err(|e| RepositoryError::corrupt(format!("stored users.{field} is invalid: {e}")))
}

fn to_user(row: users::Model) -> Result<User, RepositoryError> {
    Ok(User {
        id: UserId::from_uuid(row.id),
        username: stored("username", Username::parse(row.username))?,
        email: stored("email", Email::parse(row.email))?,
        display_name: row
            .display_name
            .map(|d| stored("display_name", DisplayName::parse(d)))
            .transpose()?,
        bio: row.bio.map(|b| stored("bio", Bio::parse(b))).transpose()?,
        location: row
            .location
            .map(|l| stored("location", Location::parse(l)))
            .transpose()?,
        birth_date: row.birth_date.map(BirthDate::from_stored),
        is_private: row.is_private,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::prefix_upper_bound;

    #[test]
    fn upper_bound_bumps_the_last_char_that_can_grow() {
        assert_eq!(prefix_upper_bound("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_upper_bound("a_").as_deref(), Some("a`"));
        assert_eq!(prefix_upper_bound("a%").as_deref(), Some("a&"));
        assert_eq!(prefix_upper_bound("é").as_deref(), Some("ê"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(
            prefix_upper_bound(&format!("a{}", char::MAX)).as_deref(),
            Some("b")
        );
        assert_eq!(prefix_upper_bound(&char::MAX.to_string()), None);
        assert_eq!(prefix_upper_bound(""), None);
    }
}
