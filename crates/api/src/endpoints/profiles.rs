//! `/me` and `/users`: my profile, others' profiles under the privacy rules, search.

use confab_application::admin::{AdminService, DeleteAccountError};
use confab_application::profiles::ProfileService;
use confab_application::profiles::{
    GetUserError, ProfileError, SearchUsersError, UpdateProfileError,
};
use confab_domain::UserId;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::accounts::DeleteAccountRequest;
use crate::dto::bounds::{Limit, PathId, raw};
use crate::dto::common::NoContent;
use crate::dto::profiles::{MeDto, UpdateMeRequest, UserPage, UserProfileDto};
use crate::dto::text::{SearchText, UserCursorText};
use crate::error::Refused;
use crate::json::ApiJson;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Profiles: mine, others', and user search.
    Users,
}

/// `200` with my full profile.
#[derive(ApiResponse)]
pub enum MyProfile {
    /// My full profile, email included.
    #[oai(status = 200)]
    Ok(Json<MeDto>),
}

/// `200` with someone's profile.
#[derive(ApiResponse)]
pub enum UserProfile {
    /// The profile as I may see it (privacy rules applied).
    #[oai(status = 200)]
    Ok(Json<UserProfileDto>),
}

/// `200` with a page of users.
#[derive(ApiResponse)]
pub enum UserSearch {
    /// Matching users, sorted by username.
    #[oai(status = 200)]
    Ok(Json<UserPage>),
}

/// The profile endpoints.
pub struct ProfilesApi {
    profiles: ProfileService,
    /// Deleting my account shares the deletion with the admin route.
    admin: AdminService,
}

impl ProfilesApi {
    /// Serves `profiles`, and `DELETE /me` through `admin`.
    pub fn new(profiles: ProfileService, admin: AdminService) -> Self {
        Self { profiles, admin }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Users")]
impl ProfilesApi {
    /// Get my profile
    ///
    /// My full profile, email included, as `user` in register, login and refresh.
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn me(&self, auth: BearerAuth) -> Result<MyProfile, Refused<ProfileError>> {
        let user = self.profiles.me(auth.caller()).await?;
        Ok(MyProfile::Ok(Json(user.into())))
    }

    /// Update my profile
    ///
    /// Absent fields stay unchanged, `null` clears a clearable field, unknown fields
    /// are ignored. Changing `email` needs `current_password`.
    #[oai(path = "/me", method = "patch", operation_id = "updateMe")]
    async fn update_me(
        &self,
        auth: BearerAuth,
        body: ApiJson<UpdateMeRequest>,
    ) -> Result<MyProfile, Refused<UpdateProfileError>> {
        let user = self
            .profiles
            .update_me(auth.caller(), body.0.into())
            .await?;
        Ok(MyProfile::Ok(Json(user.into())))
    }

    /// Delete my account
    ///
    /// Needs the current password (`403 invalid_password` when wrong). At once: every
    /// session of mine is revoked (sockets close with 4401 on every node) and my
    /// username and email no longer sign in. The last active admin cannot
    /// (`409 last_admin`).
    #[oai(path = "/me", method = "delete", operation_id = "deleteMe")]
    async fn delete_me(
        &self,
        auth: BearerAuth,
        body: ApiJson<DeleteAccountRequest>,
    ) -> Result<NoContent, Refused<DeleteAccountError>> {
        self.admin
            .delete_own_account(auth.caller(), body.0.current_password.into())
            .await?;
        Ok(NoContent::Done)
    }

    /// Get a user's profile
    ///
    /// Others never see `email`; a private profile shows others only `id, username,
    /// display_name, bio, is_private`.
    #[oai(path = "/users/:id", method = "get", operation_id = "getUser")]
    async fn get_user(
        &self,
        auth: BearerAuth,
        /// The user id.
        id: Path<PathId<UserId>>,
    ) -> Result<UserProfile, Refused<GetUserError>> {
        let view = self.profiles.get_user(auth.caller(), id.0.id()).await?;
        Ok(UserProfile::Ok(Json(view.into())))
    }

    /// Search users
    ///
    /// Prefix search over username and display name, case-insensitive (`%` and `_`
    /// are literal), sorted by username; each item as `GET /users/{id}` shows it.
    #[oai(path = "/users", method = "get", operation_id = "searchUsers")]
    async fn search(
        &self,
        auth: BearerAuth,
        /// The prefix, 1..64 characters after trimming, no control character.
        q: Query<SearchText>,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<UserCursorText>>,
    ) -> Result<UserSearch, Refused<SearchUsersError>> {
        let page = self
            .profiles
            .search(
                auth.caller(),
                &q.0.0,
                raw(limit.0),
                cursor.0.map(String::from),
            )
            .await?;
        Ok(UserSearch::Ok(Json(page.into())))
    }
}
