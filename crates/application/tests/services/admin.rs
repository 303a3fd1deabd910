//! `AdminService`: who may use it, what disabling publishes, and the shell commands.

use confab_application::admin::{AdminError, InviteInput, NewAccountInput};
use confab_application::ports::Notification;
use confab_domain::UserId;

use crate::support::{Ports, auth};

async fn root(ports: &Ports) -> UserId {
    let admin = ports.admin_service();
    admin
        .create_account(
            None,
            NewAccountInput {
                username: "root".into(),
                email: "root@example.com".into(),
                password: Some("correct horse battery".into()),
                is_admin: true,
            },
        )
        .await
        .expect("root")
        .id
}

#[tokio::test]
async fn non_admins_are_refused_before_anything_is_looked_up() {
    let ports = Ports::new();
    let alice = ports.user("alice").await;
    let admin = ports.admin_service();
    let caller = auth(alice);
    // Unknown targets would be 404 for an admin; a non-admin learns nothing.
    let nobody = UserId::generate();
    assert!(matches!(
        admin.disable_user(&caller, nobody).await,
        Err(AdminError::Forbidden)
    ));
    assert!(matches!(
        admin.create_invite(&caller, InviteInput::default()).await,
        Err(AdminError::Forbidden)
    ));
    assert!(matches!(
        admin
            .list_users(&caller, Some(String::new()), None, Some(0), None)
            .await,
        Err(AdminError::Forbidden)
    ));
    assert!(ports.published().is_empty());
}

#[tokio::test]
async fn disabling_publishes_the_revoked_sessions_and_refuses_the_admin_itself() {
    let ports = Ports::new();
    let root = root(&ports).await;
    let accounts = ports.accounts();
    let signed_in = accounts
        .login(confab_application::accounts::LoginInput {
            login: "root".into(),
            password: "correct horse battery".into(),
            device_name: None,
        })
        .await
        .expect("login");
    let alice = ports.user("alice").await;
    let admin = ports.admin_service();
    let caller = auth(root);
    assert!(matches!(
        admin.disable_user(&caller, root).await,
        Err(AdminError::SelfTarget)
    ));
    // alice has no session: nothing to publish, but she is disabled.
    admin.disable_user(&caller, alice).await.expect("disable");
    assert!(ports.published().is_empty());
    let stored = ports.users.get(alice).await.expect("get").expect("alice");
    assert!(stored.disabled_at.is_some());

    // A second admin disables root, whose one session is announced as revoked.
    let bob = ports.user("bob").await;
    ports
        .admin_service()
        .set_admin_by_username("bob", true)
        .await
        .expect("grant");
    admin
        .disable_user(&auth(bob), root)
        .await
        .expect("disable root");
    let published = ports.published();
    assert!(matches!(
        published.as_slice(),
        [Notification::SessionsRevoked { user_id, session_ids }]
            if *user_id == root && session_ids.len() == 1 && signed_in.user.id == root
    ));
}
