//! Makes untrusted text safe to show on a terminal.
//!
//! Task errors, daemon messages, names and labels come from whoever created the service. Printed
//! raw they could move the cursor, clear the screen, retitle the terminal (ANSI escapes) or
//! reorder what the reader sees (bidirectional overrides). Tables and error messages pass such
//! text through [`for_terminal`]; the JSON formats keep it exactly, escaped by the encoder.

use std::borrow::Cow;

/// Removes control and bidirectional-formatting characters. Line breaks and tabs become a
/// space so that words stay apart and a table row stays one line.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_care) {
        return Cow::Borrowed(text);
    }
    let cleaned = text
        .chars()
        .filter_map(|character| match character {
            '\n' | '\r' | '\t' => Some(' '),
            other if needs_care(other) => None,
            other => Some(other),
        })
        .collect();
    Cow::Owned(cleaned)
}

/// The most characters of one word (a run without spaces) a message shows: input echoed in
/// an error is cut there, so a 4 KiB id cannot flood the terminal.
pub const MAX_ECHO: usize = 200;

/// [`for_terminal`], then every word longer than [`MAX_ECHO`] characters cut to that length
/// with `…`: for messages that quote what the user or the daemon gave.
pub fn for_message(text: &str) -> String {
    let clean = for_terminal(text);
    if clean.chars().count() <= MAX_ECHO {
        return clean.into_owned();
    }
    let mut out = String::with_capacity(clean.len().min(4 * MAX_ECHO));
    for (index, word) in clean.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        if word.chars().count() > MAX_ECHO {
            out.extend(word.chars().take(MAX_ECHO));
            out.push('…');
        } else {
            out.push_str(word);
        }
    }
    out
}

fn needs_care(character: char) -> bool {
    character.is_control() || is_bidi_control(character)
}

/// The Unicode bidi controls: marks, embeddings, overrides and isolates.
fn is_bidi_control(character: char) -> bool {
    matches!(
        character,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_words_are_cut_in_messages() {
        let long = "x".repeat(5000);
        let message = super::for_message(&format!("no such service: {long} (really)"));
        assert_eq!(
            message.chars().count(),
            "no such service: ".len() + 200 + 1 + " (really)".len()
        );
        assert!(message.ends_with("x… (really)"), "{message}");
        assert_eq!(super::for_message("short\tone"), "short one");
    }

    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            for_terminal("no such image: busybox:9"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escapes_and_bidi_are_removed() {
        assert_eq!(for_terminal("bad\x1b[2Jthing"), "bad[2Jthing");
        assert_eq!(for_terminal("abc\u{202E}fed"), "abcfed");
        assert_eq!(for_terminal("a\u{2066}b\u{2069}c\u{200F}"), "abc");
        assert_eq!(for_terminal("bell\x07 nul\0"), "bell nul");
    }

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(
            for_terminal("line one\nline two\tthree\r"),
            "line one line two three "
        );
    }

    #[test]
    fn other_unicode_is_kept() {
        assert_eq!(for_terminal("café 日本 …"), "café 日本 …");
    }
}
