//! The patterns agree with the domain: every class holds exactly the characters the
//! rule allows, and every pattern accepts exactly the samples the value object does.

use confab_domain::text::is_visible;
use confab_domain::{
    Bio, ChatName, ClientMessageId, DeviceName, DisplayName, Email, Location, LoginIdentifier,
    MessageBody, SearchPrefix,
};
use regex::Regex;

use super::*;

fn full(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("a valid pattern")
}

/// Characters at and around every range edge of every table, plus a few ordinary ones.
fn edge_chars() -> Vec<char> {
    let tables: [&[RangeInclusive<char>]; 4] = [&CONTROL, &SPACE, &BIDI_OVERRIDE, &INVISIBLE];
    let edges = tables
        .iter()
        .flat_map(|table| table.iter())
        .flat_map(|range| {
            let (start, end) = (u32::from(*range.start()), u32::from(*range.end()));
            [start.saturating_sub(1), start, end, end + 1]
        });
    let ordinary = [
        'a',
        'Z',
        '0',
        '@',
        '.',
        'é',
        'ß',
        '中',
        '\u{1f980}',
        '\u{10ffff}',
    ];
    edges
        .filter_map(char::from_u32)
        .chain(ordinary)
        .chain(BODY_CONTROL_ALLOWED)
        .collect()
}

#[test]
fn every_class_holds_exactly_the_characters_of_its_rule() {
    let control = |c: char| c.is_control();
    let is_space = |c: char| c.is_whitespace() && !c.is_control();
    let bidi = |c: char| BIDI_OVERRIDE.iter().any(|r| r.contains(&c));
    let classes: [(String, &dyn Fn(char) -> bool); 5] = [
        (space(), &is_space),
        (plain_char(), &|c| !control(c)),
        (solid_char(), &|c| !control(c) && !is_space(c)),
        (visible_char(), &visible_in_pattern),
        (
            class(
                &without(ranges(&[&CONTROL]), &BODY_CONTROL_ALLOWED),
                true,
                "",
            ),
            &|c| !control(c) || BODY_CONTROL_ALLOWED.contains(&c),
        ),
    ];
    for (pattern, allowed) in &classes {
        let regex = full(pattern);
        for c in edge_chars() {
            assert_eq!(
                regex.is_match(&c.to_string()),
                allowed(c),
                "{c:?} in {pattern}"
            );
        }
    }
    let name_edge = full(&class(
        &ranges(&[&CONTROL, &SPACE, &BIDI_OVERRIDE]),
        true,
        "",
    ));
    for c in edge_chars() {
        let allowed = !control(c) && !is_space(c) && !bidi(c);
        assert_eq!(name_edge.is_match(&c.to_string()), allowed, "{c:?}");
    }
}

/// What a name's pattern counts as visible: what the domain does, and every
/// character beyond U+FFFF (the patterns name none; see the module comment).
fn visible_in_pattern(c: char) -> bool {
    is_visible(c) || u32::from(c) > 0xFFFF
}

/// Every string of up to three characters over an alphabet of the interesting cases.
fn short_samples() -> Vec<String> {
    let alphabet = [
        'a',
        ' ',
        '\u{a0}',
        '\u{3000}',
        '\t',
        '\n',
        '\r',
        '\u{0}',
        '\u{7f}',
        '\u{85}',
        '\u{200b}',
        '\u{feff}',
        '\u{202e}',
        '\u{2066}',
        '\u{e0041}',
        '@',
        '.',
        '\u{1f980}',
    ];
    let mut samples = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..3 {
        last = last
            .iter()
            .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
            .collect();
        samples.extend(last.iter().cloned());
    }
    samples
}

fn assert_agrees(pattern: &str, samples: &[String], domain: impl Fn(&str) -> bool) {
    let regex = full(pattern);
    for sample in samples {
        assert_eq!(
            regex.is_match(sample),
            domain(sample),
            "{sample:?} against {pattern}"
        );
    }
}

#[test]
fn text_patterns_accept_exactly_what_the_domain_accepts() {
    let mut samples = short_samples();
    for n in [63, 64, 65, 99, 100, 101, 253, 254, 255, 499, 500, 501] {
        samples.push("x".repeat(n));
        samples.push(format!(" {} ", "é".repeat(n)));
    }
    assert_agrees(&trimmed_plain(0, 500), &samples, |s| Bio::parse(s).is_ok());
    assert_agrees(&trimmed_plain(0, 100), &samples, |s| {
        Location::parse(s).is_ok()
    });
    assert_agrees(&trimmed_plain(1, 254), &samples, |s| {
        LoginIdentifier::parse(s).is_ok()
    });
    assert_agrees(&trimmed_plain(1, 64), &samples, |s| {
        SearchPrefix::parse(s).is_ok()
    });
    // `minLength` / `maxLength` carry the length of these two; the pattern the rest.
    let within = |max: usize| -> Vec<String> {
        let fits = |s: &&String| (1..=max).contains(&s.chars().count());
        samples.iter().filter(fits).cloned().collect()
    };
    assert_agrees(&plain(), &within(ClientMessageId::MAX_LEN), |s| {
        ClientMessageId::parse(s).is_ok()
    });
    assert_agrees(&body(), &within(MessageBody::MAX_LEN), |s| {
        MessageBody::parse(s).is_ok()
    });
}

