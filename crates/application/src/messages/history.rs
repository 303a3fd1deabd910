//! Reading a chat's history: pages of messages, one message, and the raw log.

use confab_domain::{ChatId, LoggedEvent, Message, MessageId, Seq};

use super::window::{HistoryQuery, next_cursor};
use super::{GetMessageError, ListEventsError, ListMessagesError, MessageService};
use crate::accounts::Authenticated;
use crate::error::ValidationErrors;
use crate::pagination::{Page, PageLimit};

impl MessageService {
    /// A page of messages, ascending by seq, tombstones included, expired ones never.
    #[tracing::instrument(skip(self))]
    pub async fn list(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        before: Option<i64>,
        after: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Page<Message, Seq>, ListMessagesError> {
        let caller = auth.user_id;
        let query = HistoryQuery::parse(before, after, limit)?;
        let Some(membership) = self.membership(chat_id, caller).await? else {
            return Err(ListMessagesError::ChatNotFound);
        };
        let rows = self
            .messages
            .list(
                &membership.chat,
                query.window,
                query.limit.probe(),
                self.clock.now(),
            )
            .await?;
        Ok(next_cursor(rows, query.window, query.limit))
    }

    /// One message (a tombstone too); expired messages are not found.
    #[tracing::instrument(skip(self))]
    pub async fn get(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<Message, GetMessageError> {
        let caller = auth.user_id;
        let Some(membership) = self.membership(chat_id, caller).await? else {
            return Err(GetMessageError::ChatNotFound);
        };
        self.messages
            .get(&membership.chat, message_id, self.clock.now())
            .await?
            .ok_or(GetMessageError::MessageNotFound)
    }

    /// The chat's log after `after` (default 0), ascending; the same entries the
    /// WebSocket delivers. `next_cursor` is the highest seq, to pass as `after`.
    #[tracing::instrument(skip(self))]
    pub async fn events(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        after: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Page<LoggedEvent, Seq>, ListEventsError> {
        let caller = auth.user_id;
        let (after, limit) = parse_events_query(after, limit)?;
        if self.membership(chat_id, caller).await?.is_none() {
            return Err(ListEventsError::ChatNotFound);
        }
        let rows = self
            .messages
            .events_after(chat_id, after, limit.probe(), self.clock.now())
            .await?;
        Ok(Page::from_probe(rows, limit, |event| event.seq))
    }
}

/// Checks `after` (not negative, default 0) and `limit`, reporting both.
fn parse_events_query(
    after: Option<i64>,
    limit: Option<i64>,
) -> Result<(Seq, PageLimit), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let after = errors.check("after", Seq::new(after.unwrap_or(0)));
    let limit = match PageLimit::parse(limit) {
        Ok(limit) => Some(limit),
        Err(limit_errors) => {
            errors.0.extend(limit_errors.0);
            None
        }
    };
    errors.finish(|| Some((after?, limit?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_start_after_zero_by_default() {
        let (after, limit) = parse_events_query(None, None).expect("valid");
        assert_eq!(after, Seq::ZERO);
        assert_eq!(limit, PageLimit::DEFAULT);
    }

    #[test]
    fn events_query_reports_every_bad_field() {
        let errors = parse_events_query(Some(-1), Some(101)).expect_err("both bad");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["after", "limit"]);
    }
}
