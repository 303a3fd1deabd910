//! `confab seed-demo`: demo users (and, from the chats side, their chats), created
//! through the real services so every rule applies. Safe to run again.

use std::sync::Arc;

use confab_application::RepositoryError;
use confab_application::accounts::{
    AuthenticateError, Authenticated, LoginError, LoginInput, LogoutError, RegisterError,
    RegisterInput, RegistrationPolicy,
};
use confab_domain::User;
use confab_infrastructure::clock::SystemClock;
use confab_infrastructure::events::InProcessEventBus;
use thiserror::Error;

use crate::config::Config;
use crate::startup::StartupError;
use crate::wiring::{self, Adapters, Services};

/// The demo users' usernames.
pub const DEMO_USERS: [&str; 4] = ["alice", "bob", "charlie", "david"];
/// Their password.
pub const DEMO_PASSWORD: &str = "password123";

/// Why seeding stopped.
#[derive(Debug, Error)]
pub enum SeedError {
    /// The database or wiring failed.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// Creating a user failed.
    #[error("cannot create demo user {0}")]
    Register(&'static str, #[source] RegisterError),
    /// Signing a demo user in failed (e.g. its password was changed).
    #[error("cannot sign in demo user {0}")]
    Login(&'static str, #[source] LoginError),
    /// Checking a demo user's token failed.
    #[error("cannot authenticate demo user")]
    Authenticate(#[from] AuthenticateError),
    /// Signing a demo user out failed.
    #[error("cannot sign out demo user")]
    Logout(#[from] LogoutError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] RepositoryError),
    /// The chats part failed (used by [`seed_chats`]).
    #[error("seeding chats failed: {0}")]
    Chats(String),
}

/// A demo user, signed in for the duration of the seeding.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// The account.
    pub user: User,
    /// A session to act as this user.
    pub auth: Authenticated,
}

/// Seeds everything; prints what it did.
pub async fn seed_demo(config: &Config) -> Result<(), SeedError> {
    let db = wiring::database(config, true).await?;
    // Seeding runs without the server: nobody listens to its events.
    let events = Arc::new(InProcessEventBus::default());
    let mut adapters = wiring::adapters(config, db, Arc::new(SystemClock), events)?;
    // The operator seeds from the shell: the demo users are created whatever the
    // registration policy says to strangers, and act at once, verified or not.
    adapters.registration = RegistrationPolicy::Open;
    let services = wiring::services(&adapters, false);
    let mut users = Vec::new();
    for username in DEMO_USERS {
        users.push(demo_user(&adapters, &services, username).await?);
    }
    seed_chats(&services, &users).await?;
    for demo in &users {
        services.accounts.logout(&demo.auth).await?;
    }
    println!(
        "demo users ready: {} (password `{DEMO_PASSWORD}`)",
        DEMO_USERS.join(", ")
    );
    Ok(())
}

/// Creates `username` unless it exists, then signs it in.
async fn demo_user(
    adapters: &Adapters,
    services: &Services,
    username: &'static str,
) -> Result<DemoUser, SeedError> {
    if adapters.users.find_credentials(username).await?.is_none() {
        let mut display_name = username.to_owned();
        display_name[..1].make_ascii_uppercase();
        let created = services
            .accounts
            .register(RegisterInput {
                username: username.to_owned(),
                email: format!("{username}@example.com"),
                password: DEMO_PASSWORD.to_owned(),
                display_name: Some(display_name),
                device_name: Some("seed-demo".to_owned()),
            })
            .await;
        match created {
            Ok(_) | Err(RegisterError::UsernameTaken | RegisterError::EmailTaken) => {}
            Err(error) => return Err(SeedError::Register(username, error)),
        }
    }
    let signed_in = services
        .accounts
        .login(LoginInput {
            login: username.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            device_name: Some("seed-demo".to_owned()),
        })
        .await
        .map_err(|error| SeedError::Login(username, error))?;
    let auth = services
        .accounts
        .authenticate(&signed_in.tokens.access_token)
        .await?;
    Ok(DemoUser {
        user: signed_in.user,
        auth,
    })
}

/// The chats part of the demo: a direct chat alice–bob and a group "Project team"
/// with all four, with a few messages. Written by the chats side; must stay
/// idempotent (find existing chats before creating).
pub async fn seed_chats(services: &Services, users: &[DemoUser]) -> Result<(), SeedError> {
    crate::seed_chats::seed_demo_chats(services, users).await
}
