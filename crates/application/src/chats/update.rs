//! Changing a chat's own settings: the group name and the message lifetime.

use confab_domain::permissions::{may_rename, may_set_ttl};
use confab_domain::{ChatId, ChatName, ChatView, MessageTtl};

use super::{ChatService, UpdateChatError};
use crate::accounts::Authenticated;
use crate::error::{FieldError, ValidationErrors};
use crate::ports::{ChatChanges, Guard, LockedChat};

/// `PATCH /chats/{id}`: `None` leaves a field alone; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ChatUpdate {
    /// New group name; clearing it is refused (groups always have one).
    pub name: Option<Option<String>>,
    /// New message lifetime in seconds; `Some(None)` keeps messages forever.
    pub message_ttl_seconds: Option<Option<i64>>,
}

/// Parses the present fields, collecting every refusal.
fn parse_changes(update: ChatUpdate) -> Result<ChatChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = match update.name {
        None => None,
        Some(None) => {
            errors.0.push(FieldError {
                field: "name",
                message: "must not be null for a group".to_owned(),
            });
            None
        }
        Some(Some(text)) => errors.check("name", ChatName::parse(text)),
    };
    let message_ttl = match update.message_ttl_seconds {
        None => None,
        Some(None) => Some(None),
        Some(Some(seconds)) => errors
            .check("message_ttl_seconds", MessageTtl::from_seconds(seconds))
            .map(Some),
    };
    errors.finish(|| Some(ChatChanges { name, message_ttl }))
}

impl ChatService {
    /// Renames a group and/or sets the message lifetime; one `chat.updated` entry
    /// however many fields change, none when nothing does.
    #[tracing::instrument(skip(self, update))]
    pub async fn update(
        &self,
        auth: &Authenticated,
        chat_id: ChatId,
        update: ChatUpdate,
    ) -> Result<ChatView, UpdateChatError> {
        let caller = auth.user_id;
        let renames = update.name.is_some();
        let sets_ttl = update.message_ttl_seconds.is_some();
        let changes = parse_changes(update)?;
        let guard = Guard {
            actor: caller,
            server_admin: None,
            rule: &|locked: &LockedChat| {
                if renames {
                    may_rename(locked.kind, locked.actor)?;
                }
                if sets_ttl {
                    may_set_ttl(locked.kind, locked.actor)?;
                }
                Ok(())
            },
        };
        let now = self.clock.now();
        if let Some(event) = self.chats.update(chat_id, changes, now, &guard).await? {
            self.publish(vec![event]).await;
        }
        self.chats
            .view(chat_id, caller, self.clock.now())
            .await?
            .ok_or(UpdateChatError::ChatNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_change_nothing() {
        let changes = parse_changes(ChatUpdate::default()).expect("valid");
        assert!(changes.name.is_none());
        assert!(changes.message_ttl.is_none());
    }

    #[test]
    fn null_ttl_means_forever_and_values_are_bounded() {
        let cleared = parse_changes(ChatUpdate {
            message_ttl_seconds: Some(None),
            ..ChatUpdate::default()
        })
        .expect("valid");
        assert_eq!(cleared.message_ttl, Some(None));
        let set = parse_changes(ChatUpdate {
            message_ttl_seconds: Some(Some(3600)),
            ..ChatUpdate::default()
        })
        .expect("valid");
        assert_eq!(
            set.message_ttl.flatten().map(MessageTtl::seconds),
            Some(3600)
        );
        let too_short = parse_changes(ChatUpdate {
            message_ttl_seconds: Some(Some(59)),
            ..ChatUpdate::default()
        });
        assert_eq!(
            too_short.map(|_| ()).map_err(|e| e.0[0].field),
            Err("message_ttl_seconds")
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = parse_changes(ChatUpdate {
            name: Some(None),
            message_ttl_seconds: Some(Some(10_000_000)),
        })
        .map(|_| ())
        .expect_err("both fields are bad");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "message_ttl_seconds"]);
        assert!(
            parse_changes(ChatUpdate {
                name: Some(Some(" ".into())),
                ..ChatUpdate::default()
            })
            .is_err()
        );
    }
}
