//! The closed list of error codes, with the status and title each one answers with.

use poem::http::StatusCode;

/// Every stable, machine-readable error code of the API (the table in docs/api.md, Errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 401: missing, bad, expired or revoked token.
    Unauthorized,
    /// 401: unknown login or wrong password.
    InvalidCredentials,
    /// 401: unknown, spent, expired or revoked refresh token.
    InvalidRefreshToken,
    /// 403: the current password given was wrong.
    InvalidPassword,
    /// 422: one or more fields were refused.
    ValidationFailed,
    /// 400: the body is not JSON, or not the JSON expected.
    InvalidJson,
    /// 400: a pagination cursor was not one the server issued.
    InvalidCursor,
    /// 403: a member lacking the role.
    Forbidden,
    /// 404: no such route or resource.
    NotFound,
    /// 404: no such user.
    UserNotFound,
    /// 404: no such chat, or not a member.
    ChatNotFound,
    /// 404: no such message.
    MessageNotFound,
    /// 404: no such member.
    MemberNotFound,
    /// 404: no such session of mine.
    SessionNotFound,
    /// 409: the username belongs to another account.
    UsernameTaken,
    /// 409: the email belongs to another account.
    EmailTaken,
    /// 400: a group-only operation on a direct chat.
    NotAGroup,
    /// 400: a member that cannot be one (e.g. myself in a direct chat).
    InvalidMember,
    /// 409: the group would exceed its member limit.
    GroupFull,
    /// 409: the message is deleted.
    MessageDeleted,
    /// 403: registration needs a usable invite (missing, unknown, used, expired or
    /// revoked token).
    InviteRequired,
    /// 403: registration is closed; only admins create accounts.
    RegistrationClosed,
    /// 403: the account was disabled by an admin.
    AccountDisabled,
    /// 404: no such invite, or it was already used or revoked.
    InviteNotFound,
    /// 404: no such file, or I may not read it.
    FileNotFound,
    /// 413: my uploads would exceed my quota.
    QuotaExceeded,
    /// 416: the requested byte range does not overlap the file.
    RangeNotSatisfiable,
    /// 409: an admin tried to disable or delete their own account.
    CannotTargetSelf,
    /// 409: the change would leave the server without an active admin.
    LastAdmin,
    /// 400: the bytes received are not an HTTP/1.1 request.
    BadRequest,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 408: the request head or body did not arrive in time.
    RequestTimeout,
    /// 413: the body exceeds 1 MiB.
    PayloadTooLarge,
    /// 414: the request URI exceeds 8 KiB.
    UriTooLong,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 431: the request head exceeds 64 KiB or 100 header fields.
    HeadersTooLarge,
    /// 429: too many requests.
    RateLimited,
    /// 503: a dependency (the database) is down.
    ServiceUnavailable,
    /// 500: anything else; details are in the server log only.
    Internal,
    /// 400: a mailed link's token is unknown, used, expired or malformed.
    InvalidToken,
    /// 403: the action needs a verified email address.
    EmailUnverified,
    /// WebSocket only: the frame is not JSON, not an object, or has no string `type`.
    InvalidFrame,
    /// WebSocket only: a frame `type` the server does not know.
    UnknownType,
}

impl ErrorCode {
    /// The HTTP status, the wire code and the human title of this error.
    pub const fn parts(self) -> (StatusCode, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            Self::Unauthorized => (S::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            Self::InvalidCredentials => (
                S::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
            ),
            Self::InvalidRefreshToken => (
                S::UNAUTHORIZED,
                "invalid_refresh_token",
                "Invalid refresh token",
            ),
            Self::InvalidPassword => (S::FORBIDDEN, "invalid_password", "Invalid password"),
            Self::ValidationFailed => (
                S::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Validation failed",
            ),
            Self::InvalidJson => (S::BAD_REQUEST, "invalid_json", "Invalid JSON"),
            Self::InvalidCursor => (S::BAD_REQUEST, "invalid_cursor", "Invalid cursor"),
            Self::Forbidden => (S::FORBIDDEN, "forbidden", "Forbidden"),
            Self::NotFound => (S::NOT_FOUND, "not_found", "Not found"),
            Self::UserNotFound => (S::NOT_FOUND, "user_not_found", "User not found"),
            Self::ChatNotFound => (S::NOT_FOUND, "chat_not_found", "Chat not found"),
            Self::MessageNotFound => (S::NOT_FOUND, "message_not_found", "Message not found"),
            Self::MemberNotFound => (S::NOT_FOUND, "member_not_found", "Member not found"),
            Self::SessionNotFound => (S::NOT_FOUND, "session_not_found", "Session not found"),
            Self::UsernameTaken => (S::CONFLICT, "username_taken", "Username taken"),
            Self::EmailTaken => (S::CONFLICT, "email_taken", "Email taken"),
            Self::NotAGroup => (S::BAD_REQUEST, "not_a_group", "Not a group"),
            Self::InvalidMember => (S::BAD_REQUEST, "invalid_member", "Invalid member"),
            Self::GroupFull => (S::CONFLICT, "group_full", "Group full"),
            Self::MessageDeleted => (S::CONFLICT, "message_deleted", "Message deleted"),
            Self::InviteRequired => (S::FORBIDDEN, "invite_required", "Invite required"),
            Self::RegistrationClosed => {
                (S::FORBIDDEN, "registration_closed", "Registration closed")
            }
            Self::AccountDisabled => (S::FORBIDDEN, "account_disabled", "Account disabled"),
            Self::InviteNotFound => (S::NOT_FOUND, "invite_not_found", "Invite not found"),
            Self::FileNotFound => (S::NOT_FOUND, "file_not_found", "File not found"),
            Self::QuotaExceeded => (S::PAYLOAD_TOO_LARGE, "quota_exceeded", "Quota exceeded"),
            Self::RangeNotSatisfiable => (
                S::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                "Range not satisfiable",
            ),
            Self::CannotTargetSelf => (S::CONFLICT, "cannot_target_self", "Cannot target yourself"),
            Self::LastAdmin => (S::CONFLICT, "last_admin", "Last admin"),
            Self::BadRequest => (S::BAD_REQUEST, "bad_request", "Bad request"),
            Self::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            Self::RequestTimeout => (S::REQUEST_TIMEOUT, "request_timeout", "Request timeout"),
            Self::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
            ),
            Self::UriTooLong => (S::URI_TOO_LONG, "uri_too_long", "URI too long"),
            Self::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            Self::HeadersTooLarge => (
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                "Request header fields too large",
            ),
            Self::RateLimited => (S::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
            Self::ServiceUnavailable => (
                S::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "Service unavailable",
            ),
            Self::Internal => (
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
            Self::InvalidToken => (S::BAD_REQUEST, "invalid_token", "Invalid token"),
            Self::EmailUnverified => (S::FORBIDDEN, "email_unverified", "Email unverified"),
            Self::InvalidFrame => (S::BAD_REQUEST, "invalid_frame", "Invalid frame"),
            Self::UnknownType => (S::BAD_REQUEST, "unknown_type", "Unknown frame type"),
        }
    }
}
