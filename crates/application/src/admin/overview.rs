//! What admins read: the audit log and the server's counts.

use uuid::Uuid;

use super::{AdminError, AdminService};
use crate::accounts::Authenticated;
use crate::pagination::{Page, PageLimit};
use crate::ports::{AuditEntry, StoredCounts};

/// The counts of `GET /admin/stats` that come from storage; the edge adds the open
/// sockets it knows of.
pub type Stats = StoredCounts;

/// Reads an audit cursor: the id of the last entry of the previous page.
fn parse_cursor(cursor: Option<&str>) -> Result<Option<Uuid>, AdminError> {
    cursor
        .map(|raw| match Uuid::parse_str(raw) {
            Ok(id) if id.hyphenated().to_string() == raw => Ok(id),
            _ => Err(AdminError::InvalidCursor),
        })
        .transpose()
}

impl AdminService {
    /// Every admin action, newest first.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad `limit`; `InvalidCursor`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn audit_log(
        &self,
        auth: &Authenticated,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<AuditEntry>, AdminError> {
        self.require_admin(auth).await?;
        let limit = PageLimit::parse(limit)?;
        let before = parse_cursor(cursor.as_deref())?;
        let rows = self.admin.list_audit(before, limit.probe()).await?;
        Ok(Page::from_probe(rows, limit, |entry| {
            entry.id.hyphenated().to_string()
        }))
    }

    /// How many accounts, chats and messages the server stores.
    ///
    /// # Errors
    /// `Forbidden`; `Internal`.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn stats(&self, auth: &Authenticated) -> Result<Stats, AdminError> {
        self.require_admin(auth).await?;
        Ok(self.admin.counts().await?)
    }
}
