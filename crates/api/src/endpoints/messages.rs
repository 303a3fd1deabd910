//! `/chats/{id}/messages`, `/read` and `/events`: sending (rate-limited per user),
//! history, edits, tombstones, read positions and the change log.

use confab_application::messages::{
    DeleteMessageError, EditMessageError, GetMessageError, ListEventsError, ListMessagesError,
    MarkReadError, SendMessageError,
};
use confab_application::messages::{MessageService, Sent};
use confab_domain::{ChatId, MessageId};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::bounds::{Limit, PathId, SeqNumber, raw};
use crate::dto::common::NoContent;
use crate::dto::events::EventPage;
use crate::dto::messages::{
    EditMessageRequest, MarkReadRequest, MessageDto, MessagePage, SendMessageRequest,
};
use crate::error::Refused;
use crate::json::ApiJson;
use crate::middleware::rate_limit::{RateLimit, RateSlot, rate_limit_headers, send_rate_key};
use crate::security::BearerAuth;

#[derive(DeriveTags)]
enum ApiTags {
    /// Messages, read positions and each chat's change log.
    Messages,
}

/// `201` for a new message, `200` for the original of a retried `client_message_id`.
#[derive(ApiResponse)]
pub enum MessageSent {
    /// The message was stored.
    #[oai(status = 201)]
    Created(Json<MessageDto>),
    /// A message with this `client_message_id` was already sent; here is the original.
    #[oai(status = 200)]
    Existing(Json<MessageDto>),
}

/// The message endpoints.
pub struct MessagesApi {
    messages: MessageService,
    send_limit: RateLimit,
}

impl MessagesApi {
    /// Serves `messages`, limiting sends per user with `send_limit`.
    pub fn new(messages: MessageService, send_limit: RateLimit) -> Self {
        Self {
            messages,
            send_limit,
        }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Messages")]
impl MessagesApi {
    /// Send a message
    ///
    /// Exactly once per `client_message_id`: a retry answers `200` with the original.
    /// `reply_to_id` must name a live message of this chat, else `404
    /// message_not_found`. Rate-limited per user (`429 rate_limited`
    /// with `Retry-After`; `X-RateLimit-Limit` / `X-RateLimit-Remaining` on every answer).
    #[oai(
        path = "/chats/:id/messages",
        method = "post",
        transform = "rate_limit_headers",
        operation_id = "sendMessage"
    )]
    async fn send(
        &self,
        auth: BearerAuth,
        slot: Data<&RateSlot>,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        body: ApiJson<SendMessageRequest>,
    ) -> Result<MessageSent, Refused<SendMessageError>> {
        let caller = auth.caller();
        let key = send_rate_key(caller.user_id);
        self.send_limit
            .check_into(&slot, &key)
            .await
            .map_err(Refused::other)?;
        Ok(
            match self.messages.send(caller, id.0.id(), body.0.into()).await? {
                Sent::Created(written) => MessageSent::Created(Json(written.message.into())),
                Sent::Existing(message) => MessageSent::Existing(Json(message.into())),
            },
        )
    }

    /// List messages
    ///
    /// Items ascending by `seq`, tombstones included. Without `before`/`after`: the
    /// newest page. `next_cursor` is the seq to pass as `before` (newest and `before`
    /// pages) or as `after` (`after` pages); `null` when nothing more exists.
    #[oai(
        path = "/chats/:id/messages",
        method = "get",
        operation_id = "listMessages"
    )]
    async fn list(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// Only messages with a lower seq (not with `after`).
        before: Query<Option<SeqNumber>>,
        /// Only messages with a higher seq (not with `before`).
        after: Query<Option<SeqNumber>>,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
    ) -> Result<Json<MessagePage>, Refused<ListMessagesError>> {
        let page = self
            .messages
            .list(
                auth.caller(),
                id.0.id(),
                raw(before.0),
                raw(after.0),
                raw(limit.0),
            )
            .await?;
        Ok(Json(page.into()))
    }

    /// Get a message
    ///
    /// A tombstone too; an expired message is `404 message_not_found`.
    #[oai(
        path = "/chats/:id/messages/:message_id",
        method = "get",
        operation_id = "getMessage"
    )]
    async fn get(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The message id.
        message_id: Path<PathId<MessageId>>,
    ) -> Result<Json<MessageDto>, Refused<GetMessageError>> {
        let message = self
            .messages
            .get(auth.caller(), id.0.id(), message_id.0.id())
            .await?;
        Ok(Json(message.into()))
    }

    /// Edit a message
    ///
    /// The author only; sets `edited_at`. A deleted message is `409 message_deleted`.
    #[oai(
        path = "/chats/:id/messages/:message_id",
        method = "patch",
        operation_id = "editMessage"
    )]
    async fn edit(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The message id.
        message_id: Path<PathId<MessageId>>,
        body: ApiJson<EditMessageRequest>,
    ) -> Result<Json<MessageDto>, Refused<EditMessageError>> {
        let message = self
            .messages
            .edit(auth.caller(), id.0.id(), message_id.0.id(), body.0.body.0)
            .await?;
        Ok(Json(message.into()))
    }

    /// Delete a message
    ///
    /// The author, or a group admin/owner. It stays as a tombstone (`body` null,
    /// `deleted_at` set); deleting a tombstone again is `204` and changes nothing.
    #[oai(
        path = "/chats/:id/messages/:message_id",
        method = "delete",
        operation_id = "deleteMessage"
    )]
    async fn delete(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The message id.
        message_id: Path<PathId<MessageId>>,
    ) -> Result<NoContent, Refused<DeleteMessageError>> {
        self.messages
            .delete(auth.caller(), id.0.id(), message_id.0.id())
            .await?;
        Ok(NoContent::Done)
    }

    /// Mark messages read
    ///
    /// Moves my `last_read_seq` forward (a lower seq changes nothing; past `last_seq`
    /// is clamped). Members see a `read.updated` event when it moves.
    #[oai(path = "/chats/:id/read", method = "post", operation_id = "markRead")]
    async fn mark_read(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        body: ApiJson<MarkReadRequest>,
    ) -> Result<NoContent, Refused<MarkReadError>> {
        self.messages
            .mark_read(auth.caller(), id.0.id(), body.0.seq.0)
            .await?;
        Ok(NoContent::Done)
    }

    /// Replay the chat's log
    ///
    /// The events after `after` (default 0), ascending: the same objects the
    /// WebSocket sends, for catching up after a disconnect. Pass `next_cursor` as
    /// `after`. Seqs of expired messages are skipped.
    #[oai(
        path = "/chats/:id/events",
        method = "get",
        operation_id = "listEvents"
    )]
    async fn events(
        &self,
        auth: BearerAuth,
        /// The chat id.
        id: Path<PathId<ChatId>>,
        /// The last seq already seen (default 0).
        after: Query<Option<SeqNumber>>,
        /// Page size, 1..100 (default 50).
        limit: Query<Option<Limit>>,
    ) -> Result<Json<EventPage>, Refused<ListEventsError>> {
        let page = self
            .messages
            .events(auth.caller(), id.0.id(), raw(after.0), raw(limit.0))
            .await?;
        Ok(Json(page.into()))
    }
}
