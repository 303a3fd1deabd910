//! Contract of `MailTokenRepository`.

use chrono::TimeDelta;
use confab_application::ports::{
    NewMailToken, NewSession, OutgoingMail, PasswordHash, TokenHash, TokenPurpose, UserWriteError,
};
use confab_domain::{Email, SessionId, User};

use crate::contract_test;
use crate::support::Stores;
use crate::users::{now, stored_user};

fn token(user: &User, purpose: TokenPurpose, email: &str, hash: &str) -> NewMailToken {
    let at = now();
    NewMailToken {
        hash: TokenHash(hash.to_owned()),
        user_id: user.id,
        purpose,
        email: Email::parse(email).expect("valid"),
        now: at,
        expires_at: at + TimeDelta::hours(1),
    }
}

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse(to).expect("valid"),
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
    }
}

async fn a_reset_spends_the_token_sets_the_password_and_revokes_every_session(stores: Stores) {
    let alice = stored_user(&stores, "alice").await;
    let session = SessionId::generate();
    stores
        .sessions
        .create(NewSession {
            id: session,
            user_id: alice.id,
            device_name: None,
            refresh_token_hash: TokenHash("refresh".into()),
            now: now(),
            expires_at: now() + TimeDelta::days(1),
        })
        .await
        .expect("session")
        .expect("an enabled account");
    let tokens = &stores.mail_tokens;
    tokens
        .issue(
            token(&alice, TokenPurpose::Reset, "alice@example.com", "r1"),
            vec![mail("alice@example.com")],
        )
        .await
        .expect("issue");
    tokens
        .issue(
            token(&alice, TokenPurpose::Reset, "alice@example.com", "r2"),
            vec![],
        )
        .await
        .expect("issue");
    assert!(
        tokens
            .latest_issued(alice.id, TokenPurpose::Reset)
            .await
            .expect("latest")
            .is_some()
    );
    let hash = PasswordHash::new("$argon2id$new");
    let reset = tokens
        .reset_password(&TokenHash("r1".into()), hash.clone(), now())
        .await
        .expect("reset");
    assert_eq!(reset, Some((alice.id, vec![session])));
    assert_eq!(
        stores.users.password_hash(alice.id).await.expect("hash"),
        Some(hash.clone())
    );
    let revoked = stores
        .sessions
        .get(session)
        .await
        .expect("get")
        .expect("session");
    assert!(revoked.revoked_at.is_some());
    for spent in ["r1", "r2"] {
        let again = tokens
            .reset_password(&TokenHash(spent.into()), hash.clone(), now())
            .await
            .expect("reset");
        assert_eq!(again, None, "{spent} is spent");
    }
    // A verify token is not a reset token.
    tokens
        .issue(
            token(&alice, TokenPurpose::Verify, "alice@example.com", "v1"),
            vec![],
        )
        .await
        .expect("issue");
    let wrong = tokens
        .reset_password(&TokenHash("v1".into()), hash, now())
        .await
        .expect("reset");
    assert_eq!(wrong, None);
}
contract_test!(a_reset_spends_the_token_sets_the_password_and_revokes_every_session);

async fn a_confirmed_change_moves_the_address_unless_it_was_taken(stores: Stores) {
    let alice = stored_user(&stores, "alice").await;
    let tokens = &stores.mail_tokens;
    let taken = tokens
        .request_email_change(
            token(&alice, TokenPurpose::Verify, "BOB@example.com", "x"),
            vec![],
        )
        .await;
    stored_user(&stores, "bob").await;
    assert!(taken.is_ok(), "bob did not exist yet");
    let clash = tokens
        .request_email_change(
            token(&alice, TokenPurpose::Verify, "bob@example.com", "y"),
            vec![],
        )
        .await;
    assert!(matches!(clash, Err(UserWriteError::EmailTaken)));
    // The first link now names an address bob has: it answers the clash, changes nothing.
    let late = tokens.confirm_email(&TokenHash("x".into()), now()).await;
    assert!(matches!(late, Err(UserWriteError::EmailTaken)));
    let pending = tokens
        .request_email_change(
            token(&alice, TokenPurpose::Verify, "alice@new.example.com", "z"),
            vec![mail("alice@new.example.com"), mail("alice@example.com")],
        )
        .await
        .expect("pending");
    assert_eq!(pending.email.as_str(), "alice@example.com");
    assert_eq!(
        pending.pending_email.as_ref().map(Email::as_str),
        Some("alice@new.example.com")
    );
    let confirmed = tokens
        .confirm_email(&TokenHash("z".into()), now())
        .await
        .expect("confirm")
        .expect("usable");
    assert_eq!(confirmed.email.as_str(), "alice@new.example.com");
    assert!(confirmed.email_verified);
    assert_eq!(confirmed.pending_email, None);
    assert_eq!(
        stores.users.get(alice.id).await.expect("get"),
        Some(confirmed)
    );
    let twice = tokens
        .confirm_email(&TokenHash("z".into()), now())
        .await
        .expect("confirm");
    assert_eq!(twice, None);
}
contract_test!(a_confirmed_change_moves_the_address_unless_it_was_taken);

async fn an_expired_verify_token_changes_nothing(stores: Stores) {
    let alice = stored_user(&stores, "alice").await;
    let tokens = &stores.mail_tokens;
    tokens
        .issue(
            token(&alice, TokenPurpose::Verify, "alice@example.com", "v"),
            vec![],
        )
        .await
        .expect("issue");
    let late = tokens
        .confirm_email(&TokenHash("v".into()), now() + TimeDelta::hours(2))
        .await
        .expect("confirm");
    assert_eq!(late, None);
    let user = stores
        .users
        .get(alice.id)
        .await
        .expect("get")
        .expect("user");
    assert!(!user.email_verified);
}
contract_test!(an_expired_verify_token_changes_nothing);
