//! Wire types of profiles: my full profile, someone's profile under the privacy
//! rules, the `PATCH /me` body, and the user search page.

use confab_application::Page;
use confab_application::profiles::{FieldUpdate, ProfilePatch};
use confab_domain::{ProfileView, User};
use poem_openapi::Object;
use poem_openapi::types::{Example, MaybeUndefined};
use uuid::Uuid;

use super::avatars::avatar_url;
use super::common::Timestamp;
use super::nullable::Nullable;
use super::text::{
    BioText, BirthDateText, EmailText, LocationText, NameText, PasswordCheck, UsernameText,
};

/// My full profile (`GET /me`, and `user` after register, login and refresh).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Me", example)]
pub struct MeDto {
    /// My user id (UUIDv7).
    pub id: Uuid,
    /// Unique login name, lower case.
    pub username: String,
    /// My email address, as I gave it.
    pub email: String,
    /// Whether I confirmed `email` through the link mailed to it.
    pub email_verified: bool,
    /// The address I asked to change to, until I use the link mailed to it.
    pub pending_email: Nullable<String>,
    /// Name shown instead of the username.
    pub display_name: Nullable<String>,
    /// Self-description.
    pub bio: Nullable<String>,
    /// Where I am.
    pub location: Nullable<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Nullable<String>,
    /// Whether strangers see only `id, username, display_name, bio, is_private`.
    pub is_private: bool,
    /// When the account was created.
    pub created_at: Timestamp,
    /// When the profile last changed.
    pub updated_at: Timestamp,
    /// Whether I administer this server (the `/api/v1/admin` routes).
    pub is_admin: bool,
    /// Where my avatar is fetched (`PUT /me/avatar`); `null` without one.
    pub avatar_url: Nullable<String>,
}

impl Example for MeDto {
    /// The profile after the `Register` and `UpdateMe` examples.
    fn example() -> Self {
        let at = Timestamp::example;
        Self {
            id: Uuid::from_u128(0x0193_8a6d_f0aa_7b3c_a4d5_e6f7_0819_2a3b),
            username: "alice".to_owned(),
            email: "alice@example.com".to_owned(),
            email_verified: false,
            pending_email: Nullable(None),
            display_name: Nullable(Some("Alice Liddell".to_owned())),
            bio: Nullable(None),
            location: Nullable(Some("Oxford".to_owned())),
            birth_date: Nullable(Some("1990-05-04".to_owned())),
            is_private: false,
            created_at: at("2026-12-02T09:30:00.000Z"),
            updated_at: at("2026-12-02T09:31:12.480Z"),
            is_admin: false,
            avatar_url: Nullable(None),
        }
    }
}

impl From<User> for MeDto {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            username: user.username.into(),
            email: user.email.into(),
            email_verified: user.email_verified,
            pending_email: Nullable(user.pending_email.map(Into::into)),
            display_name: Nullable(user.display_name.map(Into::into)),
            bio: Nullable(user.bio.map(Into::into)),
            location: Nullable(user.location.map(Into::into)),
            birth_date: Nullable(user.birth_date.map(|d| d.to_string())),
            is_private: user.is_private,
            created_at: user.created_at.into(),
            updated_at: user.updated_at.into(),
            is_admin: user.is_admin,
            avatar_url: Nullable(avatar_url(user.avatar)),
        }
    }
}

/// Someone's profile as I may see it. `email` appears only on my own profile;
/// a private profile of someone else shows only `id, username, display_name, bio,
/// is_private`, the other fields being absent (not `null`).
#[derive(Debug, Clone, Object)]
#[oai(rename = "UserProfile")]
pub struct UserProfileDto {
    /// The user id (UUIDv7).
    pub id: Uuid,
    /// Unique login name.
    pub username: String,
    /// Only on my own profile.
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<String>,
    /// Name shown instead of the username.
    pub display_name: Nullable<String>,
    /// Self-description.
    pub bio: Nullable<String>,
    /// Absent on someone else's private profile.
    #[oai(nullable)]
    pub location: MaybeUndefined<String>,
    /// `YYYY-MM-DD`; absent on someone else's private profile.
    #[oai(nullable)]
    pub birth_date: MaybeUndefined<String>,
    /// Whether the profile is private.
    pub is_private: bool,
    /// Absent on someone else's private profile.
    #[oai(skip_serializing_if_is_none)]
    pub created_at: Option<Timestamp>,
    /// Absent on someone else's private profile.
    #[oai(skip_serializing_if_is_none)]
    pub updated_at: Option<Timestamp>,
    /// Where the avatar is fetched; `null` without one. Shown on private profiles
    /// too.
    pub avatar_url: Nullable<String>,
}

