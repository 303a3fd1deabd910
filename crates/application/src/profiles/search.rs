//! Finding users by username or display-name prefix.

use confab_domain::{ProfileView, SearchPrefix, Username};

use super::{ProfileService, SearchUsersError};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::pagination::{Page, PageLimit};

/// Reads a search cursor: the username of the last user on the previous page.
fn parse_cursor(cursor: Option<String>) -> Result<Option<Username>, SearchUsersError> {
    cursor
        .map(|raw| match Username::parse(raw.as_str()) {
            // A cursor we handed out is already folded; anything else is forged.
            Ok(name) if name.as_str() == raw => Ok(name),
            _ => Err(SearchUsersError::InvalidCursor),
        })
        .transpose()
}

impl ProfileService {
    /// Users whose username or display name starts with `q` (case-insensitive, `%`
    /// and `_` literal), sorted by username, each shown as [`get_user`] would.
    ///
    /// [`get_user`]: ProfileService::get_user
    ///
    /// # Errors
    /// [`SearchUsersError::Validation`] for an empty, over-long or control-character
    /// `q` or a bad `limit` (both reported together); `InvalidCursor` for a cursor this search
    /// did not hand out; `Internal` when storage fails.
    #[tracing::instrument(skip_all, fields(user_id = %auth.user_id))]
    pub async fn search(
        &self,
        auth: &Authenticated,
        q: &str,
        limit: Option<i64>,
        cursor: Option<String>,
    ) -> Result<Page<ProfileView>, SearchUsersError> {
        let mut errors = ValidationErrors::default();
        let prefix = errors.check("q", SearchPrefix::parse(q));
        let limit = match PageLimit::parse(limit) {
            Ok(limit) => Some(limit),
            Err(refused) => {
                errors.0.extend(refused.0);
                None
            }
        };
        let (prefix, limit) = errors.finish(|| Some((prefix?, limit?)))?;
        let after = parse_cursor(cursor)?;
        let rows = self
            .users
            .search(
                prefix.as_str(),
                after.as_ref().map(Username::as_str),
                limit.probe(),
            )
            .await?;
        let page = Page::from_probe(rows, limit, |user| user.username.to_string());
        Ok(page.map(|user| user.view_for(auth.user_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_must_be_a_folded_username() {
        assert!(matches!(parse_cursor(None), Ok(None)));
        assert!(matches!(
            parse_cursor(Some("bob_1".into())),
            Ok(Some(name)) if name.as_str() == "bob_1"
        ));
        for bad in ["Bob", "b", "bob!", ""] {
            assert!(
                matches!(
                    parse_cursor(Some(bad.into())),
                    Err(SearchUsersError::InvalidCursor)
                ),
                "{bad}"
            );
        }
    }
}
