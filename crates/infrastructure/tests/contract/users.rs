//! Contract of `UserRepository`.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use confab_application::ports::{NewUser, PasswordHash, ProfileChanges, UserWriteError};
use confab_domain::{
    Bio, BirthDate, DisplayName, Email, Location, User, UserId, Username, to_millis,
};

use crate::contract_test;
use crate::support::Stores;

pub(crate) fn now() -> DateTime<Utc> {
    to_millis(Utc::now())
}

/// A new account `username` with address `email` and an optional display name.
pub(crate) fn new_user(username: &str, email: &str, display_name: Option<&str>) -> NewUser {
    NewUser {
        id: UserId::generate(),
        username: Username::parse(username).expect("valid username"),
        email: Email::parse(email).expect("valid email"),
        password_hash: PasswordHash::new(format!("$argon2id$hash-of-{username}")),
        display_name: display_name.map(|d| DisplayName::parse(d).expect("valid display name")),
        now: now(),
    }
}

/// Stores a user called `username` with `username@example.com`.
pub(crate) async fn stored_user(stores: &Stores, username: &str) -> User {
    stores
        .users
        .insert(new_user(username, &format!("{username}@example.com"), None))
        .await
        .expect("insert user")
}

async fn user_is_stored_and_read_back(stores: Stores) {
    let repo = stores.users.clone();
    let new = new_user("Alice_01", "Alice@Example.COM", Some("Alice A."));
    let inserted = repo.insert(new.clone()).await.expect("insert");
    assert_eq!(inserted.id, new.id);
    assert_eq!(inserted.username.as_str(), "alice_01");
    assert_eq!(
        inserted.email.as_str(),
        "Alice@Example.COM",
        "kept as given"
    );
    assert_eq!(inserted.display_name, new.display_name);
    assert_eq!(
        (inserted.bio.clone(), inserted.location.clone()),
        (None, None)
    );
    assert_eq!(inserted.birth_date, None);
    assert!(!inserted.is_private);
    assert_eq!(inserted.created_at, new.now);
    assert_eq!(inserted.updated_at, new.now);
    let read = repo.get(new.id).await.expect("get");
    assert_eq!(read, Some(inserted));
    assert_eq!(repo.get(UserId::generate()).await.expect("get"), None);
    let hash = repo.password_hash(new.id).await.expect("hash");
    assert_eq!(hash, Some(new.password_hash));
}
contract_test!(user_is_stored_and_read_back);

async fn duplicate_username_or_email_is_refused(stores: Stores) {
    let repo = stores.users.clone();
    repo.insert(new_user("alice", "alice@example.com", None))
        .await
        .expect("first");
    let same_name = repo
        .insert(new_user("ALICE", "other@example.com", None))
        .await;
    assert!(
        matches!(same_name, Err(UserWriteError::UsernameTaken)),
        "{same_name:?}"
    );
    let same_email = repo
        .insert(new_user("alice2", "ALICE@Example.com", None))
        .await;
    assert!(
        matches!(same_email, Err(UserWriteError::EmailTaken)),
        "{same_email:?}"
    );
    assert!(
        repo.insert(new_user("alice2", "alice2@example.com", None))
            .await
            .is_ok()
    );
}
contract_test!(duplicate_username_or_email_is_refused);

async fn credentials_are_found_by_username_or_email_in_any_case(stores: Stores) {
    let repo = stores.users.clone();
    let alice = repo
        .insert(new_user("alice", "Alice@Example.com", None))
        .await
        .expect("insert");
    for login in [
        "alice",
        "ALICE",
        " Alice\t",
        "alice@example.com",
        "  ALICE@EXAMPLE.COM ",
    ] {
        let found = repo.find_credentials(login).await.expect("lookup");
        let found = found.unwrap_or_else(|| panic!("{login} not found"));
        assert_eq!(found.user, alice);
        assert_eq!(found.password_hash.as_str(), "$argon2id$hash-of-alice");
    }
    for login in ["bob", "alice@example.org", "alic"] {
        assert!(
            repo.find_credentials(login)
                .await
                .expect("lookup")
                .is_none()
        );
    }
}
contract_test!(credentials_are_found_by_username_or_email_in_any_case);

