//! The mail outbox and its worker on SQLite and PostgreSQL: a mail queued while the
//! mail server is down is sent once it is back, exactly once; two workers on one
//! database send each mail once; a reset token is single-use and hashed at rest.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::TimeDelta;
use confab_application::ports::{
    Clock, MailError, MailOutbox, MailTokenRepository, Mailer, NewMailToken, NewUser, OutgoingMail,
    PasswordHash, TokenHash, TokenPurpose, UserRepository,
};
use confab_domain::{Email, UserId, Username};
use confab_infrastructure::mail::OutboxWorker;
use confab_infrastructure::persistence::{
    SeaOrmMailOutbox, SeaOrmMailTokenRepository, SeaOrmUserRepository, connect, migrate,
};
use confab_infrastructure::testing::{ManualClock, ScratchDatabase};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// Counts deliveries per subject; fails while `down` is set.
#[derive(Default)]
struct RecordingMailer {
    down: std::sync::atomic::AtomicBool,
    delivered: Mutex<HashMap<String, usize>>,
    refused: AtomicUsize,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        if self.down.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(MailError("connection refused".into()));
        }
        // A real server takes a moment; it widens the window for double sends.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        *self
            .delivered
            .lock()
            .expect("lock")
            .entry(mail.subject.clone())
            .or_default() += 1;
        Ok(())
    }
}

struct Fixture {
    db: DatabaseConnection,
    clock: Arc<ManualClock>,
    tokens: Arc<SeaOrmMailTokenRepository>,
    outbox: Arc<SeaOrmMailOutbox>,
    user: UserId,
    _scratch: ScratchDatabase,
}

async fn fixture(scratch: ScratchDatabase) -> Fixture {
    let db = connect(scratch.url(), 5).await.expect("connect");
    migrate(&db).await.expect("migrate");
    let clock = Arc::new(ManualClock::starting_now());
    let users = SeaOrmUserRepository::new(db.clone());
    let user = users
        .insert(NewUser {
            id: UserId::generate(),
            username: Username::parse("alice").expect("valid"),
            email: Email::parse("alice@example.com").expect("valid"),
            password_hash: PasswordHash::new("$argon2id$placeholder"),
            display_name: None,
            now: clock.now(),
        })
        .await
        .expect("user");
    Fixture {
        tokens: Arc::new(SeaOrmMailTokenRepository::new(db.clone())),
        outbox: Arc::new(SeaOrmMailOutbox::new(db.clone())),
        db,
        clock,
        user: user.id,
        _scratch: scratch,
    }
}

fn mail(subject: &str) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse("alice@example.com").expect("valid"),
        subject: subject.to_owned(),
        text: "text".into(),
        html: "<p>html</p>".into(),
    }
}

impl Fixture {
    async fn queue(&self, subject: &str, hash: &str) {
        let now = self.clock.now();
        self.tokens
            .issue(
                NewMailToken {
                    hash: TokenHash(hash.to_owned()),
                    user_id: self.user,
                    purpose: TokenPurpose::Reset,
                    email: Email::parse("alice@example.com").expect("valid"),
                    now,
                    expires_at: now + TimeDelta::hours(1),
                },
                vec![mail(subject)],
            )
            .await
            .expect("issue");
    }

    fn worker(&self, mailer: Arc<RecordingMailer>) -> OutboxWorker {
        OutboxWorker::new(self.outbox.clone(), mailer, self.clock.clone())
    }

    /// (attempts, last_error, sent) of the only outbox row.
    async fn row(&self) -> (i64, Option<String>, bool) {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT attempts, last_error, sent_at IS NOT NULL AS sent FROM mail_outbox",
            ))
            .await
            .expect("query")
            .expect("one row");
        let attempts: i32 = row.try_get("", "attempts").expect("attempts");
        let sent: bool = row.try_get("", "sent").expect("sent");
        (
            i64::from(attempts),
            row.try_get("", "last_error").expect("last_error"),
            sent,
        )
    }
}

