//! Contract of `SessionRepository` (and the session side of a password change).

use chrono::{DateTime, TimeDelta, Utc};
use confab_application::ports::{NewSession, PasswordHash, RefreshOutcome, TokenHash};
use confab_domain::{DeviceName, Session, SessionId, UserId};

use crate::contract_test;
use crate::support::Stores;
use crate::users::{now, stored_user};

fn hash(text: &str) -> TokenHash {
    TokenHash(text.to_owned())
}

fn new_session(user_id: UserId, token: &str, at: DateTime<Utc>) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id,
        device_name: Some(DeviceName::parse("laptop").expect("valid")),
        refresh_token_hash: hash(token),
        now: at,
        expires_at: at + TimeDelta::days(30),
    }
}

async fn sessions_are_created_listed_and_revoked(stores: Stores) {
    let repo = stores.sessions.clone();
    let alice = stored_user(&stores, "alice").await.id;
    let bob = stored_user(&stores, "bob").await.id;
    let at = now();
    let mut created: Vec<Session> = Vec::new();
    for i in 0..3 {
        let session = repo
            .create(new_session(alice, &format!("a{i}"), at))
            .await
            .expect("create")
            .expect("an enabled account");
        created.push(session);
    }
    repo.create(new_session(bob, "b0", at))
        .await
        .expect("create")
        .expect("an enabled account");
    let first = &created[0];
    assert_eq!(
        first.device_name.as_ref().map(DeviceName::as_str),
        Some("laptop")
    );
    assert_eq!((first.created_at, first.last_used_at), (at, at));
    assert_eq!(first.revoked_at, None);
    assert_eq!(repo.get(first.id).await.expect("get").as_ref(), Some(first));
    assert_eq!(repo.get(SessionId::generate()).await.expect("get"), None);

    let ids = |sessions: Vec<Session>| sessions.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let newest_first = ids(repo.list_active(alice, None, 10, at).await.expect("list"));
    assert_eq!(newest_first, [created[2].id, created[1].id, created[0].id]);
    let page = ids(repo
        .list_active(alice, Some(created[2].id), 1, at)
        .await
        .expect("list"));
    assert_eq!(page, [created[1].id]);

    assert!(
        !repo.revoke(bob, created[1].id, at).await.expect("revoke"),
        "not bob's"
    );
    assert!(repo.revoke(alice, created[1].id, at).await.expect("revoke"));
    assert!(
        !repo.revoke(alice, created[1].id, at).await.expect("revoke"),
        "only once"
    );
    let revoked = repo.get(created[1].id).await.expect("get").expect("kept");
    assert_eq!(revoked.revoked_at, Some(at));
    let active = ids(repo.list_active(alice, None, 10, at).await.expect("list"));
    assert_eq!(active, [created[2].id, created[0].id]);
    // Past their expiry sessions are neither listed nor revocable.
    let expired_at = at + TimeDelta::days(30);
    assert!(
        repo.list_active(alice, None, 10, expired_at)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        !repo
            .revoke(alice, created[0].id, expired_at)
            .await
            .expect("revoke")
    );
}
contract_test!(sessions_are_created_listed_and_revoked);

async fn refresh_tokens_rotate_once_and_replay_revokes(stores: Stores) {
    let repo = stores.sessions.clone();
    let alice = stored_user(&stores, "alice").await.id;
    let at = now();
    let session = repo
        .create(new_session(alice, "t1", at))
        .await
        .expect("create")
        .expect("an enabled account");
    let (t2_at, t2_expiry) = (at + TimeDelta::minutes(1), at + TimeDelta::days(31));
    let outcome = repo
        .rotate_refresh_token(&hash("t1"), &hash("t2"), t2_at, t2_expiry)
        .await
        .expect("rotate");
    let RefreshOutcome::Rotated(rotated) = outcome else {
        panic!("expected rotation, got {outcome:?}");
    };
    assert_eq!(rotated.id, session.id);
    assert_eq!(
        (rotated.last_used_at, rotated.expires_at),
        (t2_at, t2_expiry)
    );
    assert_eq!(rotated.created_at, at);
    let t3_at = t2_at + TimeDelta::minutes(1);
    let again = repo
        .rotate_refresh_token(&hash("t2"), &hash("t3"), t3_at, t2_expiry)
        .await
        .expect("rotate");
    assert!(matches!(again, RefreshOutcome::Rotated(_)), "{again:?}");
    let unknown = repo
        .rotate_refresh_token(&hash("never-issued"), &hash("x"), t3_at, t2_expiry)
        .await
        .expect("rotate");
    assert_eq!(unknown, RefreshOutcome::Unknown);
    // Replaying t1 is theft: the whole session goes, t3 included.
    let replay = repo
        .rotate_refresh_token(&hash("t1"), &hash("t4"), t3_at, t2_expiry)
        .await
        .expect("rotate");
    assert_eq!(
        replay,
        RefreshOutcome::Reused {
            session_id: session.id,
            user_id: alice
        }
    );
    let revoked = repo.get(session.id).await.expect("get").expect("kept");
    assert_eq!(revoked.revoked_at, Some(t3_at));
    let after = repo
        .rotate_refresh_token(&hash("t3"), &hash("t5"), t3_at, t2_expiry)
        .await
        .expect("rotate");
    assert_eq!(after, RefreshOutcome::Inactive);
}
contract_test!(refresh_tokens_rotate_once_and_replay_revokes);

