//! `PATCH /me` input and its translation into a checked repository change set.

use std::fmt;

use chrono::NaiveDate;
use confab_domain::{Bio, BirthDate, DisplayName, Email, Location, Username};

use super::FieldUpdate;
use crate::error::ValidationErrors;
use crate::ports::ProfileChanges;

/// The raw fields of `PATCH /me`. Only these can ever be written: anything else a
/// client sends never reaches this type.
#[derive(Clone, Default)]
pub struct ProfilePatch {
    /// New username; `None` (absent or `null`) keeps it, it cannot be cleared.
    pub username: Option<String>,
    /// New email; `None` keeps it. A different address needs `current_password`.
    pub email: Option<String>,
    /// My current password, required only to change the email.
    pub current_password: Option<String>,
    /// Display name: keep, clear or set.
    pub display_name: FieldUpdate<String>,
    /// Bio: keep, clear or set.
    pub bio: FieldUpdate<String>,
    /// Location: keep, clear or set.
    pub location: FieldUpdate<String>,
    /// Birth date as `YYYY-MM-DD`: keep, clear or set.
    pub birth_date: FieldUpdate<String>,
    /// New privacy flag; `None` keeps it.
    pub is_private: Option<bool>,
}

impl fmt::Debug for ProfilePatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password is left out; the rest is what the user asked to change.
        f.debug_struct("ProfilePatch")
            .field("username", &self.username)
            .field("email", &self.email.is_some())
            .field("display_name", &!self.display_name.is_unchanged())
            .field("bio", &!self.bio.is_unchanged())
            .field("location", &!self.location.is_unchanged())
            .field("birth_date", &!self.birth_date.is_unchanged())
            .field("is_private", &self.is_private)
            .finish_non_exhaustive()
    }
}

/// Checks every field of `patch` (birth dates against `today`), reporting all
/// failures at once. The password is not part of the change set.
pub(super) fn parse_patch(
    patch: ProfilePatch,
    today: NaiveDate,
) -> Result<ProfileChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let username = errors.check("username", patch.username.map(Username::parse).transpose());
    let email = errors.check("email", patch.email.map(Email::parse).transpose());
    let display_name = errors.check(
        "display_name",
        patch.display_name.try_map(DisplayName::parse),
    );
    let bio = errors.check("bio", patch.bio.try_map(Bio::parse));
    let location = errors.check("location", patch.location.try_map(Location::parse));
    let birth_date = errors.check(
        "birth_date",
        patch
            .birth_date
            .try_map(|raw| BirthDate::parse(&raw, today)),
    );
    errors.finish(|| {
        Some(ProfileChanges {
            username: username?,
            email: email?,
            display_name: display_name?.into_nullable(),
            bio: bio?.into_nullable(),
            location: location?.into_nullable(),
            birth_date: birth_date?.into_nullable(),
            is_private: patch.is_private,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let changes = parse_patch(ProfilePatch::default(), today()).expect("valid");
        assert!(changes.is_empty());
    }

    #[test]
    fn the_three_states_reach_the_change_set() {
        let patch = ProfilePatch {
            display_name: FieldUpdate::Set("  Alice ".into()),
            bio: FieldUpdate::Clear,
            birth_date: FieldUpdate::Set("1990-02-28".into()),
            is_private: Some(true),
            username: Some("NewName".into()),
            ..ProfilePatch::default()
        };
        let changes = parse_patch(patch, today()).expect("valid");
        assert_eq!(
            changes.display_name.flatten().map(String::from),
            Some("Alice".into())
        );
        assert_eq!(changes.bio, Some(None));
        assert_eq!(changes.location, None);
        assert_eq!(
            changes.birth_date.flatten().map(|d| d.to_string()),
            Some("1990-02-28".into())
        );
        assert_eq!(changes.username.map(String::from), Some("newname".into()));
        assert_eq!(changes.email, None);
        assert_eq!(changes.is_private, Some(true));
    }

    #[test]
    fn every_bad_field_is_reported_by_its_json_name() {
        let patch = ProfilePatch {
            username: Some("x".into()),
            email: Some("not-an-email".into()),
            display_name: FieldUpdate::Set(String::new()),
            bio: FieldUpdate::Set("b".repeat(501)),
            location: FieldUpdate::Set("l".repeat(101)),
            birth_date: FieldUpdate::Set("2026-11-22".into()),
            ..ProfilePatch::default()
        };
        let errors = parse_patch(patch, today()).expect_err("all bad");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "username",
                "email",
                "display_name",
                "bio",
                "location",
                "birth_date"
            ]
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let patch = ProfilePatch {
            current_password: Some("hunter2hunter2".into()),
            ..ProfilePatch::default()
        };
        assert!(!format!("{patch:?}").contains("hunter2"));
    }
}
