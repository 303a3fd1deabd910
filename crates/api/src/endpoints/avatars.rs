//! `/me/avatar`: one of my image uploads as my avatar, or none.

use confab_application::profiles::{AvatarError, ProfileError, ProfileService};
use confab_domain::UploadId;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::avatars::SetAvatarRequest;
use crate::dto::profiles::MeDto;
use crate::error::Refused;
use crate::json::ApiJson;
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Profiles: mine, others', and user search.
    Users,
}

/// `200` with my profile, its new avatar included.
#[derive(ApiResponse)]
pub enum AvatarSet {
    /// My full profile; `avatar_url` names the new avatar.
    #[oai(status = 200)]
    Ok(Json<MeDto>),
}

/// `204`: no avatar any more.
#[derive(ApiResponse)]
pub enum AvatarRemoved {
    /// My profile's `avatar_url` is `null` now (the upload itself stays).
    #[oai(status = 204)]
    NoContent,
}

/// The avatar endpoints.
pub struct AvatarsApi {
    profiles: ProfileService,
}

impl AvatarsApi {
    /// Serves `profiles`.
    pub fn new(profiles: ProfileService) -> Self {
        Self { profiles }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Users")]
impl AvatarsApi {
    /// Set my avatar
    ///
    /// One of my image uploads becomes my avatar: every profile of mine then shows
    /// its `avatar_url` (private ones too), and any signed-in user may fetch it.
    /// An upload that is unknown, someone else's or not an image is refused (422).
    #[oai(path = "/me/avatar", method = "put", operation_id = "setMyAvatar")]
    async fn set(
        &self,
        auth: BearerAuth,
        body: ApiJson<SetAvatarRequest>,
    ) -> Result<AvatarSet, Refused<AvatarError>> {
        let upload = UploadId::from_uuid(body.0.upload_id);
        let user = self.profiles.set_avatar(auth.caller(), upload).await?;
        Ok(AvatarSet::Ok(Json(user.into())))
    }

    /// Remove my avatar
    ///
    /// My profile shows no avatar any more; the upload stays mine (and counts
    /// toward my quota) until I delete it. Removing none is fine.
    #[oai(
        path = "/me/avatar",
        method = "delete",
        operation_id = "removeMyAvatar"
    )]
    async fn remove(&self, auth: BearerAuth) -> Result<AvatarRemoved, Refused<ProfileError>> {
        self.profiles.remove_avatar(auth.caller()).await?;
        Ok(AvatarRemoved::NoContent)
    }
}
