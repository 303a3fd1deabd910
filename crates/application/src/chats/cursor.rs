//! The chat list's opaque cursor: the last item's activity time and id.
//!
//! The text is `<seconds>.<nanoseconds>.<uuid-hex>`: URL-safe without escaping and
//! exact to the nanosecond, so a page boundary never skips or repeats a chat.

use chrono::DateTime;
use confab_domain::ChatId;
use uuid::Uuid;

use crate::ports::ChatListCursor;

/// Turns a page boundary into the `next_cursor` string.
pub fn encode_cursor(cursor: ChatListCursor) -> String {
    let at = cursor.last_activity_at;
    format!(
        "{}.{:09}.{}",
        at.timestamp(),
        at.timestamp_subsec_nanos(),
        cursor.chat_id.as_uuid().simple()
    )
}

/// Reads a cursor produced by [`encode_cursor`]; `None` when it is not one.
pub fn decode_cursor(text: &str) -> Option<ChatListCursor> {
    let mut parts = text.split('.');
    let seconds: i64 = parts.next()?.parse().ok()?;
    let nanos_text = parts.next()?;
    let id_text = parts.next()?;
    if parts.next().is_some() || nanos_text.len() != 9 || id_text.len() != 32 {
        return None;
    }
    let nanos: u32 = nanos_text.parse().ok()?;
    let last_activity_at = DateTime::from_timestamp(seconds, nanos)?;
    let chat_id = ChatId::from_uuid(Uuid::try_parse(id_text).ok()?);
    Some(ChatListCursor {
        last_activity_at,
        chat_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn cursor_round_trips_to_the_nanosecond() {
        let cursor = ChatListCursor {
            last_activity_at: Utc
                .timestamp_opt(1_763_000_000, 123_456_789)
                .single()
                .expect("valid time"),
            chat_id: ChatId::generate(),
        };
        let text = encode_cursor(cursor);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
        assert_eq!(decode_cursor(&text), Some(cursor));
    }

    #[test]
    fn every_cursor_of_the_documented_shape_decodes() {
        // The API documents `^-?[0-9]{1,11}\.[0-9]{9}\.[0-9a-f]{32}$`; its extremes
        // must all be usable, so a schema-valid cursor never gets 400.
        let id = "f".repeat(32);
        for seconds in ["0", "-0", "99999999999", "-99999999999"] {
            for nanos in ["000000000", "999999999"] {
                let text = format!("{seconds}.{nanos}.{id}");
                assert!(decode_cursor(&text).is_some(), "{text}");
            }
        }
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let good = encode_cursor(ChatListCursor {
            last_activity_at: Utc::now(),
            chat_id: ChatId::generate(),
        });
        for bad in [
            "",
            "abc",
            "1.2",
            "1.000000000.nothex",
            "x.000000000.0190f0a0b0c0d0e0f0a0b0c0d0e0f0a0",
            "1.5.0190f0a0b0c0d0e0f0a0b0c0d0e0f0a0",
            "1.2000000000.0190f0a0b0c0d0e0f0a0b0c0d0e0f0a0",
            &format!("{good}.extra"),
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
    }
}
