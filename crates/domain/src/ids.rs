//! Identifiers: UUIDv7 newtypes, time-ordered and not guessable.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh UUIDv7: ordered by creation time, random in its low bits.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (for example one read from storage).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

uuid_id!(
    /// Identifies a user account.
    UserId
);
uuid_id!(
    /// Identifies one device session (one login) of a user.
    SessionId
);
uuid_id!(
    /// Identifies a direct or group chat.
    ChatId
);
uuid_id!(
    /// Identifies a message within the whole server.
    MessageId
);
uuid_id!(
    /// Identifies a registration invite made by an admin.
    InviteId
);
uuid_id!(
    /// Identifies an uploaded file.
    UploadId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_version_7_and_ordered() {
        let first = UserId::generate();
        let second = UserId::generate();
        assert_eq!(first.as_uuid().get_version_num(), 7);
        assert!(first < second);
    }

    #[test]
    fn ids_round_trip_through_strings() {
        let id = ChatId::generate();
        let parsed: ChatId = id.to_string().parse().expect("valid uuid");
        assert_eq!(parsed, id);
        assert!("not-a-uuid".parse::<ChatId>().is_err());
    }
}