async fn concurrent_redemptions_of_one_token_rotate_once(stores: Stores) {
    let repo = stores.sessions.clone();
    let alice = stored_user(&stores, "alice").await.id;
    let at = now();
    for round in 0..5 {
        let token = format!("shared-{round}");
        let session = repo
            .create(new_session(alice, &token, at))
            .await
            .expect("create")
            .expect("an enabled account");
        let race = |replacement: String| {
            let (repo, token) = (repo.clone(), hash(&token));
            tokio::spawn(async move {
                repo.rotate_refresh_token(&token, &hash(&replacement), at, at + TimeDelta::days(30))
                    .await
                    .expect("rotate")
            })
        };
        let first = race(format!("{round}-a"));
        let second = race(format!("{round}-b"));
        let outcomes = [first.await.expect("task"), second.await.expect("task")];
        let rotated = outcomes
            .iter()
            .filter(|o| matches!(o, RefreshOutcome::Rotated(_)))
            .count();
        let reused = outcomes
            .iter()
            .filter(|o| matches!(o, RefreshOutcome::Reused { .. }))
            .count();
        assert_eq!((rotated, reused), (1, 1), "round {round}: {outcomes:?}");
        let state = repo.get(session.id).await.expect("get").expect("kept");
        assert!(state.revoked_at.is_some(), "the replay revoked the session");
    }
}
contract_test!(concurrent_redemptions_of_one_token_rotate_once);

async fn expired_sessions_do_not_rotate(stores: Stores) {
    let repo = stores.sessions.clone();
    let alice = stored_user(&stores, "alice").await.id;
    let at = now();
    let mut short = new_session(alice, "short", at);
    short.expires_at = at + TimeDelta::hours(1);
    let session = repo
        .create(short)
        .await
        .expect("create")
        .expect("an enabled account");
    let just_before = at + TimeDelta::hours(1) - TimeDelta::milliseconds(1);
    assert_eq!(
        repo.list_active(alice, None, 10, just_before)
            .await
            .expect("list")
            .len(),
        1
    );
    let expired = repo
        .rotate_refresh_token(&hash("short"), &hash("next"), at + TimeDelta::hours(1), at)
        .await
        .expect("rotate");
    assert_eq!(expired, RefreshOutcome::Inactive);
    let unchanged = repo.get(session.id).await.expect("get").expect("kept");
    assert_eq!(unchanged, session, "an expired redemption changes nothing");
}
contract_test!(expired_sessions_do_not_rotate);

async fn password_change_revokes_every_other_session(stores: Stores) {
    let users = stores.users.clone();
    let sessions = stores.sessions.clone();
    let alice = stored_user(&stores, "alice").await;
    let bob = stored_user(&stores, "bob").await;
    let start = now();
    let mut ids = Vec::new();
    for (i, user) in [alice.id, alice.id, alice.id, alice.id, bob.id]
        .into_iter()
        .enumerate()
    {
        let session = NewSession {
            id: SessionId::generate(),
            user_id: user,
            device_name: None,
            refresh_token_hash: TokenHash(format!("token-{i}")),
            now: start,
            expires_at: start + TimeDelta::days(30),
        };
        ids.push(
            sessions
                .create(session)
                .await
                .expect("create")
                .expect("an enabled account")
                .id,
        );
    }
    assert!(
        sessions
            .revoke(alice.id, ids[3], start)
            .await
            .expect("revoke")
    );
    let later = start + TimeDelta::seconds(1);
    let new_hash = PasswordHash::new("$argon2id$new");
    let revoked = users
        .change_password(alice.id, new_hash.clone(), ids[0], later)
        .await
        .expect("change");
    let mut expected = vec![ids[1], ids[2]];
    expected.sort();
    let mut revoked_sorted = revoked.clone();
    revoked_sorted.sort();
    assert_eq!(
        revoked_sorted, expected,
        "only active others, not the revoked one"
    );
    assert_eq!(
        users.password_hash(alice.id).await.expect("hash"),
        Some(new_hash)
    );
    let kept = sessions.get(ids[0]).await.expect("get").expect("exists");
    assert!(kept.is_active(later));
    for id in &revoked {
        let gone = sessions.get(*id).await.expect("get").expect("exists");
        assert_eq!(gone.revoked_at, Some(later));
    }
    let bobs = sessions.get(ids[4]).await.expect("get").expect("exists");
    assert!(bobs.is_active(later), "other users' sessions are untouched");
}
contract_test!(password_change_revokes_every_other_session);
