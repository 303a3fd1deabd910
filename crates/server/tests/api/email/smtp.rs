//! Against a real SMTP server over TCP (aiosmtpd, from pip): a mail queued while the
//! server is down arrives once it is up, and its link works once. Skipped, saying
//! so, when aiosmtpd is not installed (`CONFAB_TEST_PYTHON` names the Python that
//! has it; CI points it at `.venv`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use serde_json::json;

use super::ReadMail;
use crate::helpers::{TestApp, TestConfig, assert_error, spawn_app_with, spawn_postgres_app_with};

/// The Python that has aiosmtpd, or `None`.
fn python_with_aiosmtpd() -> Option<String> {
    let python = std::env::var("CONFAB_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let found = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    found.then_some(python)
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port()
}

/// aiosmtpd writing every mail it receives into a maildir; killed on drop.
struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(python: &str, port: u16) -> Self {
        let maildir = std::env::temp_dir().join(format!("confab-smtp-{}", uuid::Uuid::now_v7()));
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, maildir }
    }

    fn mails(&self) -> Vec<ReadMail> {
        read_dir_sorted(&self.maildir.join("new"))
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn read_dir_sorted(dir: &Path) -> Vec<ReadMail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|raw| ReadMail { raw })
        .collect()
}

async fn a_mail_waits_out_an_smtp_outage_then_its_link_works_once(
    app: TestApp,
    python: &str,
    port: u16,
) {
    // SMTP is down: registration still succeeds at once, and the mail waits.
    let started = Instant::now();
    let alice = app.register("alice").await;
    assert!(started.elapsed() < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let smtp = SmtpServer::start(python, port);
    // The first retry is due 5 s after the failed attempt.
    app.clock.advance(TimeDelta::seconds(6));
    let deadline = Instant::now() + Duration::from_secs(15);
    let mails = loop {
        let mails = smtp.mails();
        if !mails.is_empty() {
            break mails;
        }
        assert!(
            Instant::now() < deadline,
            "the mail never arrived over SMTP"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mail = &mails[0];
    assert!(mail.is_to("alice@example.com"), "{}", mail.raw);
    assert!(mail.raw.contains("multipart/alternative"), "{}", mail.raw);
    let token = mail.token("verify-email");
    let confirmed = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_eq!(confirmed.status(), 200);
    let again = app
        .post("/api/v1/auth/email/confirm", None, &json!({"token": token}))
        .await;
    assert_error(again, 400, "invalid_token").await;
    assert_eq!(app.me(&alice.access).await["email_verified"], true);
    // Exactly once: later rounds send nothing more.
    app.clock.advance(TimeDelta::hours(1));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.mails().len(), 1);
}

fn smtp_config(port: u16) -> TestConfig {
    TestConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..TestConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_outage_then_link_works_once_sqlite() {
    let Some(python) = python_with_aiosmtpd() else {
        eprintln!("SKIPPED smtp test: aiosmtpd is not installed (pip install aiosmtpd)");
        return;
    };
    let port = free_port();
    let app = spawn_app_with(smtp_config(port)).await;
    a_mail_waits_out_an_smtp_outage_then_its_link_works_once(app, &python, port).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_outage_then_link_works_once_postgres() {
    let Some(python) = python_with_aiosmtpd() else {
        eprintln!("SKIPPED smtp test: aiosmtpd is not installed (pip install aiosmtpd)");
        return;
    };
    let port = free_port();
    let Some(app) = spawn_postgres_app_with("smtp_outage", smtp_config(port)).await else {
        return;
    };
    a_mail_waits_out_an_smtp_outage_then_its_link_works_once(app, &python, port).await;
}
