//! Quoting client input in error messages: at most 64 characters of it, so no
//! refusal mirrors a large payload back to the client (or into the logs).

use std::borrow::Cow;

/// The most characters of client input an error message repeats.
pub const MAX_ECHOED_CHARS: usize = 64;

/// `input` as an error message may quote it: whole when it has at most
/// [`MAX_ECHOED_CHARS`] characters, else its first ones followed by `…`.
pub fn echo(input: &str) -> Cow<'_, str> {
    match input.char_indices().nth(MAX_ECHOED_CHARS) {
        None => Cow::Borrowed(input),
        Some((cut, _)) => Cow::Owned(format!("{}…", &input[..cut])),
    }
}

/// Whether `input` is short enough to be repeated whole.
pub fn fits_echo(input: &str) -> bool {
    input.chars().nth(MAX_ECHOED_CHARS).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_cut_to_64_characters() {
        assert_eq!(echo("short"), "short");
        let exact = "é".repeat(64);
        assert_eq!(echo(&exact), exact.as_str());
        assert!(fits_echo(&exact));
        let long = "é".repeat(65);
        assert_eq!(echo(&long), format!("{}…", "é".repeat(64)));
        assert!(!fits_echo(&long));
    }
}
