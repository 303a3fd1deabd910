//! The shape of an email address confab takes: one its mailer can send to.
//!
//! Addresses are checked when they come in because a mail to an address the mailer
//! refuses is only found out later, by the outbox, which retries it and gives up: the
//! user never gets the mail and is never told why. The rule is the common ground of
//! RFC 5321 and what the mail library in confab-infrastructure (lettre) parses, stated
//! here so the domain depends on no mail library; the infrastructure crate's tests
//! check a list of tricky addresses against lettre itself.
//!
//! - **Local part** (before the `@`): a dot-atom, that is atoms separated by single
//!   dots, with no dot first or last; an atom is ASCII letters and digits,
//!   [`ATOM_SPECIALS`], and any character beyond ASCII (RFC 6531; sending to those
//!   needs a relay with SMTPUTF8). No length of its own beyond the address's: RFC
//!   5321 lets relays refuse local parts over 64 bytes, and lettre does, but the
//!   API's schema must say exactly what the server takes and no pattern can count
//!   bytes of a dot-atom, so such an address (none is known in use) is taken and
//!   its mail fails in the outbox.
//!   Quoted local parts (`"a b"@…`) are refused: lettre drops the quotes and then
//!   refuses what they protected.
//! - **Domain**: a host name of at least two labels; a label is ASCII letters, digits
//!   and hyphens, not first or last, at most [`LABEL_MAX_BYTES`]. IP literals
//!   (`[127.0.0.1]`) are refused (lettre cannot parse them in a mailbox), and so are
//!   internationalized domains unless written in their ASCII form (`xn--…`), which
//!   every relay takes.

/// The ASCII characters besides letters and digits an atom of a local part may hold
/// (RFC 5322 `atext`).
pub const ATOM_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// The longest label of a domain, in bytes (RFC 1035).
pub const LABEL_MAX_BYTES: usize = 63;

/// Whether `c` may appear in an atom of a local part.
pub fn is_atom_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ATOM_SPECIALS.contains(c) || !c.is_ascii()
}

/// Whether `local` is a local part confab takes (see the module's rule). White space
/// and control characters are refused before this is asked.
pub fn is_local_part(local: &str) -> bool {
    local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(is_atom_char))
}

/// Whether `domain` is a host name of at least two labels (see the module's rule).
pub fn is_domain(domain: &str) -> bool {
    let mut labels = 0;
    for label in domain.split('.') {
        let well_formed = (1..=LABEL_MAX_BYTES).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !well_formed {
            return false;
        }
        labels += 1;
    }
    labels >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_are_dot_atoms() {
        for good in [
            "alice",
            "Alice.Smith+tag",
            "o'brien",
            "a!#$%&'*+-/=?^_`{|}~z",
            "jörg",
            "用户",
            &"a".repeat(64),
            &"é".repeat(33),
        ] {
            assert!(is_local_part(good), "{good}");
        }
        for bad in [
            "",
            ".alice",
            "alice.",
            "a..b",
            "\"alice\"",
            "a(b)",
            "a,b",
            "a;b",
            "a:b",
            "a<b>",
            "a[b]",
            "a\\b",
            "a@b",
        ] {
            assert!(!is_local_part(bad), "{bad}");
        }
    }

    #[test]
    fn domains_are_host_names_of_two_labels_or_more() {
        for good in [
            "example.com",
            "sub-domain.example.co.uk",
            "1.2.3.4",
            "xn--bcher-kva.example",
            &format!("{}.com", "b".repeat(63)),
        ] {
            assert!(is_domain(good), "{good}");
        }
        for bad in [
            "com",
            "example..com",
            ".example.com",
            "example.com.",
            "-example.com",
            "example-.com",
            "exa_mple.com",
            "exa(mple).com",
            "[127.0.0.1]",
            "bücher.de",
            &format!("{}.com", "b".repeat(64)),
        ] {
            assert!(!is_domain(bad), "{bad}");
        }
    }
}