#[test]
fn name_patterns_accept_exactly_what_the_domain_accepts() {
    let mut samples = short_samples();
    for n in [63, 64, 65, 99, 100, 101] {
        samples.push("\u{200b}".repeat(n));
        samples.push(format!("\u{200b}{}a ", " ".repeat(n)));
        samples.push(format!(" {} ", "n".repeat(n)));
    }
    for (max, domain) in [
        (
            64,
            &(|s: &str| DisplayName::parse(s).is_ok()) as &dyn Fn(&str) -> bool,
        ),
        (64, &|s: &str| DeviceName::parse(s).is_ok()),
        (100, &|s: &str| ChatName::parse(s).is_ok()),
    ] {
        // The regex crate reads no lookahead: its meaning, "one visible character
        // somewhere", is checked beside the anchored shape.
        let (visible, shape) = name_parts(max);
        let (visible, shape) = (Regex::new(&visible).expect("class"), full(&shape));
        for sample in &samples {
            let matches = shape.is_match(sample) && visible.is_match(sample);
            let expected = if sample.chars().any(|c| u32::from(c) > 0xFFFF) {
                // Never stricter than the domain; looser only by counting the
                // default-ignorables beyond U+FFFF as visible.
                shape.is_match(sample) && sample.chars().any(visible_in_pattern)
            } else {
                domain(sample)
            };
            assert_eq!(matches, expected, "{sample:?} as a name of {max}");
            assert!(!domain(sample) || matches, "{sample:?} as a name of {max}");
        }
        assert_eq!(
            name(max),
            format!(
                "^(?=[\\s\\S]*{}){}",
                visible_char(),
                &name_parts(max).1[1..]
            )
        );
    }
}

#[test]
fn email_pattern_accepts_exactly_what_the_domain_accepts() {
    let parts = [
        "", "a", " ", "\u{a0}", "\t", "\u{0}", "@", ".", "é", "\u{85}",
    ];
    let mut samples = Vec::new();
    for x in parts {
        for y in parts {
            samples.push(format!("{x}al{y}ice@example.com"));
            samples.push(format!("alice@ex{x}ample.c{y}om"));
            samples.push(format!("{x}alice@example.com{y}"));
            samples.push(format!("{x}a@b{y}.c"));
        }
    }
    // The shape of `confab_domain::address`: dot-atoms, specials, host names, labels
    // of 63 and 64 characters.
    for odd in [
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a.b@example.com",
        "a!#$%&'*+-/=?^_`{|}~z@example.com",
        "\"alice\"@example.com",
        "a(b)@example.com",
        "a,b@example.com",
        "a:b@example.com",
        "a;b@example.com",
        "a<b>@example.com",
        "a[b]@example.com",
        "a\\b@example.com",
        "用户@example.com",
        "😀@example.com",
        "alice@[127.0.0.1]",
        "alice@1.2.3.4",
        "alice@-example.com",
        "alice@example-.com",
        "alice@ex-ample.com",
        "alice@exa_mple.com",
        "alice@example..com",
        "alice@bücher.de",
        "alice@xn--bcher-kva.de",
        "alice@example",
    ] {
        samples.push(odd.to_owned());
    }
    for n in [62, 63, 64] {
        samples.push(format!("alice@{}.com", "b".repeat(n)));
        samples.push(format!("alice@a{}a.com", "-".repeat(n - 2)));
    }
    // Local parts of 64 characters and more, some over 64 bytes: the pattern cannot
    // count bytes, so the server takes them too (schemathesis found the disagreement
    // with a 69-byte local part).
    for n in [64, 65, 100] {
        samples.push(format!("{}@example.com", "a".repeat(n)));
        samples.push(format!("{}@example.com", "é".repeat(n)));
    }
    samples.push("²·Ńň×£E𪸔/ĺ🏻ĝ.×þm0.$@w.Rhrn.0y.LkhTQ0XiKEmL".to_owned());
    assert_agrees(&email(), &samples, |s| Email::parse(s).is_ok());
}

#[test]
fn no_pattern_names_a_character_beyond_the_basic_multilingual_plane() {
    for pattern in [
        name(64),
        name(100),
        trimmed_plain(0, 500),
        plain(),
        body(),
        email(),
    ] {
        assert!(
            pattern.is_ascii(),
            "only ASCII, escapes for the rest: {pattern}"
        );
    }
}
