//! [`Ports`]: one set of adapters per test, and the services built on them.

use std::sync::{Arc, Mutex, PoisonError};

use confab_application::accounts::{AccountService, Authenticated};
use confab_application::admin::AdminService;
use confab_application::chats::ChatService;
use confab_application::email::EmailService;
use confab_application::messages::MessageService;
use confab_application::ports::{
    AdminRepository, ChatRepository, Clock, EventBus, EventStream, MessageRepository, NewUser,
    Notification, PasswordHash, PasswordHasher, SessionRepository, UserRepository,
};
use confab_application::profiles::ProfileService;
use confab_application::realtime::RealtimeService;
use confab_domain::{Email, SessionId, UserId, Username};
use confab_infrastructure::events::InProcessEventBus;
use confab_infrastructure::mail::TemplateComposer;
use confab_infrastructure::reference::ReferenceStore;
use confab_infrastructure::security::{Argon2PasswordHasher, JwtTokenService};
use confab_infrastructure::testing::ManualClock;
use futures_util::{FutureExt as _, StreamExt as _};

/// How long access tokens live in these tests, in seconds.
pub(crate) const ACCESS_TTL_SECONDS: i64 = 900;

/// The adapters of one test. The repositories all share one reference store.
pub(crate) struct Ports {
    pub(crate) users: Arc<dyn UserRepository>,
    pub(crate) sessions: Arc<dyn SessionRepository>,
    pub(crate) chats: Arc<dyn ChatRepository>,
    pub(crate) messages: Arc<dyn MessageRepository>,
    pub(crate) admin: Arc<dyn AdminRepository>,
    pub(crate) hasher: Arc<dyn PasswordHasher>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) store: Arc<ReferenceStore>,
    bus: Arc<InProcessEventBus>,
    tokens: Arc<JwtTokenService>,
    /// Subscribed before anything happens, so it sees every publication.
    published: Mutex<EventStream>,
}

impl Ports {
    /// Fresh adapters with the argon2 hasher.
    pub(crate) fn new() -> Self {
        Self::with_hasher(Arc::new(Argon2PasswordHasher::new()))
    }

    /// Fresh adapters hashing with `hasher`.
    pub(crate) fn with_hasher(hasher: Arc<dyn PasswordHasher>) -> Self {
        let store = Arc::new(ReferenceStore::new());
        let bus = Arc::new(InProcessEventBus::default());
        let tokens =
            JwtTokenService::new(&[7; 32], ACCESS_TTL_SECONDS, 3600).expect("valid token settings");
        Self {
            users: store.clone(),
            sessions: store.clone(),
            chats: store.clone(),
            messages: store.clone(),
            admin: store.clone(),
            store,
            hasher,
            clock: Arc::new(ManualClock::starting_now()),
            published: Mutex::new(bus.subscribe()),
            bus,
            tokens: Arc::new(tokens),
        }
    }

    pub(crate) fn accounts(&self) -> AccountService {
        AccountService::new(
            self.users.clone(),
            self.sessions.clone(),
            self.hasher.clone(),
            self.tokens.clone(),
            self.clock.clone(),
            self.bus.clone(),
        )
    }

    pub(crate) fn admin_service(&self) -> AdminService {
        AdminService::new(
            self.users.clone(),
            self.admin.clone(),
            self.hasher.clone(),
            self.tokens.clone(),
            self.clock.clone(),
            self.bus.clone(),
            self.chat_service(),
            self.message_service(),
        )
    }

    pub(crate) fn profiles(&self) -> ProfileService {
        ProfileService::new(
            self.users.clone(),
            self.hasher.clone(),
            self.clock.clone(),
            self.store.clone(),
            self.store.clone(),
        )
    }

    pub(crate) fn email(&self) -> EmailService {
        EmailService::new(
            self.users.clone(),
            self.store.clone(),
            Arc::new(TemplateComposer::new("https://chat.example.com")),
            self.hasher.clone(),
            self.tokens.clone(),
            self.clock.clone(),
            self.bus.clone(),
        )
    }

    /// The token of the newest queued mail to `address` linking to `page`.
    pub(crate) fn mailed_token(&self, address: &str, page: &str) -> String {
        let marker = format!("/{page}?token=");
        self.store
            .queued_mails()
            .iter()
            .rev()
            .filter(|mail| mail.to.as_str() == address)
            .find_map(|mail| {
                let start = mail.text.find(&marker)? + marker.len();
                Some(mail.text[start..start + 64].to_owned())
            })
            .unwrap_or_else(|| panic!("no {page} mail to {address}"))
    }

    pub(crate) fn chat_service(&self) -> ChatService {
        ChatService::new(
            self.chats.clone(),
            self.users.clone(),
            self.clock.clone(),
            self.bus.clone(),
        )
    }

    pub(crate) fn message_service(&self) -> MessageService {
        MessageService::new(
            self.messages.clone(),
            self.chats.clone(),
            self.clock.clone(),
            self.bus.clone(),
        )
    }

    pub(crate) fn realtime(&self) -> RealtimeService {
        RealtimeService::new(
            self.chats.clone(),
            self.messages.clone(),
            self.sessions.clone(),
            self.clock.clone(),
            self.bus.clone(),
        )
    }

    /// Everything published since the last call, in order.
    pub(crate) fn published(&self) -> Vec<Notification> {
        let mut stream = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // `publish` has returned before a test looks, so whatever was published is
        // queued already: take until the stream would wait.
        std::iter::from_fn(|| stream.next().now_or_never().flatten()).collect()
    }

    /// Stores an account called `name` straight through the port (no password
    /// hashing), for tests that need users but no logins.
    pub(crate) async fn user(&self, name: &str) -> UserId {
        let user = NewUser {
            id: UserId::generate(),
            username: Username::parse(name).expect("valid username"),
            email: Email::parse(format!("{name}@example.com")).expect("valid email"),
            password_hash: PasswordHash::new("not-a-real-hash"),
            display_name: None,
            now: self.clock.now(),
        };
        self.users.insert(user).await.expect("store user").id
    }
}

/// `user_id` signed in on some device.
pub(crate) fn auth(user_id: UserId) -> Authenticated {
    Authenticated {
        user_id,
        session_id: SessionId::generate(),
    }
}
