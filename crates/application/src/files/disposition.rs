//! `Content-Disposition` (RFC 6266): images are shown inline, everything else is
//! downloaded, under its display name in both the plain and the RFC 8187 form.

use std::fmt::Write as _;

use confab_domain::Upload;

/// The whole header value for `upload`.
pub fn content_disposition(upload: &Upload) -> String {
    let kind = if upload.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let name = upload.filename.as_str();
    format!(
        "{kind}; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(name),
        percent_encoded(name)
    )
}

/// The name for clients that ignore `filename*`: non-ASCII and the characters
/// that end or escape a quoted string become `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 8187 `value-chars`: `attr-char`s as they are, every other byte as `%XX`.
fn percent_encoded(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely_and_encoded() {
        assert_eq!(ascii_fallback("a \"b\"\\ü.txt"), "a _b___.txt");
        assert_eq!(percent_encoded("ü b.txt"), "%C3%BC%20b.txt");
    }
}
