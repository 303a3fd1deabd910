//! Contract of `AdminRepository`: the admin role and the last admin, disabling and
//! deleting with their session revocation, single-use invites, and the audit log.

use chrono::TimeDelta;
use confab_application::ports::{
    AdminWriteError, AuditAction, InvitedInsertError, NewAuditEntry, NewInvite, NewSession,
    TokenHash, UserStatus, UserWriteError,
};
use confab_domain::{InviteId, SessionId, UserId};

use crate::contract_test;
use crate::support::Stores;
use crate::users::{new_user, now, stored_user};

fn audit(action: AuditAction, target: &str) -> NewAuditEntry {
    NewAuditEntry {
        admin_id: None,
        action,
        target: target.to_owned(),
        at: now(),
    }
}

async fn session_of(stores: &Stores, user: UserId, token: &str) -> SessionId {
    let at = now();
    stores
        .sessions
        .create(NewSession {
            id: SessionId::generate(),
            user_id: user,
            device_name: None,
            refresh_token_hash: TokenHash(token.to_owned()),
            now: at,
            expires_at: at + TimeDelta::days(1),
        })
        .await
        .expect("session")
        .expect("an enabled account")
        .id
}

async fn the_last_active_admin_keeps_the_role(stores: Stores) {
    let repo = stores.admin.clone();
    let root = repo
        .create_user(
            new_user("root", "root@example.com", None),
            true,
            audit(AuditAction::UserCreated, "root"),
        )
        .await
        .expect("create");
    assert!(root.is_admin);
    let alice = stored_user(&stores, "alice").await;
    let refused = repo
        .set_admin(root.id, false, audit(AuditAction::AdminRevoked, "root"))
        .await;
    assert!(matches!(refused, Err(AdminWriteError::LastAdmin)));
    let refused = repo
        .disable_user(root.id, audit(AuditAction::UserDisabled, "root"))
        .await;
    assert!(matches!(refused, Err(AdminWriteError::LastAdmin)));
    let promoted = repo
        .set_admin(alice.id, true, audit(AuditAction::AdminGranted, "alice"))
        .await
        .expect("grant");
    assert!(promoted.is_admin);
    let demoted = repo
        .set_admin(root.id, false, audit(AuditAction::AdminRevoked, "root"))
        .await
        .expect("another admin remains");
    assert!(!demoted.is_admin);
    let missing = repo
        .set_admin(
            UserId::generate(),
            true,
            audit(AuditAction::AdminGranted, "x"),
        )
        .await;
    assert!(matches!(missing, Err(AdminWriteError::UserNotFound)));
    // Refusals write no audit entry.
    let log = repo.list_audit(None, 10).await.expect("audit");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user.revoke_admin", "user.grant_admin", "user.create"]
    );
}
contract_test!(the_last_active_admin_keeps_the_role);

async fn disabling_revokes_every_session_and_enabling_keeps_them_revoked(stores: Stores) {
    let repo = stores.admin.clone();
    let alice = stored_user(&stores, "alice").await;
    let bob = stored_user(&stores, "bob").await;
    let mut mine = vec![
        session_of(&stores, alice.id, "a1").await,
        session_of(&stores, alice.id, "a2").await,
    ];
    let bobs = session_of(&stores, bob.id, "b1").await;
    let mut revoked = repo
        .disable_user(alice.id, audit(AuditAction::UserDisabled, "alice"))
        .await
        .expect("disable");
    revoked.sort();
    mine.sort();
    assert_eq!(revoked, mine);
    let account = stores
        .users
        .get(alice.id)
        .await
        .expect("get")
        .expect("alice");
    assert!(account.disabled_at.is_some());
    let session = stores
        .sessions
        .get(mine[0])
        .await
        .expect("get")
        .expect("session");
    assert!(session.revoked_at.is_some());
    let kept = stores
        .sessions
        .get(bobs)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(kept.revoked_at, None);
    let disabled = repo
        .list_users("", Some(UserStatus::Disabled), None, 10)
        .await
        .expect("list");
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].user.id, alice.id);
    assert!(disabled[0].last_seen_at.is_some());

    repo.enable_user(alice.id, audit(AuditAction::UserEnabled, "alice"))
        .await
        .expect("enable");
    let account = stores
        .users
        .get(alice.id)
        .await
        .expect("get")
        .expect("alice");
    assert_eq!(account.disabled_at, None);
    let session = stores
        .sessions
        .get(mine[1])
        .await
        .expect("get")
        .expect("session");
    assert!(session.revoked_at.is_some());
    let missing = repo
        .disable_user(UserId::generate(), audit(AuditAction::UserDisabled, "x"))
        .await;
    assert!(matches!(missing, Err(AdminWriteError::UserNotFound)));
}
contract_test!(disabling_revokes_every_session_and_enabling_keeps_them_revoked);

