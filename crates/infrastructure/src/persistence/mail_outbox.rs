//! The mail outbox stored with sea-orm: claims take rows with `FOR UPDATE SKIP
//! LOCKED` on PostgreSQL (SQLite has one writer), so several nodes never send one
//! mail twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{MailOutbox, OutgoingMail, QueuedMail};
use confab_domain::Email;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entities::mail_outbox;
use super::storage;

/// [`MailOutbox`] on PostgreSQL or SQLite.
#[derive(Debug, Clone)]
pub struct SeaOrmMailOutbox {
    db: DatabaseConnection,
}

impl SeaOrmMailOutbox {
    /// An outbox using `db` (see [`super::connect`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn waiting() -> Condition {
    Condition::all()
        .add(mail_outbox::Column::SentAt.is_null())
        .add(mail_outbox::Column::FailedAt.is_null())
}

#[async_trait]
impl MailOutbox for SeaOrmMailOutbox {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<QueuedMail>, RepositoryError> {
        let txn = crate::persistence::begin_write(&self.db)
            .await
            .map_err(storage)?;
        // SQLite's query builder leaves the lock clause out.
        let rows = mail_outbox::Entity::find()
            .filter(waiting().add(mail_outbox::Column::NextAttemptAt.lte(now)))
            .order_by_asc(mail_outbox::Column::NextAttemptAt)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await
            .map_err(storage)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(mail_outbox::Column::Id.is_in(rows.iter().map(|row| row.id)))
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|row| QueuedMail {
                id: row.id,
                attempts: u32::try_from(row.attempts).unwrap_or(0),
                mail: OutgoingMail {
                    to: Email::from_stored(row.recipient),
                    subject: row.subject,
                    text: row.text_body,
                    html: row.html_body,
                },
            })
            .collect())
    }

    async fn mark_sent(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), RepositoryError> {
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .col_expr(mail_outbox::Column::TextBody, Expr::value(""))
            .col_expr(mail_outbox::Column::HtmlBody, Expr::value(""))
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError> {
        let mut update = mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .col_expr(mail_outbox::Column::LastError, Expr::value(error));
        update = match retry_at {
            Some(at) => update.col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(at)),
            None => update.col_expr(mail_outbox::Column::FailedAt, Expr::value(now)),
        };
        update
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn pending(&self) -> Result<u64, RepositoryError> {
        mail_outbox::Entity::find()
            .filter(waiting())
            .count(&self.db)
            .await
            .map_err(storage)
    }
}
