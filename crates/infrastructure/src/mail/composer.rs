//! Account mails from templates compiled into the binary: plain text and HTML (the
//! HTML escaped by askama), with the product name, the link to the public URL and
//! its expiry in words.

use askama::Template;
use confab_application::email::{RESET_TTL, VERIFY_TTL};
use confab_application::ports::{MailComposer, MailContent, OutgoingMail};
use confab_domain::Email;

/// The product name mails sign with.
const PRODUCT: &str = "confab";

/// A link in a mail.
struct Link {
    url: String,
    label: &'static str,
    expires: String,
}

#[derive(Template)]
#[template(path = "mail/mail.txt", escape = "none")]
struct TextMail<'a> {
    username: &'a str,
    lines: &'a [String],
    link: &'a Option<Link>,
    product: &'a str,
}

#[derive(Template)]
#[template(path = "mail/mail.html", escape = "html")]
struct HtmlMail<'a> {
    subject: &'a str,
    username: &'a str,
    lines: &'a [String],
    link: &'a Option<Link>,
    product: &'a str,
}

/// [`MailComposer`] with confab's templates; links point at `public_url`.
#[derive(Debug, Clone)]
pub struct TemplateComposer {
    public_url: String,
}

impl TemplateComposer {
    /// Links will start with `public_url` (a trailing `/` is dropped).
    pub fn new(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    fn link(&self, page: &str, token: &str, label: &'static str, ttl: chrono::TimeDelta) -> Link {
        self.link_with(page, "token", token, label, ttl)
    }

    fn link_with(
        &self,
        page: &str,
        parameter: &str,
        token: &str,
        label: &'static str,
        ttl: chrono::TimeDelta,
    ) -> Link {
        Link {
            url: format!("{}/{page}?{parameter}={token}", self.public_url),
            label,
            expires: in_words(ttl),
        }
    }
}

/// "7 days", "24 hours", "1 hour", "30 minutes" (days from 48 hours on).
fn in_words(ttl: chrono::TimeDelta) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if ttl.num_hours() >= 48 && ttl.num_minutes() % (24 * 60) == 0 {
        plural(ttl.num_days(), "day")
    } else if ttl.num_hours() >= 1 && ttl.num_minutes() % 60 == 0 {
        plural(ttl.num_hours(), "hour")
    } else {
        plural(ttl.num_minutes(), "minute")
    }
}

