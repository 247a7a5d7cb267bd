//! Text from the input shown to a person: on a terminal (the table, `explain`,
//! stderr) and in Markdown.
//!
//! Names, policy names, Sids and messages come from the account's data, which
//! anyone who can create an IAM user writes. On a terminal, control characters
//! (C0 but the newline, DEL, C1) and the characters that reorder or hide text
//! (bidi embeddings, overrides and isolates, zero-width characters) become
//! visible `\u{..}` escapes, so a name cannot clear the screen, set the window
//! title, plant an OSC 8 link, or overwrite an error line with
//! `\x1b[2K\rAll checks passed`. JSON and SARIF keep the exact text (JSON
//! escapes control characters itself).

use std::borrow::Cow;

/// The longest cell a table shows: comfy-table's wrapping is quadratic in a
/// cell's length (a 100 KB name took 45 s), and no reader reads more. The JSON
/// report has every character.
pub const MAX_CELL_CHARS: usize = 2000;

/// Characters that show nothing or reorder the text around them: zero-width
/// characters, soft hyphen, bidi embeddings, overrides and isolates, BOM.
/// The one list: the terminal escapes them, and the policy compiler strips
/// them to spot a service prefix that only looks like one.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n') || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` with every character that could act on a terminal shown as `\u{..}`.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal_safe`], and at most [`MAX_CELL_CHARS`] characters with the rest
/// counted.
pub fn cell(s: &str) -> Cow<'_, str> {
    let safe = terminal_safe(s);
    let Some((cut, _)) = safe.char_indices().nth(MAX_CELL_CHARS) else {
        return safe;
    };
    let rest = safe[cut..].chars().count();
    Cow::Owned(format!(
        "{}... ({rest} more characters; the JSON report has the whole text)",
        &safe[..cut]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_acts_on_a_terminal() {
        assert_eq!(terminal_safe("alice"), "alice");
        assert!(matches!(terminal_safe("alice\nbob"), Cow::Borrowed(_)));
        assert_eq!(
            terminal_safe("\x1b[2K\rAll checks passed"),
            "\\u{1b}[2K\\u{d}All checks passed"
        );
        assert_eq!(
            terminal_safe("a\u{202E}b\u{200B}c\u{9b}"),
            "a\\u{202e}b\\u{200b}c\\u{9b}"
        );
        assert_eq!(
            terminal_safe("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "\\u{1b}]8;;http://x\\u{1b}\\link\\u{1b}]8;;\\u{1b}\\"
        );
    }

    #[test]
    fn cells_are_bounded() {
        let long = "é".repeat(MAX_CELL_CHARS + 5);
        let c = cell(&long);
        assert!(c.ends_with("... (5 more characters; the JSON report has the whole text)"));
        assert_eq!(c.chars().filter(|&ch| ch == 'é').count(), MAX_CELL_CHARS);
        assert_eq!(cell("short"), "short");
    }
}
