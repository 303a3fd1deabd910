//! `/sessions` and `/me/password`: my device sessions and what revokes them.

use confab_application::accounts::AccountService;
use confab_application::accounts::{ChangePasswordError, ListSessionsError, RevokeSessionError};
use confab_domain::SessionId;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::accounts::{ChangePasswordRequest, SessionPage};
use crate::dto::bounds::{Limit, PathId, raw};
use crate::dto::common::NoContent;
use crate::dto::text::SessionCursorText;
use crate::error::Refused;
use crate::json::ApiJson;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// My device sessions (one per login) and my password.
    Sessions,
}

/// `200` with a page of my sessions.
#[derive(ApiResponse)]
pub enum SessionList {
    /// My active sessions, newest first.
    #[oai(status = 200)]
    Ok(Json<SessionPage>),
}

/// The session endpoints.
pub struct SessionsApi {
    accounts: AccountService,
}

impl SessionsApi {
    /// Serves `accounts`.
    pub fn new(accounts: AccountService) -> Self {
        Self { accounts }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sessions")]
impl SessionsApi {
    /// List my sessions
    ///
    /// Active sessions, newest first; `current` marks the one making the request.
    #[oai(path = "/sessions", method = "get", operation_id = "listSessions")]
    async fn list(
        &self,
        auth: BearerAuth,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<SessionCursorText>>,
    ) -> Result<SessionList, Refused<ListSessionsError>> {
        let page = self
            .accounts
            .list_sessions(auth.caller(), raw(limit.0), cursor.0.map(String::from))
            .await?;
        Ok(SessionList::Ok(Json(page.into())))
    }

    /// Revoke a session
    ///
    /// Revokes one of my sessions (the current one too, which signs me out). Its
    /// access tokens stop working at once.
    #[oai(
        path = "/sessions/:id",
        method = "delete",
        operation_id = "revokeSession"
    )]
    async fn revoke(
        &self,
        auth: BearerAuth,
        /// The session id.
        id: Path<PathId<SessionId>>,
    ) -> Result<NoContent, Refused<RevokeSessionError>> {
        self.accounts
            .revoke_session(auth.caller(), id.0.id())
            .await?;
        Ok(NoContent::Done)
    }

    /// Change my password
    ///
    /// Needs the current password (`403 invalid_password` when wrong); revokes all
    /// my other sessions.
    #[oai(path = "/me/password", method = "put", operation_id = "changePassword")]
    async fn change_password(
        &self,
        auth: BearerAuth,
        body: ApiJson<ChangePasswordRequest>,
    ) -> Result<NoContent, Refused<ChangePasswordError>> {
        let body = body.0;
        self.accounts
            .change_password(
                auth.caller(),
                body.current_password.into(),
                body.new_password.into(),
            )
            .await?;
        Ok(NoContent::Done)
    }
}