async fn a_mail_queued_while_smtp_is_down_is_sent_once_it_is_back(f: Fixture) {
    let mailer = Arc::new(RecordingMailer::default());
    mailer.down.store(true, Ordering::SeqCst);
    f.queue("reset", &"a".repeat(64)).await;
    let worker = f.worker(mailer.clone());
    assert_eq!(worker.run_once().await.expect("round"), 0);
    let (attempts, error, sent) = f.row().await;
    assert_eq!((attempts, sent), (1, false));
    assert!(
        error
            .expect("last error kept")
            .contains("connection refused")
    );
    assert_eq!(f.outbox.pending().await.expect("pending"), 1);
    // Not due again before the backoff has passed.
    assert_eq!(worker.run_once().await.expect("round"), 0);
    assert_eq!(mailer.refused.load(Ordering::SeqCst), 1);
    f.clock.advance(TimeDelta::seconds(5));
    assert_eq!(worker.run_once().await.expect("round"), 0);
    assert_eq!(mailer.refused.load(Ordering::SeqCst), 2);
    assert_eq!(f.row().await.0, 2);
    // The server is back: the next due round sends it, once.
    mailer.down.store(false, Ordering::SeqCst);
    f.clock.advance(TimeDelta::seconds(9));
    assert_eq!(
        worker.run_once().await.expect("round"),
        0,
        "backoff doubled"
    );
    f.clock.advance(TimeDelta::seconds(1));
    assert_eq!(worker.run_once().await.expect("round"), 1);
    f.clock.advance(TimeDelta::hours(2));
    assert_eq!(worker.run_once().await.expect("round"), 0);
    assert_eq!(
        mailer.delivered.lock().expect("lock").get("reset"),
        Some(&1)
    );
    let (attempts, _, sent) = f.row().await;
    assert_eq!((attempts, sent), (3, true));
    assert_eq!(f.outbox.pending().await.expect("pending"), 0);
}

async fn two_workers_on_one_database_send_each_mail_once(f: Fixture) {
    for i in 0..60 {
        f.queue(&format!("mail {i}"), &format!("{i:064x}")).await;
    }
    let mailer = Arc::new(RecordingMailer::default());
    let (one, two) = (f.worker(mailer.clone()), f.worker(mailer.clone()));
    let (a, b) = tokio::join!(
        tokio::spawn(async move { one.run_once().await }),
        tokio::spawn(async move { two.run_once().await })
    );
    let sent = a.expect("join").expect("round") + b.expect("join").expect("round");
    assert_eq!(sent, 60);
    let delivered = mailer.delivered.lock().expect("lock").clone();
    assert_eq!(delivered.len(), 60);
    assert!(delivered.values().all(|&n| n == 1), "{delivered:?}");
}

async fn a_reset_token_works_once_and_only_its_hash_is_stored(f: Fixture) {
    let hash = "b".repeat(64);
    f.queue("reset", &hash).await;
    let stored =
        f.db.query_one_raw(Statement::from_string(
            f.db.get_database_backend(),
            "SELECT token_hash FROM email_tokens",
        ))
        .await
        .expect("query")
        .expect("row");
    let stored: String = stored.try_get("", "token_hash").expect("hash");
    assert_eq!(stored, hash);
    let token = TokenHash(hash);
    let new_hash = PasswordHash::new("$argon2id$new");
    let now = f.clock.now();
    let first = f
        .tokens
        .reset_password(&token, new_hash.clone(), now)
        .await
        .expect("reset");
    assert_eq!(first.map(|(user, _)| user), Some(f.user));
    let again = f
        .tokens
        .reset_password(&token, new_hash, now)
        .await
        .expect("reset");
    assert!(again.is_none(), "a spent token is refused");
}

async fn an_expired_token_is_refused(f: Fixture) {
    let hash = "c".repeat(64);
    f.queue("reset", &hash).await;
    f.clock.advance(TimeDelta::hours(1));
    let result = f
        .tokens
        .reset_password(
            &TokenHash(hash),
            PasswordHash::new("$argon2id$new"),
            f.clock.now(),
        )
        .await
        .expect("reset");
    assert!(result.is_none());
}

macro_rules! both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use confab_infrastructure::testing::ScratchDatabase;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::fixture(ScratchDatabase::sqlite("confab-outbox-")).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(scratch) =
                    ScratchDatabase::postgres_from_env(stringify!($name), "confab_outbox_").await
                {
                    super::$name(super::fixture(scratch).await).await;
                }
            }
        }
    )+};
}

both_databases!(
    a_mail_queued_while_smtp_is_down_is_sent_once_it_is_back,
    two_workers_on_one_database_send_each_mail_once,
    a_reset_token_works_once_and_only_its_hash_is_stored,
    an_expired_token_is_refused,
);
