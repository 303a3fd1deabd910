//! Reading a chat's entries back. An entry about a message stores no copy of it
//! (see `NO_PAYLOAD`): the entries are read joined to their `messages` rows, in
//! one statement, and each such entry carries its message as it is now.

use std::collections::HashMap;

use confab_application::RepositoryError;
use confab_domain::{LoggedEvent, Message};
use sea_orm::{ConnectionTrait, EntityTrait, JoinType, QuerySelect, RelationDef, Select};
use uuid::Uuid;

use super::event_from_row;
use crate::persistence::attachments::with_files;
use crate::persistence::entities::{chat_events, messages};
use crate::persistence::storage;

/// `chat_events.message_id` → `messages.id`. Declared here rather than as an
/// entity relation: the entities navigate nothing, repositories join explicitly.
fn message_of_entry() -> RelationDef {
    chat_events::Entity::belongs_to(messages::Entity)
        .from(chat_events::Column::MessageId)
        .to(messages::Column::Id)
        .into()
}

/// The entries `query` selects (filtered, ordered and limited by the caller), as
/// domain entries. One statement reads the entries with their messages, so a purge
/// between two reads cannot leave an entry without its message; a second one
/// reads the files of those messages that have some (none for a page of text).
pub(in crate::persistence) async fn replay<C: ConnectionTrait>(
    conn: &C,
    query: Select<chat_events::Entity>,
) -> Result<Vec<LoggedEvent>, RepositoryError> {
    let rows = query
        .join(JoinType::LeftJoin, message_of_entry())
        .select_also(messages::Entity)
        .all(conn)
        .await
        .map_err(storage)?;
    let mut message_rows: HashMap<Uuid, messages::Model> = HashMap::new();
    for message in rows.iter().filter_map(|(_, message)| message.as_ref()) {
        message_rows
            .entry(message.id)
            .or_insert_with(|| message.clone());
    }
    // Once per message, however many of its entries the page holds.
    let messages: HashMap<Uuid, Message> = with_files(conn, message_rows.into_values().collect())
        .await?
        .into_iter()
        .map(|message| (message.id.as_uuid(), message))
        .collect();
    rows.iter()
        .map(|(entry, message)| {
            let message = message
                .as_ref()
                .and_then(|row| messages.get(&row.id))
                .cloned();
            event_from_row(entry, message)
        })
        .collect()
}