impl MailComposer for TemplateComposer {
    fn compose(&self, to: &Email, content: &MailContent) -> OutgoingMail {
        let address = to.to_string();
        let (username, subject, lines, link) = match content {
            MailContent::VerifyAddress { username, token } => (
                username,
                format!("Confirm your email address for {PRODUCT}"),
                vec![format!(
                    "Please confirm that {to} is your address by opening the link below."
                )],
                Some(self.link("verify-email", token, "Confirm my address", VERIFY_TTL)),
            ),
            MailContent::ConfirmNewAddress { username, token } => (
                username,
                format!("Confirm your new email address for {PRODUCT}"),
                vec![format!(
                    "You asked to change your {PRODUCT} address to {to}. It changes once you open the link below."
                )],
                Some(self.link("verify-email", token, "Confirm my new address", VERIFY_TTL)),
            ),
            MailContent::EmailChangeNotice {
                username,
                new_email,
            } => (
                username,
                format!("Your {PRODUCT} email address is being changed"),
                vec![
                    format!("Someone signed in to your {PRODUCT} account asked to change its address from {to} to {new_email}."),
                    "Nothing changes until the new address is confirmed. If you did not ask for this, change your password now.".to_owned(),
                ],
                None,
            ),
            MailContent::ResetPassword { username, token } => (
                username,
                format!("Reset your {PRODUCT} password"),
                vec![
                    "Someone asked to reset the password of your account. Open the link below to choose a new one.".to_owned(),
                    "Resetting it signs you out on every device.".to_owned(),
                ],
                Some(self.link("reset-password", token, "Choose a new password", RESET_TTL)),
            ),
            // The greeting names the address: the account does not exist yet.
            MailContent::Invite {
                inviter,
                token,
                lasts,
            } => (
                &address,
                format!("You are invited to {PRODUCT}"),
                vec![
                    format!("{inviter} invited you to create an account on {PRODUCT}. Open the link below to choose your username and password."),
                ],
                Some(self.link_with("register", "invite", token, "Create my account", *lasts)),
            ),
        };
        let text = TextMail {
            username,
            lines: &lines,
            link: &link,
            product: PRODUCT,
        };
        let html = HtmlMail {
            subject: &subject,
            username,
            lines: &lines,
            link: &link,
            product: PRODUCT,
        };
        OutgoingMail {
            to: to.clone(),
            // Rendering only fails for a failing writer; a String never fails.
            text: text.render().unwrap_or_default(),
            html: html.render().unwrap_or_default(),
            subject,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Email {
        Email::parse("alice@example.com").expect("valid")
    }

    #[test]
    fn a_reset_mail_links_to_the_public_url_and_says_when_it_expires() {
        let composer = TemplateComposer::new("https://chat.example.com/");
        let mail = composer.compose(
            &to(),
            &MailContent::ResetPassword {
                username: "alice".into(),
                token: "abc123".into(),
            },
        );
        let link = "https://chat.example.com/reset-password?token=abc123";
        assert!(mail.text.contains(link), "{}", mail.text);
        assert!(mail.text.contains("expires in 1 hour"), "{}", mail.text);
        assert!(
            mail.html.contains(&format!("href=\"{link}\"")),
            "{}",
            mail.html
        );
        assert!(mail.subject.contains("confab"));
        assert!(mail.text.contains("confab"));
    }

    #[test]
    fn a_verification_link_lasts_24_hours_and_html_is_escaped() {
        let composer = TemplateComposer::new("http://127.0.0.1:8080");
        let mail = composer.compose(
            &to(),
            &MailContent::VerifyAddress {
                username: "<b>al</b>".into(),
                token: "t".into(),
            },
        );
        assert!(mail.text.contains("expires in 24 hours"));
        assert!(
            mail.text
                .contains("http://127.0.0.1:8080/verify-email?token=t")
        );
        assert!(!mail.html.contains("<b>al</b>"), "{}", mail.html);
        assert!(mail.html.contains("&#60;b&#62;al") || mail.html.contains("&lt;b&gt;al"));
    }

    #[test]
    fn the_change_notice_names_both_addresses_and_has_no_link() {
        let mail = TemplateComposer::new("http://x").compose(
            &to(),
            &MailContent::EmailChangeNotice {
                username: "alice".into(),
                new_email: "new@example.com".into(),
            },
        );
        assert!(mail.text.contains("alice@example.com"));
        assert!(mail.text.contains("new@example.com"));
        assert!(!mail.text.contains("token="));
    }

    #[test]
    fn an_invite_links_to_registration_with_its_token_and_lifetime() {
        let mail = TemplateComposer::new("https://chat.example.com").compose(
            &to(),
            &MailContent::Invite {
                inviter: "root".into(),
                token: "tok".into(),
                lasts: chrono::TimeDelta::days(7),
            },
        );
        let link = "https://chat.example.com/register?invite=tok";
        assert!(mail.text.contains(link), "{}", mail.text);
        assert!(mail.text.contains("expires in 7 days"), "{}", mail.text);
        assert!(mail.text.contains("root invited you"), "{}", mail.text);
        assert!(
            mail.html.contains(&format!("href=\"{link}\"")),
            "{}",
            mail.html
        );
    }

    #[test]
    fn expiry_reads_in_words() {
        assert_eq!(in_words(chrono::TimeDelta::hours(48)), "2 days");
        assert_eq!(in_words(chrono::TimeDelta::hours(50)), "50 hours");
        assert_eq!(in_words(chrono::TimeDelta::hours(24)), "24 hours");
        assert_eq!(in_words(chrono::TimeDelta::hours(1)), "1 hour");
        assert_eq!(in_words(chrono::TimeDelta::minutes(30)), "30 minutes");
    }
}