impl From<ProfileView> for UserProfileDto {
    fn from(view: ProfileView) -> Self {
        let (user, own, restricted) = match view {
            ProfileView::Own(user) => (user, true, false),
            ProfileView::Public(user) => (user, false, false),
            ProfileView::Restricted(user) => (user, false, true),
        };
        let visible = |value: Option<String>| {
            if restricted {
                MaybeUndefined::Undefined
            } else {
                MaybeUndefined::from_opt_null(value)
            }
        };
        Self {
            id: user.id.as_uuid(),
            username: user.username.into(),
            email: own.then(|| user.email.into()),
            display_name: Nullable(user.display_name.map(Into::into)),
            bio: Nullable(user.bio.map(Into::into)),
            location: visible(user.location.map(Into::into)),
            birth_date: visible(user.birth_date.map(|d| d.to_string())),
            is_private: user.is_private,
            created_at: (!restricted).then(|| user.created_at.into()),
            updated_at: (!restricted).then(|| user.updated_at.into()),
            avatar_url: Nullable(avatar_url(user.avatar)),
        }
    }
}

/// `PATCH /me`: absent fields stay, `null` clears a clearable field. Any other field
/// (`id`, `created_at`, `password_hash`, …) is ignored, never written.
// `skip_serializing_if_is_none` on the fields `null` cannot clear keeps them out of
// the example when unset (an example with `"username": null` would be refused).
#[derive(Object)]
#[oai(rename = "UpdateMe", example)]
pub struct UpdateMeRequest {
    /// New username (`^[a-z0-9_]{3,32}$` after lower-casing).
    #[oai(skip_serializing_if_is_none)]
    pub username: Option<UsernameText>,
    /// New email; needs `current_password`.
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<EmailText>,
    /// My current password, required to change the email.
    #[oai(skip_serializing_if_is_none)]
    pub current_password: Option<PasswordCheck>,
    /// 1..64 characters; `null` clears.
    #[oai(nullable)]
    pub display_name: MaybeUndefined<NameText>,
    /// Up to 500 characters; `null` clears.
    #[oai(nullable)]
    pub bio: MaybeUndefined<BioText>,
    /// Up to 100 characters; `null` clears.
    #[oai(nullable)]
    pub location: MaybeUndefined<LocationText>,
    /// `YYYY-MM-DD` between 1900-01-01 and today; `null` clears. (The schema's
    /// pattern is a safe subset: years up to 2025, no 29 February.)
    #[oai(nullable)]
    pub birth_date: MaybeUndefined<BirthDateText>,
    /// Make my profile private (or public).
    #[oai(skip_serializing_if_is_none)]
    pub is_private: Option<bool>,
}

impl Example for UpdateMeRequest {
    /// Fills in the profile, clears the bio and keeps it public; the username and
    /// email stay (changing the email needs `current_password` as well).
    fn example() -> Self {
        Self {
            username: None,
            email: None,
            current_password: None,
            display_name: MaybeUndefined::Value(NameText("Alice Liddell".to_owned())),
            bio: MaybeUndefined::Null,
            location: MaybeUndefined::Value(LocationText("Oxford".to_owned())),
            birth_date: MaybeUndefined::Value(BirthDateText("1990-05-04".to_owned())),
            is_private: Some(false),
        }
    }
}

fn tri_state<T: Into<String>>(value: MaybeUndefined<T>) -> FieldUpdate<String> {
    match value {
        MaybeUndefined::Undefined => FieldUpdate::Unchanged,
        MaybeUndefined::Null => FieldUpdate::Clear,
        MaybeUndefined::Value(value) => FieldUpdate::Set(value.into()),
    }
}

impl From<UpdateMeRequest> for ProfilePatch {
    fn from(body: UpdateMeRequest) -> Self {
        Self {
            username: body.username.map(Into::into),
            email: body.email.map(Into::into),
            current_password: body.current_password.map(Into::into),
            display_name: tri_state(body.display_name),
            bio: tri_state(body.bio),
            location: tri_state(body.location),
            birth_date: tri_state(body.birth_date),
            is_private: body.is_private,
        }
    }
}

/// A page of user search results, sorted by username.
#[derive(Debug, Clone, Object)]
#[oai(rename = "UserPage")]
pub struct UserPage {
    /// The profiles, each as `GET /users/{id}` shows it to me.
    pub items: Vec<UserProfileDto>,
    /// Pass as `cursor` for the next page; `null` when nothing more exists.
    pub next_cursor: Nullable<String>,
}

impl From<Page<ProfileView>> for UserPage {
    fn from(page: Page<ProfileView>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: Nullable(page.next_cursor),
        }
    }
}
