//! Accounts: register, login, refresh with rotation, sessions, password change.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use confab_application::accounts::{
    AccountService, AuthenticateError, Authenticated, ChangePasswordError, ListSessionsError,
    LoginError, LoginInput, RefreshError, RegisterError, RegisterInput, RevokeSessionError,
    SignedIn,
};
use confab_application::ports::{HashError, Notification, PasswordHash, PasswordHasher};
use confab_domain::{Password, SessionId};
use confab_infrastructure::security::Argon2PasswordHasher;

use crate::support::{ACCESS_TTL_SECONDS, Ports};

fn alice() -> RegisterInput {
    RegisterInput {
        username: "Alice".into(),
        email: "Alice@Example.com".into(),
        password: "correct horse".into(),
        display_name: Some("Alice A.".into()),
        device_name: Some("laptop".into()),
    }
}

fn login_as(login: &str, password: &str) -> LoginInput {
    LoginInput {
        login: login.into(),
        password: password.into(),
        device_name: None,
    }
}

async fn sign_in(service: &AccountService, login: &str) -> (SignedIn, Authenticated) {
    let signed_in = service
        .login(login_as(login, "correct horse"))
        .await
        .expect("login");
    let auth = service
        .authenticate(&signed_in.tokens.access_token)
        .await
        .expect("fresh token is accepted");
    (signed_in, auth)
}

/// Whether the session with this id has been revoked (`None`: no such session).
async fn revoked(ports: &Ports, auth: &Authenticated) -> Option<bool> {
    let session = ports.sessions.get(auth.session_id).await.expect("read");
    session.map(|s| s.revoked_at.is_some())
}

#[tokio::test]
async fn register_then_login_by_username_or_email_in_any_case() {
    let ports = Ports::new();
    let service = ports.accounts();
    let registered = service.register(alice()).await.expect("register");
    assert_eq!(registered.user.username.as_str(), "alice");
    assert_eq!(registered.tokens.expires_in, ACCESS_TTL_SECONDS);
    for login in ["ALICE", "alice@example.COM"] {
        let (signed_in, auth) = sign_in(&service, login).await;
        assert_eq!(signed_in.user.id, registered.user.id);
        assert_eq!(auth.user_id, registered.user.id);
    }
}

#[tokio::test]
async fn taken_username_and_email_are_reported_apart() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    let same_name = service.register(alice()).await;
    assert!(matches!(same_name, Err(RegisterError::UsernameTaken)));
    let same_email = service
        .register(RegisterInput {
            username: "alice2".into(),
            email: "ALICE@example.com".into(),
            ..alice()
        })
        .await;
    assert!(matches!(same_email, Err(RegisterError::EmailTaken)));
}

/// The real hasher, noting for each verification whether it was against a stored
/// hash (`true`) or the dummy one (`false`): which is what timing would reveal.
struct VerificationLog {
    hasher: Argon2PasswordHasher,
    against_stored: Mutex<Vec<bool>>,
}

#[async_trait]
impl PasswordHasher for VerificationLog {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        self.hasher.hash(password).await
    }

    async fn verify(
        &self,
        password: &Password,
        hash: Option<&PasswordHash>,
    ) -> Result<bool, HashError> {
        self.against_stored
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(hash.is_some());
        self.hasher.verify(password, hash).await
    }
}

#[tokio::test]
async fn every_failed_login_costs_one_verification_and_looks_the_same() {
    let log = Arc::new(VerificationLog {
        hasher: Argon2PasswordHasher::new(),
        against_stored: Mutex::default(),
    });
    let ports = Ports::with_hasher(log.clone());
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    for (login, password) in [
        ("nobody", "correct horse"),
        ("alice", "wrong password"),
        ("alice", "short"),
    ] {
        let result = service.login(login_as(login, password)).await;
        assert!(
            matches!(result, Err(LoginError::InvalidCredentials)),
            "{login}/{password}"
        );
    }
    // Unknown user and out-of-policy password verify against the dummy hash.
    let verifications = log
        .against_stored
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    assert_eq!(verifications, [false, true, false]);
    let empty = service.login(login_as("  ", "correct horse")).await;
    assert!(matches!(empty, Err(LoginError::Validation(_))));
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_the_session() {
    let ports = Ports::new();
    let service = ports.accounts();
    let first = service.register(alice()).await.expect("register");
    let auth = service
        .authenticate(&first.tokens.access_token)
        .await
        .expect("valid");
    let second = service
        .refresh(&first.tokens.refresh_token)
        .await
        .expect("rotate");
    assert_ne!(second.tokens.refresh_token, first.tokens.refresh_token);
    assert_eq!(second.user.id, first.user.id);

    let replay = service.refresh(&first.tokens.refresh_token).await;
    assert!(matches!(replay, Err(RefreshError::InvalidRefreshToken)));
    assert_eq!(
        ports.published(),
        [Notification::SessionsRevoked {
            user_id: auth.user_id,
            session_ids: vec![auth.session_id],
        }]
    );
    assert_eq!(revoked(&ports, &auth).await, Some(true));
    let after_theft = service.refresh(&second.tokens.refresh_token).await;
    assert!(matches!(
        after_theft,
        Err(RefreshError::InvalidRefreshToken)
    ));
    let revoked = service.authenticate(&second.tokens.access_token).await;
    assert!(matches!(revoked, Err(AuthenticateError::Unauthorized)));
    let unknown = service.refresh("never-issued").await;
    assert!(matches!(unknown, Err(RefreshError::InvalidRefreshToken)));
}

#[tokio::test]
async fn revoking_a_session_stops_its_access_token_at_once() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    let (_, phone) = sign_in(&service, "alice").await;
    let (tablet_tokens, tablet) = sign_in(&service, "alice").await;
    service
        .revoke_session(&phone, tablet.session_id)
        .await
        .expect("mine");
    let rejected = service
        .authenticate(&tablet_tokens.tokens.access_token)
        .await;
    assert!(matches!(rejected, Err(AuthenticateError::Unauthorized)));
    assert_eq!(revoked(&ports, &tablet).await, Some(true));
    assert_eq!(revoked(&ports, &phone).await, Some(false));
    for id in [tablet.session_id, SessionId::from_uuid(uuid::Uuid::nil())] {
        let again = service.revoke_session(&phone, id).await;
        assert!(matches!(again, Err(RevokeSessionError::SessionNotFound)));
    }
    let garbage = service.authenticate("not-a-token").await;
    assert!(matches!(garbage, Err(AuthenticateError::Unauthorized)));
}