async fn an_invite_registers_one_account_until_it_expires_or_is_revoked(stores: Stores) {
    let repo = stores.admin.clone();
    let root = stored_user(&stores, "root").await;
    let at = now();
    let invite = |token: &str, hours: i64| NewInvite {
        id: InviteId::generate(),
        token_hash: TokenHash(token.to_owned()),
        email: Some("new@example.com".to_owned()),
        created_by: root.id,
        created_at: at,
        expires_at: at + TimeDelta::hours(hours),
    };
    let made = repo
        .create_invite(
            invite("t1", 1),
            audit(AuditAction::InviteCreated, "t1"),
            Vec::new(),
        )
        .await
        .expect("invite");
    let hash = TokenHash("t1".to_owned());
    // A refused account leaves the invite unspent.
    let clash = repo
        .insert_invited(new_user("root", "other@example.com", None), &hash)
        .await;
    assert!(matches!(
        clash,
        Err(InvitedInsertError::User(UserWriteError::UsernameTaken))
    ));
    let alice = repo
        .insert_invited(new_user("alice", "alice@example.com", None), &hash)
        .await
        .expect("registered");
    let again = repo
        .insert_invited(new_user("bob", "bob@example.com", None), &hash)
        .await;
    assert!(matches!(again, Err(InvitedInsertError::InviteUnusable)));
    let listed = repo.list_invites(None, 10).await.expect("list");
    assert_eq!(listed[0].id, made.id);
    assert_eq!(listed[0].used_by, Some(alice.id));
    assert!(
        !repo
            .revoke_invite(made.id, audit(AuditAction::InviteRevoked, "t1"))
            .await
            .expect("revoke")
    );

    let revoked = repo
        .create_invite(
            invite("t2", 1),
            audit(AuditAction::InviteCreated, "t2"),
            Vec::new(),
        )
        .await
        .expect("invite");
    assert!(
        repo.revoke_invite(revoked.id, audit(AuditAction::InviteRevoked, "t2"))
            .await
            .expect("revoke")
    );
    let refused = repo
        .insert_invited(
            new_user("bob", "bob@example.com", None),
            &TokenHash("t2".to_owned()),
        )
        .await;
    assert!(matches!(refused, Err(InvitedInsertError::InviteUnusable)));

    repo.create_invite(
        invite("t3", 1),
        audit(AuditAction::InviteCreated, "t3"),
        Vec::new(),
    )
    .await
    .expect("invite");
    let mut late = new_user("bob", "bob@example.com", None);
    late.now = at + TimeDelta::hours(2);
    let expired = repo.insert_invited(late, &TokenHash("t3".to_owned())).await;
    assert!(matches!(expired, Err(InvitedInsertError::InviteUnusable)));
    let counts = repo.counts().await.expect("counts");
    assert_eq!(counts.users, 2);
    let newest = repo.list_invites(None, 1).await.expect("list");
    let older = repo
        .list_invites(Some(newest[0].id), 10)
        .await
        .expect("list");
    assert_eq!(older.len(), 2);
    let log = repo.list_audit(None, 2).await.expect("audit");
    let rest = repo.list_audit(Some(log[1].id), 10).await.expect("audit");
    assert_eq!(log.len() + rest.len(), 4);
}
contract_test!(an_invite_registers_one_account_until_it_expires_or_is_revoked);

/// A login reads the account, checks the password (slow), then stores a session: an
/// admin may disable the account in between. The session store judges the account
/// again when it stores, so such a login ends with no session instead of a live one
/// that disabling never saw.
async fn no_session_is_stored_for_a_disabled_account(stores: Stores) {
    let alice = stored_user(&stores, "alice").await;
    stores
        .admin
        .disable_user(alice.id, audit(AuditAction::UserDisabled, "alice"))
        .await
        .expect("disable");
    let id = SessionId::generate();
    let at = now();
    let created = stores
        .sessions
        .create(NewSession {
            id,
            user_id: alice.id,
            device_name: None,
            refresh_token_hash: TokenHash("late".to_owned()),
            now: at,
            expires_at: at + TimeDelta::days(1),
        })
        .await
        .expect("create");
    assert_eq!(created, None);
    assert_eq!(stores.sessions.get(id).await.expect("get"), None);
    let enabled = stores
        .admin
        .enable_user(alice.id, audit(AuditAction::UserEnabled, "alice"))
        .await;
    assert!(enabled.is_ok());
    session_of(&stores, alice.id, "after").await;
}
contract_test!(no_session_is_stored_for_a_disabled_account);

