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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use confab_domain::Email;
    use lettre::Address;

    use super::*;

    /// Addresses at the edges of what people type and what lettre takes: quoted and
    /// odd local parts, IP literals, unusual domains, non-ASCII, lengths.
    fn tricky_addresses() -> Vec<String> {
        let mut addresses: Vec<String> = [
            "alice@example.com",
            "Alice.Smith+tag@Example.COM",
            "o'brien@example.ie",
            "a!#$%&'*+-/=?^_`{|}~z@example.com",
            "user@sub-domain.example.co.uk",
            "x@1.2.3.4",
            "xn--bcher-kva@xn--bcher-kva.example",
            "jörg@example.de",
            "用户@example.com",
            "😀@example.com",
            "a@bücher.de",
            "a@☃.com",
            "a..b@example.com",
            ".alice@example.com",
            "alice.@example.com",
            "\"alice\"@example.com",
            "\"a,b\"@example.com",
            "\"a\\\"b\"@example.com",
            "a(comment)@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a:b@example.com",
            "a<b>@example.com",
            "a[b]@example.com",
            "a\\b@example.com",
            "a\"b@example.com",
            "alice@[127.0.0.1]",
            "alice@[IPv6:::1].x",
            "alice@[1.2.3.4].example",
            "alice@-example.com",
            "alice@example-.com",
            "alice@exa_mple.com",
            "alice@exa(mple).com",
            "alice@example..com",
            "alice@exa!mple.com",
            "alice@example.com-",
            "alice@a.-b.com",
        ]
        .map(String::from)
        .to_vec();
        for n in [63, 64] {
            addresses.push(format!("{}@example.com", "a".repeat(n)));
        }
        for n in [63, 64, 65] {
            addresses.push(format!("alice@{}.com", "b".repeat(n)));
        }
        // Local parts over 64 bytes are the one known gap (confab_domain::address):
        // taken, though lettre refuses them.
        addresses
    }

    #[test]
    fn every_address_the_domain_accepts_lettre_accepts_too() {
        let from: Mailbox = "confab <noreply@example.com>".parse().expect("sender");
        let mut accepted = 0;
        let mut refused = Vec::new();
        for address in tricky_addresses() {
            let Ok(email) = Email::parse(address.clone()) else {
                continue;
            };
            accepted += 1;
            if let Err(error) = Address::from_str(email.as_str()) {
                refused.push(format!("{address:?}: Address: {error}"));
            }
            let mail = OutgoingMail {
                to: email,
                subject: "subject".to_owned(),
                text: "text".to_owned(),
                html: "<p>html</p>".to_owned(),
            };
            // What the mailers do: the recipient parsed as a mailbox, the message built.
            if let Err(error) = mime(&from, &mail) {
                refused.push(format!("{address:?}: mailbox: {}", error.0));
            }
        }
        assert!(
            refused.is_empty(),
            "accepted by Email::parse, refused by lettre:\n{}",
            refused.join("\n")
        );
        // Not vacuous: the ordinary and the internationalized ones get through.
        assert!(accepted >= 8, "only {accepted} accepted");
    }
}
