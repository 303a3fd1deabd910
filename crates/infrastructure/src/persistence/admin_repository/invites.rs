//! Invites: made and revoked by admins (with their audit entries), spent by a
//! registration in the transaction that stores the account.

use confab_application::RepositoryError;
use confab_application::ports::{
    Invite, InvitedInsertError, NewAuditEntry, NewInvite, NewUser, OutgoingMail, TokenHash,
};
use confab_domain::{InviteId, User, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use super::rows::insert_audit;
use crate::persistence::entities::invites;
use crate::persistence::mail_tokens::enqueue;
use crate::persistence::storage;
use crate::persistence::user_repository::{new_row, to_user, write_error};

fn to_invite(row: invites::Model) -> Invite {
    Invite {
        id: InviteId::from_uuid(row.id),
        email: row.email,
        created_by: row.created_by.map(UserId::from_uuid),
        created_at: row.created_at,
        expires_at: row.expires_at,
        used_at: row.used_at,
        used_by: row.used_by.map(UserId::from_uuid),
        revoked_at: row.revoked_at,
    }
}

pub(super) async fn create(
    db: &DatabaseConnection,
    invite: NewInvite,
    audit: NewAuditEntry,
    mails: Vec<OutgoingMail>,
) -> Result<Invite, RepositoryError> {
    let now = invite.created_at;
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let row = invites::ActiveModel {
        id: Set(invite.id.as_uuid()),
        token_hash: Set(invite.token_hash.0),
        email: Set(invite.email),
        created_by: Set(Some(invite.created_by.as_uuid())),
        created_at: Set(invite.created_at),
        expires_at: Set(invite.expires_at),
        used_at: Set(None),
        used_by: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(storage)?;
    insert_audit(&txn, audit).await?;
    enqueue(&txn, mails, now).await?;
    txn.commit().await.map_err(storage)?;
    Ok(to_invite(row))
}

pub(super) async fn list(
    db: &DatabaseConnection,
    before: Option<InviteId>,
    limit: u64,
) -> Result<Vec<Invite>, RepositoryError> {
    invites::Entity::find()
        .apply_if(before, |query, before| {
            query.filter(invites::Column::Id.lt(before.as_uuid()))
        })
        .order_by_desc(invites::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .map_err(storage)
        .map(|rows| rows.into_iter().map(to_invite).collect())
}

pub(super) async fn revoke(
    db: &DatabaseConnection,
    id: InviteId,
    audit: NewAuditEntry,
) -> Result<bool, RepositoryError> {
    let txn = crate::persistence::begin_write(db).await.map_err(storage)?;
    let updated = invites::Entity::update_many()
        .col_expr(invites::Column::RevokedAt, Expr::value(audit.at))
        .filter(invites::Column::Id.eq(id.as_uuid()))
        .filter(invites::Column::UsedAt.is_null())
        .filter(invites::Column::RevokedAt.is_null())
        .exec(&txn)
        .await
        .map_err(storage)?;
    if updated.rows_affected == 0 {
        txn.rollback().await.map_err(storage)?;
        return Ok(false);
    }
    insert_audit(&txn, audit).await?;
    txn.commit().await.map_err(storage)?;
    Ok(true)
}

pub(super) async fn insert_invited(
    db: &DatabaseConnection,
    user: NewUser,
    token_hash: &TokenHash,
) -> Result<User, InvitedInsertError> {
    let now = user.now;
    let user_id = user.id.as_uuid();
    let txn = crate::persistence::begin_write(db)
        .await
        .map_err(storage)
        .map_err(into_user_error)?;
    // The conditional update is the arbiter: of two registrations with one invite,
    // the second waits on the row lock and then matches no row.
    let spent = invites::Entity::update_many()
        .col_expr(invites::Column::UsedAt, Expr::value(now))
        .filter(invites::Column::TokenHash.eq(token_hash.0.as_str()))
        .filter(invites::Column::UsedAt.is_null())
        .filter(invites::Column::RevokedAt.is_null())
        .filter(invites::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await
        .map_err(storage)
        .map_err(into_user_error)?;
    if spent.rows_affected == 0 {
        txn.rollback()
            .await
            .map_err(storage)
            .map_err(into_user_error)?;
        return Err(InvitedInsertError::InviteUnusable);
    }
    // Dropping `txn` on an error below rolls the spending back.
    let stored = new_row(user, false)
        .insert(&txn)
        .await
        .map_err(write_error)?;
    invites::Entity::update_many()
        .col_expr(invites::Column::UsedBy, Expr::value(user_id))
        .filter(invites::Column::TokenHash.eq(token_hash.0.as_str()))
        .exec(&txn)
        .await
        .map_err(storage)
        .map_err(into_user_error)?;
    txn.commit()
        .await
        .map_err(storage)
        .map_err(into_user_error)?;
    Ok(to_user(stored))
}

fn into_user_error(error: RepositoryError) -> InvitedInsertError {
    InvitedInsertError::User(error.into())
}
