//! The character rules of every stored or searched text: no control characters
//! (message bodies may keep line breaks and tabs), and names that cannot hide or
//! reorder what is shown around them.
//!
//! The tables are public so the HTTP edge can document the same rules in its schema
//! patterns from the one source.

use std::ops::RangeInclusive;

use crate::error::ValueError;

/// The control characters (Unicode general category `Cc`): C0 (U+0000–U+001F),
/// DEL (U+007F) and C1 (U+0080–U+009F). PostgreSQL cannot store U+0000 at all; the
/// others garble terminals and logs.
pub const CONTROL: [RangeInclusive<char>; 2] = ['\u{0}'..='\u{1f}', '\u{7f}'..='\u{9f}'];

/// The control characters a message body may hold: tab, line feed, carriage return.
pub const BODY_CONTROL_ALLOWED: [char; 3] = ['\t', '\n', '\r'];

/// The bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): in a name they reorder the text shown after it ("Trojan Source").
pub const BIDI_OVERRIDE: [RangeInclusive<char>; 2] =
    ['\u{202a}'..='\u{202e}', '\u{2066}'..='\u{2069}'];

/// White space that is not a control character (Unicode `White_Space` without
/// `Cc`): what trimming removes besides the control characters a field refuses.
pub const SPACE: [RangeInclusive<char>; 8] = [
    ' '..=' ',
    '\u{a0}'..='\u{a0}',
    '\u{1680}'..='\u{1680}',
    '\u{2000}'..='\u{200a}',
    '\u{2028}'..='\u{2029}',
    '\u{202f}'..='\u{202f}',
    '\u{205f}'..='\u{205f}',
    '\u{3000}'..='\u{3000}',
];

/// Characters that draw nothing: Unicode's `Default_Ignorable_Code_Point` set
/// (zero-width space and joiners, word joiner, byte-order mark, Hangul fillers,
/// variation selectors, tags, …). A name needs one character outside this set and
/// outside white space.
pub const INVISIBLE: [RangeInclusive<char>; 17] = [
    '\u{ad}'..='\u{ad}',
    '\u{34f}'..='\u{34f}',
    '\u{61c}'..='\u{61c}',
    '\u{115f}'..='\u{1160}',
    '\u{17b4}'..='\u{17b5}',
    '\u{180b}'..='\u{180f}',
    '\u{200b}'..='\u{200f}',
    '\u{202a}'..='\u{202e}',
    '\u{2060}'..='\u{206f}',
    '\u{3164}'..='\u{3164}',
    '\u{fe00}'..='\u{fe0f}',
    '\u{feff}'..='\u{feff}',
    '\u{ffa0}'..='\u{ffa0}',
    '\u{fff0}'..='\u{fff8}',
    '\u{1bca0}'..='\u{1bca3}',
    '\u{1d173}'..='\u{1d17a}',
    '\u{e0000}'..='\u{e0fff}',
];

fn in_any(c: char, ranges: &[RangeInclusive<char>]) -> bool {
    ranges.iter().any(|range| range.contains(&c))
}

/// Whether `c` shows something: not white space, not a control character, not
/// default-ignorable.
pub fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !in_any(c, &CONTROL) && !in_any(c, &INVISIBLE)
}

/// Which character rule a text field follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRule {
    /// No control character at all: every stored or searched string but message
    /// bodies and passwords.
    Plain,
    /// No control character but tab, line feed and carriage return: message bodies.
    Multiline,
    /// Plain, no bidi override, and at least one visible character: display names,
    /// group names, device names.
    Name,
}

impl TextRule {
    /// Checks `text` (the raw input, before any trimming) against the rule.
    pub(crate) fn check(self, text: &str) -> Result<(), ValueError> {
        let allowed_control =
            |c: char| self == Self::Multiline && BODY_CONTROL_ALLOWED.contains(&c);
        if let Some(found) = text
            .chars()
            .find(|&c| in_any(c, &CONTROL) && !allowed_control(c))
        {
            return Err(ValueError::ControlCharacter { found });
        }
        if self != Self::Name {
            return Ok(());
        }
        if let Some(found) = text.chars().find(|&c| in_any(c, &BIDI_OVERRIDE)) {
            return Err(ValueError::BidiOverride { found });
        }
        if text.chars().any(is_visible) {
            Ok(())
        } else {
            Err(ValueError::NothingVisible)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_refuses_every_control_character() {
        for bad in [
            "\u{0}",
            "a\u{1}",
            "tab\there",
            "line\n",
            "\u{1b}[0m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
        ] {
            assert!(
                matches!(
                    TextRule::Plain.check(bad),
                    Err(ValueError::ControlCharacter { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            TextRule::Plain.check("ab\u{0}c\u{1}"),
            Err(ValueError::ControlCharacter { found: '\u{0}' })
        );
        for good in [
            "",
            "Zoë 🦀",
            "\u{a0}\u{a0}",
            "\u{2028}",
            "\u{a0}",
            "\u{200b}",
        ] {
            assert_eq!(TextRule::Plain.check(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn multiline_text_keeps_line_breaks_and_tabs_only() {
        assert_eq!(TextRule::Multiline.check("one\r\ntwo\n\tthree"), Ok(()));
        for bad in [
            "\u{0}",
            "bell\u{7}",
            "\u{b}",
            "\u{c}",
            "\u{1b}",
            "\u{7f}",
            "\u{9b}",
        ] {
            assert!(TextRule::Multiline.check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_need_something_visible_and_no_bidi_override() {
        for invisible in [
            "\u{200b}",
            "\u{200c}\u{200d}",
            "\u{2060}",
            "\u{feff}",
            " \u{3164} ",
            "\u{e0041}\u{e0042}",
            "\u{fe0f}",
            "\u{a0}\u{2003}",
        ] {
            assert_eq!(
                TextRule::Name.check(invisible),
                Err(ValueError::NothingVisible),
                "{invisible:?}"
            );
        }
        for bidi in [
            "\u{202a}a",
            "a\u{202b}",
            "\u{202c}",
            "x\u{202d}",
            "evil\u{202e}txt.exe",
            "\u{2066}a\u{2069}",
            "\u{2067}b",
            "\u{2068}c",
        ] {
            assert!(
                matches!(
                    TextRule::Name.check(bidi),
                    Err(ValueError::BidiOverride { .. })
                ),
                "{bidi:?}"
            );
        }
        assert!(matches!(
            TextRule::Name.check("a\u{0}"),
            Err(ValueError::ControlCharacter { .. })
        ));
        // Joiners and marks inside a visible name are needed by emoji and many scripts.
        for good in [
            "a",
            "\u{200b}a",
            "Zoë \u{1f469}\u{200d}\u{1f4bb}",
            "❤\u{fe0f}",
            "می\u{200c}خواهم",
            "\u{5d0}\u{200f}",
        ] {
            assert_eq!(TextRule::Name.check(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn tables_agree_with_the_standard_library() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(in_any(c, &CONTROL), c.is_control(), "{c:?}");
            let space = c.is_whitespace() && !c.is_control();
            assert_eq!(in_any(c, &SPACE), space, "{c:?}");
        }
        assert!(
            BIDI_OVERRIDE
                .iter()
                .flat_map(Clone::clone)
                .all(|c| in_any(c, &INVISIBLE))
        );
    }
}
