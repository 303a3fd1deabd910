//! The ports: everything the use cases need from the outside world, as traits.
//!
//! Adapters live in `confab-infrastructure`; the composition root wires them in as
//! `Arc<dyn Port>`. Each repository method is one whole transaction.

mod admin;
mod avatars;
mod chats;
mod clock;
mod email;
mod erasure;
mod events;
mod guard;
mod mail;
mod media;
mod messages;
mod object_store;
mod passwords;
mod rate_limit;
mod sessions;
mod tokens;
mod uploads;
mod users;

pub use admin::{
    AdminChatView, AdminRepository, AdminUserView, AdminWriteError, AuditAction, AuditEntry,
    Invite, InvitedInsertError, NewAuditEntry, NewInvite, StoredCounts, UserStatus,
};
pub use avatars::AvatarRepository;
pub use chats::{
    AddMembersWriteError, ChatChanges, ChatListCursor, ChatRepository, DirectChat,
    DirectChatWriteError, GuardedWriteError, Membership, NewGroup, NewGroupWriteError, Removal,
};
pub use clock::Clock;
pub use email::{MailOutbox, MailTokenRepository, NewMailToken, QueuedMail, TokenPurpose};
pub use erasure::{ErasureRepository, RELEASED_NAME_PREFIX, released_name};
pub use events::{ChatEvent, EventBus, EventStream, Notification};
pub use guard::{Guard, LockedChat, LockedMessage, Refusal};
pub use mail::{MailComposer, MailContent, MailError, Mailer, OutgoingMail};
pub use media::{MediaError, MediaInspector, Thumbnail};
pub use messages::{
    DeleteWriteError, EditWriteError, MessageRepository, MessageWritten, NewMessage, SendOutcome,
    SendWriteError, SeqWindow,
};
pub use object_store::{
    ByteRange, Delivery, DownloadHeaders, ObjectStore, ObjectWriter, StoreError, StoredObject,
};
pub use passwords::{HashError, PasswordHash, PasswordHasher};
pub use rate_limit::{RateDecision, RateLimitError, RateLimiter};
pub use sessions::{NewSession, RefreshOutcome, SessionRepository};
pub use tokens::{
    AccessClaims, IssuedAccessToken, RefreshToken, TokenError, TokenHash, TokenService,
};
pub use uploads::{UploadInsertError, UploadRepository};
pub use users::{NewUser, ProfileChanges, StoredCredentials, UserRepository, UserWriteError};
