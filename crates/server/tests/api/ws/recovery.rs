//! Nothing is lost across disconnects: `ready` heads plus `GET /events?after=` close
//! every hole, even with many reconnects in the middle of a busy stream.

use std::time::Duration;

use confab_application::ports::{
    ChatEvent, Clock, MessageRepository, NewMessage, Notification, SendOutcome,
};
use confab_domain::{ChatId, EventPayload, LoggedEvent, MessageBody, MessageId, UserId};
use confab_infrastructure::persistence::SeaOrmMessageRepository;
use serde_json::{Value, json};

use super::client::{Socket, alice_and_bob_in_a_group, events_after, head, post_message};
use crate::api_test;
use crate::helpers::TestApp;

/// Stores a message straight through the repository: committed to the log, but
/// never published, exactly like a notification the bus lost. Returns its entry.
async fn store_unpublished(app: &TestApp, chat: &str, author: &str, body: &str) -> LoggedEvent {
    let outcome = SeaOrmMessageRepository::new(app.db.clone())
        .send(NewMessage {
            id: MessageId::generate(),
            chat_id: chat.parse::<ChatId>().expect("chat id"),
            author_id: author.parse::<UserId>().expect("user id"),
            body: Some(MessageBody::parse(body).expect("body")),
            attachment_ids: Vec::new(),
            reply_to_id: None,
            client_message_id: None,
            now: app.clock.now(),
        })
        .await
        .expect("stored");
    match outcome {
        SendOutcome::Created(written) => written.entry,
        SendOutcome::Existing(_) => panic!("a new message"),
    }
}

/// [`store_unpublished`], returning the message's seq.
pub(crate) async fn send_unpublished(app: &TestApp, chat: &str, author: &str, body: &str) -> i64 {
    store_unpublished(app, chat, author, body).await.seq.get()
}

/// The bus delivers seq 3 before seq 2, as two sends that commit in order but
/// publish in the other order do. The socket holds 3 until 2 arrives rather than
/// reading the log: the seq-2 text it shows is the bus's, which the log never had.
async fn events_the_bus_reorders_are_put_back_in_order_without_a_log_read(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut socket, _) = Socket::ready(&app, &bob.access).await;
    let mut second = store_unpublished(&app, &chat, &alice.id, "as the log has it").await;
    let third = store_unpublished(&app, &chat, &alice.id, "third").await;
    if let EventPayload::MessageCreated(message) = &mut second.payload {
        message.body = Some(MessageBody::parse("as the bus told it").expect("body"));
    }
    app.events
        .publish(Notification::Chat(ChatEvent::from(third)))
        .await;
    app.events
        .publish(Notification::Chat(ChatEvent::from(second)))
        .await;
    let first = socket.next().await;
    assert_eq!(
        (first["seq"].as_i64(), &first["data"]["body"]),
        (Some(2), &json!("as the bus told it"))
    );
    let next = socket.next().await;
    assert_eq!(
        (next["seq"].as_i64(), &next["data"]["body"]),
        (Some(3), &json!("third"))
    );
    socket.assert_silent(Duration::from_millis(300)).await;
}
api_test!(events_the_bus_reorders_are_put_back_in_order_without_a_log_read);

async fn a_message_the_bus_lost_is_filled_from_the_log_before_the_next(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (mut socket, _) = Socket::ready(&app, &bob.access).await;
    let lost = send_unpublished(&app, &chat, &alice.id, "lost on the bus").await;
    assert_eq!(lost, 2);
    socket.assert_silent(Duration::from_millis(300)).await;
    post_message(&app, &alice.access, &chat, "next").await;
    let first = socket.next().await;
    assert_eq!(
        (first["seq"].as_i64(), &first["data"]["body"]),
        (Some(2), &json!("lost on the bus"))
    );
    let second = socket.next().await;
    assert_eq!(
        (second["seq"].as_i64(), &second["data"]["body"]),
        (Some(3), &json!("next"))
    );
}
api_test!(a_message_the_bus_lost_is_filled_from_the_log_before_the_next);

async fn reconnect_and_catch_up_leaves_no_gap(app: TestApp) {
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let (socket, ready) = Socket::ready(&app, &bob.access).await;
    let seen = head(&ready, &chat).expect("head");
    socket.drop_abruptly();
    for n in 0..5 {
        post_message(&app, &alice.access, &chat, &format!("missed {n}")).await;
    }
    let (mut socket, ready) = Socket::ready(&app, &bob.access).await;
    let now = head(&ready, &chat).expect("head");
    assert_eq!(now, seen + 5);
    let missed = events_after(&app, &bob.access, &chat, seen).await;
    let seqs: Vec<i64> = missed.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert_eq!(seqs, ((seen + 1)..=now).collect::<Vec<_>>());
    post_message(&app, &alice.access, &chat, "live again").await;
    let frame = socket.next().await;
    assert_eq!(frame["seq"], now + 1);
}
api_test!(reconnect_and_catch_up_leaves_no_gap);

/// What a client has seen of one chat: every seq exactly once, in order.
struct Seen {
    last: i64,
    bodies: Vec<String>,
}

impl Seen {
    /// Takes an event if it is new; a gap fails the test.
    fn take(&mut self, event: &Value) {
        let Some(seq) = event["seq"].as_i64() else {
            return;
        };
        if seq <= self.last {
            return;
        }
        assert_eq!(seq, self.last + 1, "gap after {}: {event}", self.last);
        self.last = seq;
        if event["type"] == "message.created" {
            let body = event["data"]["body"].as_str().expect("body");
            self.bodies.push(body.to_owned());
        }
    }
}

async fn twenty_forced_disconnects_during_a_stream_lose_nothing(app: TestApp) {
    const MESSAGES: usize = 1000;
    const DISCONNECTS: i64 = 20;
    let (alice, bob, chat) = alice_and_bob_in_a_group(&app).await;
    let sender = {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/chats/{chat}/messages")),
            alice.access.clone(),
        );
        tokio::spawn(async move {
            for n in 0..MESSAGES {
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"body": format!("m{n}")}))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), 201);
            }
        })
    };
    let target = i64::try_from(MESSAGES).expect("small") + 1;
    let mut seen = Seen {
        last: 1,
        bodies: Vec::new(),
    };
    // Drop the socket each time another 48 seqs have been seen: 20 drops spread
    // over the stream, the last one well before its end.
    let mut reconnects = 0;
    while seen.last < target {
        let drop_at = (reconnects < DISCONNECTS).then(|| 1 + (reconnects + 1) * 48);
        let (mut socket, ready) = Socket::ready(&app, &bob.access).await;
        if head(&ready, &chat).is_some_and(|h| h > seen.last) {
            for event in events_after(&app, &bob.access, &chat, seen.last).await {
                seen.take(&event);
            }
        }
        while seen.last < target && drop_at.is_none_or(|at| seen.last < at) {
            seen.take(&socket.next().await);
        }
        if drop_at.is_some() {
            socket.drop_abruptly();
            reconnects += 1;
        }
    }
    sender.await.expect("sender finished");
    assert_eq!(reconnects, DISCONNECTS);
    let expected: Vec<String> = (0..MESSAGES).map(|n| format!("m{n}")).collect();
    assert_eq!(seen.bodies, expected);
}
api_test!(twenty_forced_disconnects_during_a_stream_lose_nothing);
