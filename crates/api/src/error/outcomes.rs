//! Which errors each operation documents, derived from its use case's error type.
//!
//! A handler returns `Result<_, Refused<E>>`, `E` being the error enum of the one
//! use case it calls. [`Outcomes`] lists one value of every variant of `E` (the
//! list is checked against the enum by an exhaustive `match`, so a new variant does
//! not compile until it is listed), and `Refused<E>`'s responses in the spec are the
//! statuses and codes those values answer with through the one classification
//! (`From<E> for ApiError`), plus `500 internal` and `503 service_unavailable`
//! (every use case's `Internal`). What the edge adds before a handler runs (a bad
//! token, body or parameter) is added from the operation's shape by `spec::finish`.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};

use confab_application::ValidationErrors;
use confab_application::accounts::{
    ChangePasswordError, ListSessionsError, LoginError, LogoutError, RefreshError, RegisterError,
    RevokeSessionError,
};
use confab_application::admin::{AdminError, DeleteAccountError};
use confab_application::chats::{
    AddMembersError, ChangeRoleError, CreateChatError, GetChatError, ListChatsError,
    RemoveMemberError, UpdateChatError,
};
use confab_application::email::{
    ConfirmEmailError, ForgotPasswordError, RequestVerificationError, ResetPasswordError,
};
use confab_application::files::{DownloadError, UploadError};
use confab_application::messages::{
    DeleteMessageError, EditMessageError, GetMessageError, ListEventsError, ListMessagesError,
    MarkReadError, SendMessageError,
};
use confab_application::profiles::{
    AvatarError, GetUserError, ProfileError, SearchUsersError, UpdateProfileError,
};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;

use super::{ApiError, ErrorBody, ErrorCode};

/// A use-case error type whose every outcome can be listed.
pub trait Outcomes: Sized {
    /// One value of every variant but `Internal`.
    fn samples() -> Vec<Self>;

    /// Codes the operation answers besides the use case's (e.g. `rate_limited`
    /// where a rate limit guards the route).
    fn also() -> &'static [ErrorCode] {
        &[]
    }
}

/// Lists the variants of a use-case error enum (`Internal` aside), each with a
/// sample value when it carries data, and optionally `also [codes]`.
macro_rules! outcomes {
    ($($error:ident { $($variant:ident $(($sample:expr))?),* $(,)? } $([$($also:ident),*])?;)+) => {$(
        impl Outcomes for $error {
            fn samples() -> Vec<Self> {
                // Exhaustive: a new variant fails to compile until it is listed.
                let _listed = |error: &$error| match error {
                    $($error::$variant { .. } => (),)*
                    $error::Internal(_) => (),
                };
                vec![$($error::$variant $(($sample))?),*]
            }

            $(fn also() -> &'static [ErrorCode] {
                &[$(ErrorCode::$also),*]
            })?
        }
    )+};
}

fn field() -> ValidationErrors {
    ValidationErrors::single("field", "is refused")
}

outcomes! {
    RegisterError {
        Validation(field()), UsernameTaken, EmailTaken, InviteRequired, RegistrationClosed,
    } [RateLimited];
    LoginError { Validation(field()), InvalidCredentials, AccountDisabled } [RateLimited];
    RefreshError { InvalidRefreshToken, AccountDisabled } [RateLimited];
    LogoutError {};
    ListSessionsError { Validation(field()), InvalidCursor };
    RevokeSessionError { SessionNotFound };
    ChangePasswordError { Validation(field()), InvalidPassword };
    ProfileError {};
    UpdateProfileError { Validation(field()), UsernameTaken, EmailTaken, InvalidPassword };
    AvatarError { Validation(field()) };
    GetUserError { UserNotFound };
    SearchUsersError { Validation(field()), InvalidCursor };
    CreateChatError {
        Validation(field()), NameOnDirectChat, InvalidMember, UserNotFound(Vec::new()), GroupFull,
        EmailUnverified,
    };
    GetChatError { ChatNotFound };
    ListChatsError { Validation(field()), InvalidCursor };
    UpdateChatError { Validation(field()), ChatNotFound, NotAGroup, Forbidden };
    AddMembersError { ChatNotFound, NotAGroup, Forbidden, UserNotFound(Vec::new()), GroupFull };
    RemoveMemberError { ChatNotFound, NotAGroup, Forbidden, MemberNotFound };
    ChangeRoleError { ChatNotFound, NotAGroup, Forbidden, MemberNotFound };
    SendMessageError {
        Validation(field()), ChatNotFound, ReplyTargetNotFound, EmailUnverified,
    } [RateLimited];
    ListMessagesError { Validation(field()), ChatNotFound };
    GetMessageError { ChatNotFound, MessageNotFound };
    EditMessageError { Validation(field()), ChatNotFound, MessageNotFound, Forbidden, MessageDeleted };
    DeleteMessageError { ChatNotFound, MessageNotFound, Forbidden };
    MarkReadError { Validation(field()), ChatNotFound };
    ListEventsError { Validation(field()), ChatNotFound };
    ConfirmEmailError { InvalidToken, EmailTaken } [RateLimited];
    ForgotPasswordError {} [ValidationFailed, RateLimited];
    ResetPasswordError { Validation(field()), InvalidToken } [RateLimited];
    AdminError {
        Forbidden, Validation(field()), InvalidCursor, UserNotFound, InviteNotFound,
        UsernameTaken, EmailTaken, SelfTarget, LastAdmin, ChatNotFound, NotAGroup,
        MemberNotFound, UsersNotFound(Vec::new()), GroupFull, MessageNotFound,
    };
    DeleteAccountError { InvalidPassword, LastAdmin };
}

