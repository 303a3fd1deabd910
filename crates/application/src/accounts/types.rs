//! The values account use cases take and return.

use std::fmt;

use confab_domain::{Session, SessionId, User, UserId};

/// Who a request comes from: the user and the session its access token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticated {
    /// The signed-in user.
    pub user_id: UserId,
    /// The session (device login) the access token was issued for.
    pub session_id: SessionId,
}

/// The tokens handed to a client after register, login or refresh.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The signed JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The single-use token that buys the next pair.
    pub refresh_token: String,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are bearer credentials: they must never reach a log line.
        f.debug_struct("TokenPair")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A successful register, login or refresh: my full profile and fresh tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account, as `GET /me` shows it.
    pub user: User,
    /// The new tokens.
    pub tokens: TokenPair,
}

/// One of my sessions, as `GET /sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// The session.
    pub session: Session,
    /// Whether it is the session making this request.
    pub current: bool,
}

/// The raw fields of `POST /auth/register`.
#[derive(Clone, Default)]
pub struct RegisterInput {
    /// Wanted username (folded to lower case).
    pub username: String,
    /// Email address.
    pub email: String,
    /// Plain password.
    pub password: String,
    /// Optional display name.
    pub display_name: Option<String>,
    /// Optional label of the device signing up.
    pub device_name: Option<String>,
}

impl fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterInput")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("device_name", &self.device_name)
            .finish_non_exhaustive()
    }
}

/// The raw fields of `POST /auth/login`.
#[derive(Clone, Default)]
pub struct LoginInput {
    /// Username or email.
    pub login: String,
    /// Plain password.
    pub password: String,
    /// Optional label of the device signing in.
    pub device_name: Option<String>,
}

impl fmt::Debug for LoginInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginInput")
            .field("login", &self.login)
            .field("device_name", &self.device_name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let tokens = TokenPair {
            access_token: "eyJ.secret.sig".into(),
            expires_in: 900,
            refresh_token: "refresh-secret".into(),
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("900"));
        let register = RegisterInput {
            username: "alice".into(),
            password: "hunter2hunter2".into(),
            ..RegisterInput::default()
        };
        assert!(!format!("{register:?}").contains("hunter2"));
        let login = LoginInput {
            login: "alice".into(),
            password: "hunter2hunter2".into(),
            device_name: None,
        };
        assert!(!format!("{login:?}").contains("hunter2"));
    }
}
