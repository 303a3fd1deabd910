//! The chats part of `confab seed-demo`: a direct chat alice–bob and the group
//! "Project team" with all four demo users, each with a few messages. Idempotent:
//! the direct chat is one per pair, the group is looked up by name in alice's chat
//! list, and every message carries a fixed `client_message_id`, so a second run
//! finds everything in place and adds nothing. The group also gets a photo: a
//! message with an image attachment, uploaded only when that message is missing.

use bytes::Bytes;
use confab_application::chats::{ChatService, CreatedChat, NewChatRequest};
use confab_application::files::FileService;
use confab_application::messages::{MessageService, SendMessage};
use confab_domain::{ChatId, ChatKind};

use crate::seed::{DemoUser, SeedError};
use crate::wiring::Services;

/// The group's name.
const GROUP_NAME: &str = "Project team";

/// `(sender index in DEMO_USERS, text)` of the direct chat alice–bob.
const DIRECT_MESSAGES: &[(usize, &str)] = &[
    (0, "Hi Bob! Did you see the new confab build?"),
    (1, "Hey Alice, yes: messages arrive instantly now."),
    (0, "Great. Lunch at noon?"),
];

/// `(sender index in DEMO_USERS, text)` of the group.
const GROUP_MESSAGES: &[(usize, &str)] = &[
    (0, "Welcome to the project team, everyone!"),
    (2, "Thanks Alice. Where do we track the tasks?"),
    (3, "I put the board link in the wiki."),
    (1, "Stand-up tomorrow at 9:30."),
];

/// The group's photo: a small PNG drawn for the demo (hills under a sun).
const PHOTO: &[u8] = include_bytes!("../assets/demo-hills.png");
/// The photo message's idempotency key.
const PHOTO_KEY: &str = "seed-group-photo";

/// Seeds the demo chats for `users` (alice, bob, charlie, david in that order).
pub async fn seed_demo_chats(services: &Services, users: &[DemoUser]) -> Result<(), SeedError> {
    let [alice, bob, ..] = users else {
        return Err(SeedError::Chats("the demo needs at least two users".into()));
    };
    let direct = open_chat(
        &services.chats,
        alice,
        NewChatRequest {
            kind: ChatKind::Direct,
            name: None,
            member_ids: vec![bob.user.id],
        },
    )
    .await?;
    send_all(&services.messages, users, direct, "direct", DIRECT_MESSAGES).await?;
    let group = if let Some(id) = find_group(&services.chats, alice).await? {
        id
    } else {
        let request = NewChatRequest {
            kind: ChatKind::Group,
            name: Some(GROUP_NAME.to_owned()),
            member_ids: users.iter().map(|demo| demo.user.id).collect(),
        };
        open_chat(&services.chats, alice, request).await?
    };
    send_all(&services.messages, users, group, "group", GROUP_MESSAGES).await?;
    send_photo(services, bob, group).await?;
    println!("demo chats ready: alice–bob, \"{GROUP_NAME}\"");
    Ok(())
}

/// Creates the chat (or finds the direct chat of the pair) and returns its id.
async fn open_chat(
    chats: &ChatService,
    creator: &DemoUser,
    request: NewChatRequest,
) -> Result<ChatId, SeedError> {
    let created = chats
        .create(&creator.auth, request)
        .await
        .map_err(|error| SeedError::Chats(error.to_string()))?;
    Ok(match created {
        CreatedChat::Created(view) | CreatedChat::Existing(view) => view.snapshot.chat.id,
    })
}

/// The id of the creator's group named [`GROUP_NAME`], if it exists.
async fn find_group(chats: &ChatService, creator: &DemoUser) -> Result<Option<ChatId>, SeedError> {
    let mut cursor: Option<String> = None;
    loop {
        let page = chats
            .list(&creator.auth, Some(100), cursor.as_deref())
            .await
            .map_err(|error| SeedError::Chats(error.to_string()))?;
        let found = page.items.iter().find(|item| {
            item.chat.kind == ChatKind::Group
                && item
                    .chat
                    .name
                    .as_ref()
                    .is_some_and(|n| n.as_str() == GROUP_NAME)
        });
        if let Some(item) = found {
            return Ok(Some(item.chat.id));
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(None),
        }
    }
}

/// Sends each message with a fixed `client_message_id`, so re-runs add nothing.
async fn send_all(
    messages: &MessageService,
    users: &[DemoUser],
    chat_id: ChatId,
    prefix: &str,
    script: &[(usize, &str)],
) -> Result<(), SeedError> {
    for (index, (sender, text)) in script.iter().enumerate() {
        let Some(sender) = users.get(*sender) else {
            continue;
        };
        let input = SendMessage {
            body: (*text).to_owned(),
            reply_to_id: None,
            client_message_id: Some(format!("seed-{prefix}-{index}")),
            attachment_ids: Vec::new(),
        };
        messages
            .send(&sender.auth, chat_id, input)
            .await
            .map_err(|error| SeedError::Chats(error.to_string()))?;
    }
    Ok(())
}

/// Sends [`PHOTO`] to the group as `sender`, unless an earlier run did (looked up
/// first, so a re-run leaves no unattached upload behind).
async fn send_photo(
    services: &Services,
    sender: &DemoUser,
    group: ChatId,
) -> Result<(), SeedError> {
    let failed = |error: &dyn std::fmt::Display| SeedError::Chats(error.to_string());
    let recent = services
        .messages
        .list(&sender.auth, group, None, None, Some(100))
        .await
        .map_err(|e| failed(&e))?;
    let sent = recent.items.iter().any(|message| {
        message.author_id == sender.user.id
            && message
                .client_message_id
                .as_ref()
                .is_some_and(|key| key.as_str() == PHOTO_KEY)
    });
    if sent {
        return Ok(());
    }
    let upload = upload_photo(&services.files, sender).await?;
    let input = SendMessage {
        body: "The view from the offsite.".to_owned(),
        reply_to_id: None,
        client_message_id: Some(PHOTO_KEY.to_owned()),
        attachment_ids: vec![upload],
    };
    services
        .messages
        .send(&sender.auth, group, input)
        .await
        .map_err(|e| failed(&e))?;
    Ok(())
}

async fn upload_photo(
    files: &FileService,
    owner: &DemoUser,
) -> Result<confab_domain::UploadId, SeedError> {
    let body = futures_util::stream::iter([Ok(Bytes::from_static(PHOTO))]);
    let size = u64::try_from(PHOTO.len()).ok();
    files
        .upload(owner.user.id, Some("offsite.png"), size, body)
        .await
        .map(|upload| upload.id)
        .map_err(|error| SeedError::Chats(error.to_string()))
}