#[tokio::test]
async fn someone_elses_session_is_not_found() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    let bob = service
        .register(RegisterInput {
            username: "bob".into(),
            email: "bob@example.com".into(),
            ..alice()
        })
        .await
        .expect("register bob");
    let bob = service
        .authenticate(&bob.tokens.access_token)
        .await
        .expect("valid");
    let (_, alice) = sign_in(&service, "alice").await;
    let result = service.revoke_session(&alice, bob.session_id).await;
    assert!(matches!(result, Err(RevokeSessionError::SessionNotFound)));
    assert_eq!(revoked(&ports, &bob).await, Some(false));
    assert!(ports.published().is_empty());
}

#[tokio::test]
async fn sessions_are_paged_newest_first_with_the_current_one_marked() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    sign_in(&service, "alice").await;
    let (_, newest) = sign_in(&service, "alice").await;
    let first = service
        .list_sessions(&newest, Some(2), None)
        .await
        .expect("page 1");
    assert_eq!(first.items.len(), 2);
    assert!(first.items[0].current && !first.items[1].current);
    let second = service
        .list_sessions(&newest, Some(2), first.next_cursor)
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next_cursor, None);
    let bad = service.list_sessions(&newest, None, Some("x".into())).await;
    assert!(matches!(bad, Err(ListSessionsError::InvalidCursor)));
    let zero = service.list_sessions(&newest, Some(0), None).await;
    assert!(matches!(zero, Err(ListSessionsError::Validation(_))));
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_device() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    let (_, other) = sign_in(&service, "alice").await;
    let (_, current) = sign_in(&service, "alice").await;
    let wrong = service
        .change_password(&current, "not my password".into(), "brand new pass".into())
        .await;
    assert!(matches!(wrong, Err(ChangePasswordError::InvalidPassword)));
    let weak = service
        .change_password(&current, "correct horse".into(), "short".into())
        .await;
    let Err(ChangePasswordError::Validation(errors)) = weak else {
        panic!("expected a validation error, got {weak:?}");
    };
    assert_eq!(errors.0[0].field, "new_password");

    service
        .change_password(&current, "correct horse".into(), "brand new pass".into())
        .await
        .expect("changed");
    let Some(Notification::SessionsRevoked { session_ids, .. }) = ports.published().pop() else {
        panic!("revocation must be published");
    };
    assert_eq!(session_ids.len(), 2, "the registration session and `other`");
    assert!(session_ids.contains(&other.session_id));
    assert!(!session_ids.contains(&current.session_id));
    assert_eq!(revoked(&ports, &other).await, Some(true));
    assert_eq!(revoked(&ports, &current).await, Some(false));
    let old = service.login(login_as("alice", "correct horse")).await;
    assert!(matches!(old, Err(LoginError::InvalidCredentials)));
    service
        .login(login_as("alice", "brand new pass"))
        .await
        .expect("new password works");
}

#[tokio::test]
async fn logout_revokes_only_the_current_session() {
    let ports = Ports::new();
    let service = ports.accounts();
    service.register(alice()).await.expect("register");
    let (tokens, auth) = sign_in(&service, "alice").await;
    let (_, other) = sign_in(&service, "alice").await;
    service.logout(&auth).await.expect("logout");
    let after = service.authenticate(&tokens.tokens.access_token).await;
    assert!(matches!(after, Err(AuthenticateError::Unauthorized)));
    let refresh = service.refresh(&tokens.tokens.refresh_token).await;
    assert!(matches!(refresh, Err(RefreshError::InvalidRefreshToken)));
    assert_eq!(ports.published().len(), 1);
    assert_eq!(revoked(&ports, &other).await, Some(false));
}
