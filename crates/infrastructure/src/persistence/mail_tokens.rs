//! Mail tokens and the account changes they make, stored with sea-orm; each write
//! queues its mails in the same transaction.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{
    MailTokenRepository, NewMailToken, OutgoingMail, PasswordHash, TokenHash, TokenPurpose,
    UserWriteError,
};
use confab_domain::{Email, SessionId, User, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::Notify;
use uuid::Uuid;

use super::entities::{email_tokens, mail_outbox, sessions, users};
use super::session_repository::revoke_sessions;
use super::storage;
use super::user_repository::{to_user, write_error};

/// [`MailTokenRepository`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmMailTokenRepository {
    db: DatabaseConnection,
    queued: Option<Arc<Notify>>,
}

impl SeaOrmMailTokenRepository {
    /// A repository using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, queued: None }
    }

    /// Also wakes `queued` after each commit that queued mail, so this node's outbox
    /// worker sends at once instead of at its next poll.
    #[must_use]
    pub fn waking(mut self, queued: Arc<Notify>) -> Self {
        self.queued = Some(queued);
        self
    }

    fn wake(&self) {
        if let Some(queued) = &self.queued {
            queued.notify_one();
        }
    }
}

/// Queues `mails`, due at once.
pub(super) async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    mails: Vec<OutgoingMail>,
    now: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    for mail in mails {
        mail_outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            recipient: Set(mail.to.into()),
            subject: Set(mail.subject),
            text_body: Set(mail.text),
            html_body: Set(mail.html),
            created_at: Set(now),
            next_attempt_at: Set(now),
            attempts: Set(0),
            last_error: Set(None),
            sent_at: Set(None),
            failed_at: Set(None),
        }
        .insert(txn)
        .await
        .map_err(storage)?;
    }
    Ok(())
}

async fn insert_token<C: ConnectionTrait>(
    txn: &C,
    token: NewMailToken,
) -> Result<(), RepositoryError> {
    email_tokens::ActiveModel {
        token_hash: Set(token.hash.0),
        user_id: Set(token.user_id.as_uuid()),
        purpose: Set(token.purpose.as_str().to_owned()),
        email: Set(token.email.into()),
        created_at: Set(token.now),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
    }
    .insert(txn)
    .await
    .map_err(storage)?;
    Ok(())
}

