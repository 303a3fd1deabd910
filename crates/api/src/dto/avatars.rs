//! Wire types of avatars: the `PUT /me/avatar` body and the URL profiles show.

use confab_domain::UploadId;
use poem_openapi::Object;
use uuid::Uuid;

/// `PUT /me/avatar`: which of my image uploads becomes my avatar.
#[derive(Debug, Clone, Object)]
#[oai(rename = "SetAvatar", example)]
pub struct SetAvatarRequest {
    /// An image I uploaded (`POST /uploads`).
    pub upload_id: Uuid,
}

impl poem_openapi::types::Example for SetAvatarRequest {
    fn example() -> Self {
        Self {
            upload_id: Uuid::from_u128(0x0193_8a70_1c2d_7e3f_8a4b_5c6d_7e8f_9a0b),
        }
    }
}

/// Where a profile's avatar is fetched: the thumbnail of its image upload (at most
/// 320 px on its long side), readable by every signed-in user.
pub fn avatar_url(avatar: Option<UploadId>) -> Option<String> {
    avatar.map(|id| format!("/api/v1/files/{id}/thumbnail"))
}
