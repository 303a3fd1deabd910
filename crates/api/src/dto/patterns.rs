//! The JSON-schema patterns of text fields, built from the domain's character tables
//! ([`confab_domain::text`]), so the spec states exactly the rules the domain applies
//! and schema checkers, fuzzers and generated clients agree with the server.
//!
//! Characters are written `\uXXXX`, which every regex dialect reads alike, and the
//! patterns name no character beyond U+FFFF: no spelling of one means the same
//! everywhere (ECMA-262 without the `u` flag, as Spectral and other JavaScript
//! validators compile patterns, reads a literal one as two UTF-16 units and refuses
//! it in a class range; Python's `re` (schemathesis) does not read `\u{…}`; the
//! regex crate refuses surrogate escapes). The one rule this touches: the
//! default-ignorable characters beyond U+FFFF (U+1BCA0–1BCA3, U+1D173–1D17A,
//! U+E0000–E0FFF) count as visible in a name's pattern, so a name made only of them
//! (and white space) matches the schema and the server refuses it (`422`).

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use confab_domain::address::{ATOM_SPECIALS, LABEL_MAX_BYTES};
use confab_domain::text::{BIDI_OVERRIDE, BODY_CONTROL_ALLOWED, CONTROL, INVISIBLE, SPACE};

/// Code points as sorted, disjoint, non-adjacent inclusive ranges.
type Ranges = Vec<(u32, u32)>;

fn ranges(tables: &[&[RangeInclusive<char>]]) -> Ranges {
    let mut all: Ranges = tables
        .iter()
        .flat_map(|table| table.iter())
        .map(|range| (u32::from(*range.start()), u32::from(*range.end())))
        .collect();
    all.sort_unstable();
    let mut merged: Ranges = Vec::with_capacity(all.len());
    for (start, end) in all {
        match merged.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// `set` without the single characters `holes`.
fn without(set: Ranges, holes: &[char]) -> Ranges {
    holes.iter().fold(set, |set, &hole| {
        let hole = u32::from(hole);
        let mut pieces = Vec::with_capacity(set.len() + 1);
        for (start, end) in set {
            if !(start..=end).contains(&hole) {
                pieces.push((start, end));
                continue;
            }
            if hole > start {
                pieces.push((start, hole - 1));
            }
            if hole < end {
                pieces.push((hole + 1, end));
            }
        }
        pieces
    })
}

fn escaped(code: u32, out: &mut String) {
    let _ = write!(out, "\\u{code:04X}");
}

/// `set` cut to the Basic Multilingual Plane (see the module comment).
fn bmp(set: &Ranges) -> impl Iterator<Item = (u32, u32)> + '_ {
    set.iter()
        .filter(|(start, _)| *start <= 0xFFFF)
        .map(|&(start, end)| (start, end.min(0xFFFF)))
}

/// A character class of `set` (or of everything else, when `negated`), with
/// `extra` literal characters added; characters of `set` beyond U+FFFF are left out
/// of it (so a negated class matches them).
fn class(set: &Ranges, negated: bool, extra: &str) -> String {
    let mut out = String::from(if negated { "[^" } else { "[" });
    out.push_str(extra);
    for (start, end) in bmp(set) {
        escaped(start, &mut out);
        if end > start {
            out.push('-');
            escaped(end, &mut out);
        }
    }
    out.push(']');
    out
}

/// White space that trimming removes (and that is not a control character).
fn space() -> String {
    class(&ranges(&[&SPACE]), false, "")
}

/// Any character but a control character.
fn plain_char() -> String {
    class(&ranges(&[&CONTROL]), true, "")
}

/// Any character but a control character or white space.
fn solid_char() -> String {
    class(&ranges(&[&CONTROL, &SPACE]), true, "")
}

/// `^…$` over `inner`, after optional white space on both sides: a field the domain
/// trims, whose trimmed text starts and ends with `edge` and holds `middle` between.
fn trimmed(min: usize, max: usize, edge: &str, middle: &str) -> String {
    let core = format!("{edge}(?:{middle}{{0,{}}}{edge})?", max.saturating_sub(2));
    let core = if min == 0 {
        format!("(?:{core})?")
    } else {
        core
    };
    let space = space();
    format!("^{space}*{core}{space}*$")
}

/// Free text the domain trims, `min..=max` characters, no control character
/// (bio, location, login, search prefix).
pub(super) fn trimmed_plain(min: usize, max: usize) -> String {
    trimmed(min, max, &solid_char(), &plain_char())
}

/// The visible characters a name needs one of (not white space, control or
/// default-ignorable).
fn visible_char() -> String {
    class(&ranges(&[&CONTROL, &SPACE, &INVISIBLE]), true, "")
}

/// A name of `1..=max` characters after trimming: no control character, no bidi
/// override, at least one visible character (display, group and device names).
pub(super) fn name(max: usize) -> String {
    let (visible, shape) = name_parts(max);
    // The lookahead asks for one visible character anywhere; `shape` is anchored.
    format!("^(?=[\\s\\S]*{visible}){}", &shape[1..])
}

/// The class of visible characters and the anchored pattern of a name's shape.
fn name_parts(max: usize) -> (String, String) {
    let edge = class(&ranges(&[&CONTROL, &SPACE, &BIDI_OVERRIDE]), true, "");
    let middle = class(&ranges(&[&CONTROL, &BIDI_OVERRIDE]), true, "");
    (visible_char(), trimmed(1, max, &edge, &middle))
}

/// Text kept as given with no control character (client message ids).
pub(super) fn plain() -> String {
    format!("^{}*$", plain_char())
}

/// A message body: no control character but tab, line feed and carriage return, and
/// something besides white space.
pub(super) fn body() -> String {
    let any = class(
        &without(ranges(&[&CONTROL]), &BODY_CONTROL_ALLOWED),
        true,
        "",
    );
    format!("^{any}*{}{any}*$", solid_char())
}

/// `local@domain.tld` as [`confab_domain::address`] shapes it, surrounding white space
/// allowed (the domain trims it): a dot-atom local part, then a host name of two
/// labels or more, each at most 63 characters: exactly the server's rule (which has
/// no local-part length of its own, so the schema and the server agree).
pub(super) fn email() -> String {
    // Besides controls and white space, an atom refuses the printable ASCII that is
    // neither a letter, a digit nor one of the atom's specials.
    let mut refused_ascii = String::new();
    for c in ('!'..='~').filter(|c| !c.is_ascii_alphanumeric() && !ATOM_SPECIALS.contains(*c)) {
        escaped(u32::from(c), &mut refused_ascii);
    }
    let atom = class(&ranges(&[&CONTROL, &SPACE]), true, &refused_ascii);
    let label_middle = LABEL_MAX_BYTES - 2;
    let label = format!("[A-Za-z0-9](?:[A-Za-z0-9-]{{0,{label_middle}}}[A-Za-z0-9])?");
    let space = space();
    format!("^{space}*{atom}+(?:\\.{atom}+)*@{label}(?:\\.{label})+{space}*$")
}

#[cfg(test)]
#[path = "patterns_tests.rs"]
mod tests;