/// Spends the token if it is unused, unexpired and of `purpose`, and returns it.
/// The conditional update decides: of two concurrent redemptions only one changes
/// the row.
async fn redeem<C: ConnectionTrait>(
    txn: &C,
    hash: &TokenHash,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<email_tokens::Model>, RepositoryError> {
    let usable = Condition::all()
        .add(email_tokens::Column::TokenHash.eq(hash.0.as_str()))
        .add(email_tokens::Column::Purpose.eq(purpose.as_str()))
        .add(email_tokens::Column::UsedAt.is_null())
        .add(email_tokens::Column::ExpiresAt.gt(now));
    let spent = email_tokens::Entity::update_many()
        .col_expr(email_tokens::Column::UsedAt, Expr::value(now))
        .filter(usable)
        .exec(txn)
        .await
        .map_err(storage)?;
    if spent.rows_affected != 1 {
        return Ok(None);
    }
    email_tokens::Entity::find_by_id(hash.0.clone())
        .one(txn)
        .await
        .map_err(storage)
}

#[async_trait]
impl MailTokenRepository for SeaOrmMailTokenRepository {
    async fn issue(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<(), RepositoryError> {
        let now = token.now;
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        insert_token(&txn, token).await?;
        enqueue(&txn, mails, now).await?;
        txn.commit().await.map_err(storage)?;
        self.wake();
        Ok(())
    }

    async fn request_email_change(
        &self,
        token: NewMailToken,
        mails: Vec<OutgoingMail>,
    ) -> Result<User, UserWriteError> {
        let now = token.now;
        let user_id = token.user_id.as_uuid();
        let email: Email = token.email.clone();
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let other_owner = users::Entity::find()
            .filter(users::Column::EmailNormalized.eq(email.normalized()))
            .filter(users::Column::Id.ne(user_id))
            .one(&txn)
            .await
            .map_err(storage)?;
        if other_owner.is_some() {
            return Err(UserWriteError::EmailTaken);
        }
        let Some(current) = users::Entity::find_by_id(user_id)
            .one(&txn)
            .await
            .map_err(storage)?
        else {
            return Err(UserWriteError::NotFound);
        };
        let mut row = current.into_active_model();
        row.pending_email = Set(Some(email.into()));
        row.updated_at = Set(now);
        let updated = row.update(&txn).await.map_err(write_error)?;
        insert_token(&txn, token).await?;
        enqueue(&txn, mails, now).await?;
        txn.commit().await.map_err(storage)?;
        self.wake();
        Ok(to_user(updated))
    }

    async fn latest_issued(
        &self,
        user_id: UserId,
        purpose: TokenPurpose,
    ) -> Result<Option<DateTime<Utc>>, RepositoryError> {
        email_tokens::Entity::find()
            .select_only()
            .column(email_tokens::Column::CreatedAt)
            .filter(email_tokens::Column::UserId.eq(user_id.as_uuid()))
            .filter(email_tokens::Column::Purpose.eq(purpose.as_str()))
            .order_by_desc(email_tokens::Column::CreatedAt)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(storage)
    }

    async fn confirm_email(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, UserWriteError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let Some(token) = redeem(&txn, hash, TokenPurpose::Verify, now).await? else {
            return Ok(None);
        };
        // A disabled account's link changes nothing (dropping the transaction keeps it).
        let Some(current) = users::Entity::find_by_id(token.user_id)
            .filter(users::Column::DisabledAt.is_null())
            .one(&txn)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let address = token.email.to_lowercase();
        let is_pending = current
            .pending_email
            .as_ref()
            .is_some_and(|pending| pending.to_lowercase() == address);
        let mut row = current.clone().into_active_model();
        if current.email_normalized == address {
            row.email_verified = Set(true);
        } else if is_pending {
            row.email = Set(token.email.clone());
            row.email_normalized = Set(address);
            row.pending_email = Set(None);
            row.email_verified = Set(true);
        } else {
            // A link to an address the account no longer has or wants: dropping the
            // transaction leaves the token unspent and nothing changed.
            return Ok(None);
        }
        row.updated_at = Set(now);
        let updated = match row.update(&txn).await {
            Ok(updated) => updated,
            Err(DbErr::RecordNotUpdated) => return Ok(None),
            Err(error) => return Err(write_error(error)),
        };
        txn.commit().await.map_err(storage)?;
        Ok(Some(to_user(updated)))
    }

    async fn reset_password(
        &self,
        hash: &TokenHash,
        password_hash: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserId, Vec<SessionId>)>, RepositoryError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        let Some(token) = redeem(&txn, hash, TokenPurpose::Reset, now).await? else {
            return Ok(None);
        };
        let user_id = token.user_id;
        let updated = users::Entity::update_many()
            .col_expr(
                users::Column::PasswordHash,
                Expr::value(password_hash.as_str()),
            )
            .filter(users::Column::Id.eq(user_id))
            .filter(users::Column::DisabledAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        if updated.rows_affected != 1 {
            // Gone or disabled: dropping the transaction changes nothing, the token
            // included.
            return Ok(None);
        }
        // Every other reset link of the account dies with this one.
        email_tokens::Entity::update_many()
            .col_expr(email_tokens::Column::UsedAt, Expr::value(now))
            .filter(email_tokens::Column::UserId.eq(user_id))
            .filter(email_tokens::Column::Purpose.eq(TokenPurpose::Reset.as_str()))
            .filter(email_tokens::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        let revoked = revoke_sessions(
            &txn,
            Condition::all().add(sessions::Column::UserId.eq(user_id)),
            now,
        )
        .await?;
        txn.commit().await.map_err(storage)?;
        Ok(Some((UserId::from_uuid(user_id), revoked)))
    }
}
