//! Managing my device sessions: logout, listing and revoking them.

use confab_domain::SessionId;

use super::{
    AccountService, Authenticated, ListSessionsError, LogoutError, RevokeSessionError,
    SessionSummary,
};
use crate::pagination::{Page, PageLimit};

/// Reads a `GET /sessions` cursor: the id of the last session of the previous page,
/// in the hyphenated lower-case form it was handed out in (anything else is forged).
fn parse_cursor(cursor: Option<&str>) -> Result<Option<SessionId>, ListSessionsError> {
    cursor
        .map(|raw| match raw.parse::<SessionId>() {
            Ok(id) if id.to_string() == raw => Ok(id),
            _ => Err(ListSessionsError::InvalidCursor),
        })
        .transpose()
}

impl AccountService {
    /// Revokes the session making the request.
    ///
    /// # Errors
    /// [`LogoutError::Internal`] when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id, session_id = %auth.session_id))]
    pub async fn logout(&self, auth: &Authenticated) -> Result<(), LogoutError> {
        let revoked = self
            .sessions
            .revoke(auth.user_id, auth.session_id, self.clock.now())
            .await?;
        if revoked {
            self.publish_revoked(auth.user_id, vec![auth.session_id])
                .await;
        }
        Ok(())
    }

    /// My active sessions, newest first, marking the one making the request.
    ///
    /// # Errors
    /// [`ListSessionsError::Validation`] for a `limit` outside 1..100;
    /// `InvalidCursor` for a cursor this list did not hand out; `Internal` otherwise.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn list_sessions(
        &self,
        auth: &Authenticated,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<SessionSummary>, ListSessionsError> {
        let limit = PageLimit::parse(limit)?;
        let before = parse_cursor(cursor.as_deref())?;
        let rows = self
            .sessions
            .list_active(auth.user_id, before, limit.probe(), self.clock.now())
            .await?;
        let page = Page::from_probe(rows, limit, |session| session.id.to_string());
        Ok(page.map(|session| SessionSummary {
            current: session.id == auth.session_id,
            session,
        }))
    }

    /// Revokes one of my sessions (the current one too, which is a logout).
    ///
    /// # Errors
    /// [`RevokeSessionError::SessionNotFound`] when `session_id` is malformed, not
    /// mine or no longer active; `Internal` otherwise.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn revoke_session(
        &self,
        auth: &Authenticated,
        session_id: SessionId,
    ) -> Result<(), RevokeSessionError> {
        let revoked = self
            .sessions
            .revoke(auth.user_id, session_id, self.clock.now())
            .await?;
        if !revoked {
            return Err(RevokeSessionError::SessionNotFound);
        }
        self.publish_revoked(auth.user_id, vec![session_id]).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_a_session_id_or_nothing() {
        assert!(matches!(parse_cursor(None), Ok(None)));
        let id = SessionId::generate();
        assert!(matches!(
            parse_cursor(Some(&id.to_string())),
            Ok(Some(parsed)) if parsed == id
        ));
        let upper = id.to_string().to_uppercase();
        let simple = id.as_uuid().simple().to_string();
        for bad in [
            "",
            "abc",
            "not-a-uuid-at-all-0000000000000000",
            &upper,
            &simple,
        ] {
            assert!(
                matches!(
                    parse_cursor(Some(bad)),
                    Err(ListSessionsError::InvalidCursor)
                ),
                "{bad}"
            );
        }
    }
}