async fn profile_update_sets_and_clears_fields(stores: Stores) {
    let repo = stores.users.clone();
    let alice = repo
        .insert(new_user("alice", "alice@example.com", Some("Alice")))
        .await
        .expect("insert");
    let later = alice.created_at + TimeDelta::seconds(5);
    let birth = BirthDate::from_stored(NaiveDate::from_ymd_opt(1990, 2, 28).expect("date"));
    let set = ProfileChanges {
        username: Some(Username::parse("alice_b").expect("valid")),
        email: Some(Email::parse("New@Example.com").expect("valid")),
        bio: Some(Some(Bio::parse("hello").expect("valid"))),
        location: Some(Some(Location::parse("Berlin").expect("valid"))),
        birth_date: Some(Some(birth)),
        is_private: Some(true),
        ..ProfileChanges::default()
    };
    let updated = repo
        .update_profile(alice.id, set, later)
        .await
        .expect("update");
    assert_eq!(updated.username.as_str(), "alice_b");
    assert_eq!(updated.email.as_str(), "New@Example.com");
    assert_eq!(updated.display_name, alice.display_name, "untouched");
    assert_eq!(updated.bio.as_ref().map(Bio::as_str), Some("hello"));
    assert_eq!(
        updated.location.as_ref().map(Location::as_str),
        Some("Berlin")
    );
    assert_eq!(updated.birth_date, Some(birth));
    assert!(updated.is_private);
    assert_eq!(
        (updated.created_at, updated.updated_at),
        (alice.created_at, later)
    );
    let found = repo
        .find_credentials("NEW@example.com")
        .await
        .expect("lookup");
    assert_eq!(
        found.map(|c| c.user.id),
        Some(alice.id),
        "normalized email moved"
    );
    let clear = ProfileChanges {
        display_name: Some(None),
        bio: Some(None),
        location: Some(None),
        birth_date: Some(None),
        ..ProfileChanges::default()
    };
    let cleared = repo
        .update_profile(alice.id, clear, later)
        .await
        .expect("clear");
    assert_eq!(cleared.display_name, None);
    assert_eq!(
        (cleared.bio.clone(), cleared.location.clone()),
        (None, None)
    );
    assert_eq!(cleared.birth_date, None);
    assert_eq!(repo.get(alice.id).await.expect("get"), Some(cleared));
    assert!(repo.search("alice", None, 10).await.expect("search").len() == 1);
}
contract_test!(profile_update_sets_and_clears_fields);

async fn profile_update_reports_clashes_and_missing_users(stores: Stores) {
    let repo = stores.users.clone();
    let alice = stored_user(&stores, "alice").await;
    stored_user(&stores, "bob").await;
    let take_name = ProfileChanges {
        username: Some(Username::parse("bob").expect("valid")),
        ..ProfileChanges::default()
    };
    let clash = repo.update_profile(alice.id, take_name, now()).await;
    assert!(
        matches!(clash, Err(UserWriteError::UsernameTaken)),
        "{clash:?}"
    );
    let take_email = ProfileChanges {
        email: Some(Email::parse("BOB@example.com").expect("valid")),
        ..ProfileChanges::default()
    };
    let clash = repo.update_profile(alice.id, take_email, now()).await;
    assert!(
        matches!(clash, Err(UserWriteError::EmailTaken)),
        "{clash:?}"
    );
    assert_eq!(
        repo.get(alice.id).await.expect("get"),
        Some(alice),
        "unchanged"
    );
    let missing = repo
        .update_profile(UserId::generate(), ProfileChanges::default(), now())
        .await;
    assert!(
        matches!(missing, Err(UserWriteError::NotFound)),
        "{missing:?}"
    );
}
contract_test!(profile_update_reports_clashes_and_missing_users);

async fn search_matches_prefixes_literally_in_username_order(stores: Stores) {
    let repo = stores.users.clone();
    for (name, display) in [
        ("carol", Some("Al_Ex")),
        ("alx", None),
        ("bob", Some("AL%Bundy")),
        ("alice", Some("Queen")),
        ("al_ice", None),
        ("dave", Some("Émile Zola")),
        ("zed", Some("Zorro")),
    ] {
        repo.insert(new_user(name, &format!("{name}@example.com"), display))
            .await
            .expect("insert");
    }
    let names = |users: Vec<User>| -> Vec<String> {
        users.into_iter().map(|u| u.username.into()).collect()
    };
    let search = |prefix: &'static str, after: Option<&'static str>, limit: u64| {
        let repo = repo.clone();
        async move { names(repo.search(prefix, after, limit).await.expect("search")) }
    };
    assert_eq!(
        search("al", None, 10).await,
        ["al_ice", "alice", "alx", "bob", "carol"]
    );
    assert_eq!(search("al_", None, 10).await, ["al_ice", "carol"]);
    assert_eq!(search("al%", None, 10).await, ["bob"]);
    assert_eq!(search("%", None, 10).await, Vec::<String>::new());
    assert_eq!(search("_", None, 10).await, Vec::<String>::new());
    assert_eq!(search("émi", None, 10).await, ["dave"]);
    assert_eq!(search("queen", None, 10).await, ["alice"]);
    assert_eq!(search("zorro", None, 10).await, ["zed"]);
    assert_eq!(search("alicex", None, 10).await, Vec::<String>::new());
    // Keyset pages: strictly after the last username, in order, without overlap.
    assert_eq!(search("al", None, 2).await, ["al_ice", "alice"]);
    assert_eq!(search("al", Some("alice"), 2).await, ["alx", "bob"]);
    assert_eq!(search("al", Some("bob"), 2).await, ["carol"]);
    assert_eq!(search("al", Some("carol"), 2).await, Vec::<String>::new());
}
contract_test!(search_matches_prefixes_literally_in_username_order);

async fn existing_reports_only_known_ids(stores: Stores) {
    let repo = stores.users.clone();
    let alice = stored_user(&stores, "alice").await;
    let bob = stored_user(&stores, "bob").await;
    let mut found = repo
        .existing(&[alice.id, UserId::generate(), bob.id])
        .await
        .expect("existing");
    found.sort();
    let mut expected = vec![alice.id, bob.id];
    expected.sort();
    assert_eq!(found, expected);
    assert!(repo.existing(&[]).await.expect("existing").is_empty());
}
contract_test!(existing_reports_only_known_ids);
