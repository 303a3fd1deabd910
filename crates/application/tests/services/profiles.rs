//! Profiles: my own, others' under the privacy rules, and search.

use confab_application::Page;
use confab_application::accounts::{Authenticated, RegisterInput};
use confab_application::profiles::{
    FieldUpdate, GetUserError, ProfilePatch, SearchUsersError, UpdateProfileError,
};
use confab_domain::{ProfileView, UserId};

use crate::support::Ports;

/// Registers `name` (password `correct horse`) and returns who they are.
async fn register(ports: &Ports, name: &str, display_name: Option<&str>) -> Authenticated {
    let accounts = ports.accounts();
    let signed_in = accounts
        .register(RegisterInput {
            username: name.into(),
            email: format!("{name}@example.com"),
            password: "correct horse".into(),
            display_name: display_name.map(Into::into),
            device_name: None,
        })
        .await
        .expect("register");
    accounts
        .authenticate(&signed_in.tokens.access_token)
        .await
        .expect("valid token")
}

#[tokio::test]
async fn an_empty_patch_returns_the_profile_unchanged() {
    let ports = Ports::new();
    let alice = register(&ports, "alice", None).await;
    let profiles = ports.profiles();
    let before = profiles.me(&alice).await.expect("me");
    let after = profiles
        .update_me(&alice, ProfilePatch::default())
        .await
        .expect("empty patch");
    assert_eq!(after, before);
}

#[tokio::test]
async fn patch_sets_and_clears_fields_and_reports_taken_usernames() {
    let ports = Ports::new();
    let alice = register(&ports, "alice", Some("Alice")).await;
    register(&ports, "bob", None).await;
    let profiles = ports.profiles();
    let updated = profiles
        .update_me(
            &alice,
            ProfilePatch {
                display_name: FieldUpdate::Clear,
                bio: FieldUpdate::Set("hello".into()),
                birth_date: FieldUpdate::Set("1990-02-28".into()),
                is_private: Some(true),
                ..ProfilePatch::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.display_name, None);
    assert_eq!(updated.bio.map(String::from), Some("hello".into()));
    assert_eq!(
        updated.birth_date.map(|d| d.to_string()),
        Some("1990-02-28".into())
    );
    assert!(updated.is_private);
    let taken = profiles
        .update_me(
            &alice,
            ProfilePatch {
                username: Some("BOB".into()),
                ..ProfilePatch::default()
            },
        )
        .await;
    assert!(matches!(taken, Err(UpdateProfileError::UsernameTaken)));
}

#[tokio::test]
async fn a_new_email_needs_the_current_password() {
    let ports = Ports::new();
    let alice = register(&ports, "alice", None).await;
    register(&ports, "bob", None).await;
    let profiles = ports.profiles();
    let patch = |email: &str, password: Option<&str>| ProfilePatch {
        email: Some(email.into()),
        current_password: password.map(Into::into),
        ..ProfilePatch::default()
    };
    for password in [None, Some("wrong password"), Some("short")] {
        let refused = profiles
            .update_me(&alice, patch("new@example.com", password))
            .await;
        assert!(
            matches!(refused, Err(UpdateProfileError::InvalidPassword)),
            "{password:?}"
        );
    }
    let recased = profiles
        .update_me(&alice, patch("ALICE@example.com", None))
        .await
        .expect("same address in another case needs no password");
    assert_eq!(recased.email.as_str(), "ALICE@example.com");
    let taken = profiles
        .update_me(&alice, patch("Bob@Example.com", Some("correct horse")))
        .await;
    assert!(matches!(taken, Err(UpdateProfileError::EmailTaken)));
    let changed = profiles
        .update_me(&alice, patch("new@example.com", Some("correct horse")))
        .await
        .expect("right password");
    assert_eq!(changed.email.as_str(), "new@example.com");
}

#[tokio::test]
async fn other_profiles_follow_the_privacy_rules() {
    let ports = Ports::new();
    let alice = register(&ports, "alice", None).await;
    let bob = register(&ports, "bob", None).await;
    let profiles = ports.profiles();
    let bob_id = bob.user_id;
    let public = profiles.get_user(&alice, bob_id).await.expect("bob");
    assert!(matches!(public, ProfileView::Public(_)));
    profiles
        .update_me(
            &bob,
            ProfilePatch {
                is_private: Some(true),
                ..ProfilePatch::default()
            },
        )
        .await
        .expect("go private");
    let private = profiles.get_user(&alice, bob_id).await.expect("bob");
    assert!(matches!(private, ProfileView::Restricted(_)));
    let own = profiles.get_user(&bob, bob_id).await.expect("me");
    assert!(matches!(own, ProfileView::Own(_)));
    for id in [UserId::from_uuid(uuid::Uuid::nil()), UserId::generate()] {
        let missing = profiles.get_user(&alice, id).await;
        assert!(matches!(missing, Err(GetUserError::UserNotFound)), "{id}");
    }
}

#[tokio::test]
async fn search_pages_by_username_and_checks_its_input() {
    let ports = Ports::new();
    let alice = register(&ports, "alice", None).await;
    register(&ports, "albert", None).await;
    register(&ports, "zed", Some("Alfred Z")).await;
    let profiles = ports.profiles();
    let first = profiles
        .search(&alice, "  AL ", Some(2), None)
        .await
        .expect("page 1");
    let names = |page: &Page<ProfileView>| -> Vec<String> {
        page.items
            .iter()
            .map(|view| match view {
                ProfileView::Own(u) | ProfileView::Public(u) | ProfileView::Restricted(u) => {
                    u.username.to_string()
                }
            })
            .collect()
    };
    assert_eq!(names(&first), ["albert", "alice"]);
    assert!(matches!(first.items[1], ProfileView::Own(_)));
    let second = profiles
        .search(&alice, "al", Some(2), first.next_cursor)
        .await
        .expect("page 2");
    assert_eq!(names(&second), ["zed"]);
    assert_eq!(second.next_cursor, None);

    let Err(SearchUsersError::Validation(errors)) =
        profiles.search(&alice, " ", Some(0), None).await
    else {
        panic!("empty q and zero limit must be refused");
    };
    let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["q", "limit"]);
    let forged = profiles
        .search(&alice, "al", None, Some("NOT A NAME".into()))
        .await;
    assert!(matches!(forged, Err(SearchUsersError::InvalidCursor)));
}
