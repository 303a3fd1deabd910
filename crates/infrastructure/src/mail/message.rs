//! A rendered mail as a MIME message (text and HTML alternatives).

use confab_application::ports::{MailError, OutgoingMail};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

/// The mail as a `multipart/alternative` message from `from`.
pub(super) fn mime(from: &Mailbox, mail: &OutgoingMail) -> Result<Message, MailError> {
    let to: Mailbox = mail
        .to
        .as_str()
        .parse()
        .map_err(|error| MailError(Box::new(error)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|error| MailError(Box::new(error)))
}