async fn deleting_revokes_every_session_and_hides_the_account_from_sign_in_and_admin_writes(
    stores: Stores,
) {
    let repo = stores.admin.clone();
    let alice = stored_user(&stores, "alice").await;
    let bob = stored_user(&stores, "bob").await;
    session_of(&stores, alice.id, "a1").await;
    session_of(&stores, alice.id, "a2").await;
    let bobs = session_of(&stores, bob.id, "b1").await;
    let disabled_before = repo
        .disable_user(alice.id, audit(AuditAction::UserDisabled, "alice"))
        .await
        .expect("disable");
    assert_eq!(disabled_before.len(), 2);
    let first_disabled = stores
        .users
        .get(alice.id)
        .await
        .expect("get")
        .expect("alice")
        .disabled_at;

    let later = now() + TimeDelta::minutes(5);
    // Sessions revoked by the disable stay as they were; only the new one is
    // revoked by the deletion.
    repo.enable_user(alice.id, audit(AuditAction::UserEnabled, "alice"))
        .await
        .expect("enable");
    let fresh = session_of(&stores, alice.id, "a3").await;
    let revoked = repo
        .delete_user(alice.id, None, later)
        .await
        .expect("delete");
    assert_eq!(revoked, [fresh]);
    let account = stores
        .users
        .get(alice.id)
        .await
        .expect("get")
        .expect("alice");
    assert!(account.disabled_at.is_some());
    assert_ne!(account.disabled_at, first_disabled, "enabled in between");
    let kept = stores
        .sessions
        .get(bobs)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(kept.revoked_at, None);
    for login in ["alice", "alice@example.com"] {
        let found = stores.users.find_credentials(login).await.expect("find");
        assert!(found.is_none(), "{login} still signs in");
    }
    assert!(
        stores
            .users
            .find_credentials("bob")
            .await
            .expect("find")
            .is_some()
    );
    // Without an audit entry (deleting one's own account is no admin action).
    let log = repo.list_audit(None, 10).await.expect("audit");
    assert!(log.iter().all(|entry| entry.action != "user.delete"));

    let again = repo.delete_user(alice.id, None, later).await;
    assert!(matches!(again, Err(AdminWriteError::UserNotFound)));
    let enable = repo
        .enable_user(alice.id, audit(AuditAction::UserEnabled, "alice"))
        .await;
    assert!(matches!(enable, Err(AdminWriteError::UserNotFound)));
    let disable = repo
        .disable_user(alice.id, audit(AuditAction::UserDisabled, "alice"))
        .await;
    assert!(matches!(disable, Err(AdminWriteError::UserNotFound)));
    let grant = repo
        .set_admin(alice.id, true, audit(AuditAction::AdminGranted, "alice"))
        .await;
    assert!(matches!(grant, Err(AdminWriteError::UserNotFound)));
}
contract_test!(deleting_revokes_every_session_and_hides_the_account_from_sign_in_and_admin_writes);

async fn an_admin_deletion_is_audited_and_the_last_admin_stays(stores: Stores) {
    let repo = stores.admin.clone();
    let root = repo
        .create_user(
            new_user("root", "root@example.com", None),
            true,
            audit(AuditAction::UserCreated, "root"),
        )
        .await
        .expect("create");
    let refused = repo.delete_user(root.id, None, now()).await;
    assert!(matches!(refused, Err(AdminWriteError::LastAdmin)));
    let alice = stored_user(&stores, "alice").await;
    repo.delete_user(
        alice.id,
        Some(audit(AuditAction::UserDeleted, "alice")),
        now(),
    )
    .await
    .expect("delete");
    let log = repo.list_audit(None, 1).await.expect("audit");
    assert_eq!(log[0].action, "user.delete");
    let missing = repo.delete_user(UserId::generate(), None, now()).await;
    assert!(matches!(missing, Err(AdminWriteError::UserNotFound)));
}
contract_test!(an_admin_deletion_is_audited_and_the_last_admin_stays);
