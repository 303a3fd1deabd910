//! Email flows on the reference store: reset revokes every session and says so on
//! the bus, a confirmed change moves the address, the resend limit, bad tokens.

use chrono::TimeDelta;
use confab_application::accounts::RegisterInput;
use confab_application::email::{ConfirmEmailError, RequestVerificationError, ResetPasswordError};
use confab_application::ports::Notification;
use confab_application::profiles::ProfilePatch;

use crate::support::Ports;

const PASSWORD: &str = "correct horse";

fn alice() -> RegisterInput {
    RegisterInput {
        username: "alice".into(),
        email: "alice@example.com".into(),
        password: PASSWORD.into(),
        ..RegisterInput::default()
    }
}

#[tokio::test]
async fn a_reset_revokes_every_session_and_tells_the_sockets() {
    let ports = Ports::new();
    let email = ports.email();
    let accounts = ports.accounts();
    let signed_in = accounts.register(alice()).await.expect("register");
    let auth = accounts
        .authenticate(&signed_in.tokens.access_token)
        .await
        .expect("auth");
    let address = confab_application::email::EmailService::parse_forgot("Alice@Example.com".into())
        .expect("valid");
    email.forgot(&address).await.expect("forgot");
    let token = ports.mailed_token("alice@example.com", "reset-password");
    ports.published();
    let weak = email.reset(&token, "short".into()).await;
    assert!(matches!(weak, Err(ResetPasswordError::Validation(_))));
    email
        .reset(&token, "a brand new passphrase".into())
        .await
        .expect("reset");
    let published = ports.published();
    assert!(
        published.iter().any(|n| matches!(
            n,
            Notification::SessionsRevoked { session_ids, .. } if session_ids.contains(&auth.session_id)
        )),
        "{published:?}"
    );
    assert!(
        accounts
            .authenticate(&signed_in.tokens.access_token)
            .await
            .is_err()
    );
    let again = email.reset(&token, "yet another passphrase".into()).await;
    assert!(matches!(again, Err(ResetPasswordError::InvalidToken)));
}

#[tokio::test]
async fn a_confirmed_change_moves_the_address_and_verifies_it() {
    let ports = Ports::new();
    let email = ports.email();
    let accounts = ports.accounts().with_verification_mail(email.clone());
    let profiles = ports.profiles().with_email_changes(email.clone());
    let signed_in = accounts.register(alice()).await.expect("register");
    let auth = accounts
        .authenticate(&signed_in.tokens.access_token)
        .await
        .expect("auth");
    let patched = profiles
        .update_me(
            &auth,
            ProfilePatch {
                email: Some("alice@new.example.com".into()),
                current_password: Some(PASSWORD.into()),
                display_name: confab_application::profiles::FieldUpdate::Set("Alice".into()),
                ..ProfilePatch::default()
            },
        )
        .await
        .expect("patch");
    assert_eq!(patched.email.as_str(), "alice@example.com");
    assert_eq!(
        patched.pending_email.map(String::from).as_deref(),
        Some("alice@new.example.com")
    );
    assert_eq!(
        patched.display_name.map(String::from).as_deref(),
        Some("Alice")
    );
    let token = ports.mailed_token("alice@new.example.com", "verify-email");
    let confirmed = email.confirm(&token).await.expect("confirm");
    assert_eq!(confirmed.email.as_str(), "alice@new.example.com");
    assert!(confirmed.email_verified && confirmed.pending_email.is_none());
    assert!(matches!(
        email.confirm(&token).await,
        Err(ConfirmEmailError::InvalidToken)
    ));
    // The old address's verification link no longer matches the account.
    let old = ports.mailed_token("alice@example.com", "verify-email");
    assert!(matches!(
        email.confirm(&old).await,
        Err(ConfirmEmailError::InvalidToken)
    ));
}

#[tokio::test]
async fn verification_mails_wait_a_minute_between_them() {
    let ports = Ports::new();
    let email = ports.email();
    let accounts = ports.accounts().with_verification_mail(email.clone());
    let signed_in = accounts.register(alice()).await.expect("register");
    let auth = accounts
        .authenticate(&signed_in.tokens.access_token)
        .await
        .expect("auth");
    let soon = email.request_verification(&auth).await;
    assert!(matches!(
        soon,
        Err(RequestVerificationError::TooSoon { retry_after_seconds }) if (1..=61).contains(&retry_after_seconds)
    ));
    ports.clock.advance(TimeDelta::seconds(60));
    email
        .request_verification(&auth)
        .await
        .expect("a minute later");
    assert_eq!(ports.store.queued_mails().len(), 2);
}
