//! Conversions and small queries shared by the admin repository.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::{AuditEntry, NewAuditEntry};
use confab_domain::UserId;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::persistence::entities::{admin_audit, sessions};
use crate::persistence::storage;

/// Appends `entry` to the audit log on `txn` (the transaction of the action).
pub(in crate::persistence) async fn insert_audit<C: ConnectionTrait>(
    txn: &C,
    entry: NewAuditEntry,
) -> Result<(), RepositoryError> {
    admin_audit::ActiveModel {
        id: Set(Uuid::now_v7()),
        admin_id: Set(entry.admin_id.map(|id| id.as_uuid())),
        action: Set(entry.action.as_str().to_owned()),
        target: Set(entry.target),
        at: Set(entry.at),
    }
    .insert(txn)
    .await
    .map_err(storage)?;
    Ok(())
}

pub(super) fn to_audit(row: admin_audit::Model) -> AuditEntry {
    AuditEntry {
        id: row.id,
        admin_id: row.admin_id.map(UserId::from_uuid),
        action: row.action,
        target: row.target,
        at: row.at,
    }
}

/// When each of `users` last used any session.
pub(super) async fn last_seen<C: ConnectionTrait>(
    db: &C,
    users: &[Uuid],
) -> Result<HashMap<Uuid, DateTime<Utc>>, RepositoryError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::UserId)
        .column_as(sessions::Column::LastUsedAt.max(), "last_used_at")
        .filter(sessions::Column::UserId.is_in(users.iter().copied()))
        .group_by(sessions::Column::UserId)
        .into_tuple()
        .all(db)
        .await
        .map_err(storage)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, at)| at.map(|at| (user, at)))
        .collect())
}