// A struct variant, which the macro's sample syntax does not take.
impl Outcomes for RequestVerificationError {
    fn samples() -> Vec<Self> {
        // Exhaustive: a new variant fails to compile until it is listed.
        let listed = |error: &Self| match error {
            Self::TooSoon { .. } | Self::Internal(_) => (),
        };
        let samples = vec![Self::TooSoon {
            retry_after_seconds: 60,
        }];
        samples.iter().for_each(listed);
        samples
    }
}

// Struct variants, which the macro's sample syntax does not take.
impl Outcomes for UploadError {
    fn samples() -> Vec<Self> {
        // Exhaustive: a new variant fails to compile until it is listed.
        let listed = |error: &Self| match error {
            Self::TooLarge { .. }
            | Self::QuotaExceeded
            | Self::Validation(_)
            | Self::BodyUnreadable
            | Self::Internal(_) => (),
        };
        let samples = vec![
            Self::TooLarge { max_bytes: 0 },
            Self::QuotaExceeded,
            Self::Validation(field()),
            Self::BodyUnreadable,
        ];
        samples.iter().for_each(listed);
        samples
    }
}

impl Outcomes for DownloadError {
    fn samples() -> Vec<Self> {
        // Exhaustive: a new variant fails to compile until it is listed.
        let listed = |error: &Self| match error {
            Self::FileNotFound | Self::RangeNotSatisfiable { .. } | Self::Internal(_) => (),
        };
        let samples = vec![Self::FileNotFound, Self::RangeNotSatisfiable { size: 0 }];
        samples.iter().for_each(listed);
        samples
    }
}

/// The error of an operation whose use case fails with `E`: answered exactly as
/// the [`ApiError`] it classifies to, documented with `E`'s outcomes only.
#[derive(Debug)]
pub struct Refused<E>(ApiError, PhantomData<fn() -> E>);

impl<E> Refused<E> {
    /// An error from outside the use case (a rate limit), which `E::also` lists.
    pub fn other(error: ApiError) -> Self {
        Self(error, PhantomData)
    }
}

impl<E> From<E> for Refused<E>
where
    ApiError: From<E>,
{
    fn from(error: E) -> Self {
        Self(ApiError::from(error), PhantomData)
    }
}

// Into `poem::Error` as the `ApiError` itself, so the error layer finds it by type
// and answers it unchanged.
impl<E> From<Refused<E>> for poem::Error {
    fn from(refused: Refused<E>) -> Self {
        Self::from(refused.0)
    }
}

/// The codes `E` answers with, by status.
pub(super) fn documented<E: Outcomes>() -> BTreeMap<u16, Vec<ErrorCode>>
where
    ApiError: From<E>,
{
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    let classified = E::samples().into_iter().map(|sample| {
        let error = ApiError::from(sample);
        (error.status.as_u16(), error.code)
    });
    let edge = E::also()
        .iter()
        .chain(&[ErrorCode::Internal, ErrorCode::ServiceUnavailable])
        .map(|&code| (code.parts().0.as_u16(), code));
    for (status, code) in classified.chain(edge) {
        let codes = by_status.entry(status).or_default();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    by_status
}

/// A response's description naming `codes` (which `spec::finish` reads back).
pub fn describe(codes: &[ErrorCode]) -> String {
    codes
        .iter()
        .map(|code| {
            let (_, wire, title) = code.parts();
            format!("`{wire}`: {title}.")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as a `&'static str` (poem-openapi keeps descriptions so): each distinct
/// text is leaked once, however often the spec is built, so at most one copy per
/// status and use case lives for the process.
fn intern(text: String) -> &'static str {
    static TEXTS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut texts = TEXTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = texts.get(text.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    texts.insert(leaked);
    leaked
}

impl<E: Outcomes + Send> ApiResponse for Refused<E>
where
    ApiError: From<E>,
{
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: documented::<E>()
                .into_iter()
                .map(|(status, codes)| MetaResponse {
                    description: intern(describe(&codes)),
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_documents_exactly_its_use_case_outcomes() {
        let edit = documented::<EditMessageError>();
        let codes = |status: u16| edit.get(&status).cloned().unwrap_or_default();
        assert_eq!(codes(422), [ErrorCode::ValidationFailed]);
        assert_eq!(
            codes(404),
            [ErrorCode::ChatNotFound, ErrorCode::MessageNotFound]
        );
        assert_eq!(codes(403), [ErrorCode::Forbidden]);
        assert_eq!(codes(409), [ErrorCode::MessageDeleted]);
        assert_eq!(codes(500), [ErrorCode::Internal]);
        assert_eq!(codes(503), [ErrorCode::ServiceUnavailable]);
        assert!(!edit.contains_key(&429), "{edit:?}");
        // A query parameter refused by the use case is a 400.
        assert_eq!(
            documented::<ListSessionsError>().get(&400).cloned(),
            Some(vec![ErrorCode::ValidationFailed, ErrorCode::InvalidCursor])
        );
        assert_eq!(
            documented::<SendMessageError>().get(&429).cloned(),
            Some(vec![ErrorCode::RateLimited])
        );
    }
}
