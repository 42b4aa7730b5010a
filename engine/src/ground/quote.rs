//! Quoting what the user typed back in a message.
//!
//! A refusal names what it refuses (`Topic "orders" does not exist.`), and that name is the
//! user's; so is whatever serde quotes from a scenario file (``unknown variant `…` ``). Echoed
//! raw and whole, a 50 MB topic name put 50 MB on stderr, and NUL, BEL and ESC (the start of
//! terminal escape sequences, which recolour, retitle or clear a terminal) reached the terminal
//! as they were, as did Unicode's bidi overrides, which make the rest of a line read backwards so
//! that a message shows what it does not say. Whatever echoes user text goes through here:
//!
//! - [`quoted`]: one user-supplied string, in double quotes, escaped, and cut after
//!   [`QUOTE_CHARS`] characters with its length given: `"aaaa…" (50000000 characters)`.
//! - [`message`]: a whole message that someone else built around raw input (serde's errors),
//!   escaped and cut to about [`MESSAGE_CHARS`] characters, keeping its beginning and its end
//!   (where serde says at which line and column of the file the problem is).
//! - [`escaped`]: text shown whole that must not act on the terminal (a protocol log line).
//!
//! The escapes, the same in all three: `\0`, `\t`, `\n` and `\r`; `\u{…}` (hexadecimal, as in
//! Rust) for every other C0 control, DEL and the C1 controls, and for the invisible format
//! characters that change how text around them is laid out (bidi embeddings, overrides, isolates
//! and marks, zero-width spaces and joiners, line and paragraph separators, the byte-order mark,
//! tag characters). Inside quotes, `"` and `\` are escaped too, so the quoted text ends where
//! its quote does. Every other character, accents and scripts and emoji included, is shown as it
//! is. A cut never splits an escape.
//!
//! None of them allocates in proportion to its input: they walk the characters and stop writing
//! at the cut. Only counting the characters of a string that was cut reads it to its end.

use std::collections::VecDeque;
use std::fmt::{self, Write};

/// Most characters of a quoted string shown (an escape counts as the characters it takes).
pub const QUOTE_CHARS: usize = 64;

/// Characters of a message kept from its start when it has to be cut.
const MESSAGE_HEAD: usize = 320;
/// Characters of a message kept from its end when it has to be cut.
const MESSAGE_TAIL: usize = 160;
/// Longest message [`message`] returns whole; a longer one keeps its first 320 and last 160
/// characters.
pub const MESSAGE_CHARS: usize = MESSAGE_HEAD + MESSAGE_TAIL;

/// `text` for quoting back in a message: in double quotes, escaped, and cut after
/// [`QUOTE_CHARS`] characters (`"aaaa…" (50000000 characters)`). See the module's rules.
pub fn quoted(text: &str) -> Quoted<'_> {
    Quoted {
        text,
        max: QUOTE_CHARS,
    }
}

/// A user-supplied string as it is quoted back: see [`quoted`].
#[derive(Clone, Copy, Debug)]
pub struct Quoted<'a> {
    text: &'a str,
    max: usize,
}

impl Quoted<'_> {
    /// The same, cut after `max` characters instead of [`QUOTE_CHARS`]: for a file path, which
    /// is longer than a name and whose end is the part that says which file.
    pub fn up_to(self, max: usize) -> Self {
        Quoted { max, ..self }
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        let mut room = self.max;
        for (shown, (at, c)) in self.text.char_indices().enumerate() {
            let unit = Unit::of(c, true);
            if unit.width() > room {
                let total = shown + self.text[at..].chars().count();
                return write!(f, "…\" ({total} characters)");
            }
            room -= unit.width();
            unit.write(f)?;
        }
        f.write_char('"')
    }
}

/// `text` escaped like a quoted string but neither quoted nor cut: for text that is shown whole
/// (a protocol log line naming a group) and must not act on the terminal.
pub fn escaped(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// Text escaped for showing: see [`escaped`].
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| Unit::of(c, false).write(f))
    }
}

/// A whole message that may embed raw user input, made fit to show: escaped, and if longer than
/// [`MESSAGE_CHARS`] characters, its first 320 and last 160 kept around `… [N characters cut] …`.
///
/// For messages built by code that does not quote what it echoes, such as serde's
/// (``unknown variant `…`, expected one of … at line 1 column 9``): the end says where in the
/// file. `m` is written through a bounded buffer, so a 50 MB message is not copied.
pub fn message(m: impl fmt::Display) -> String {
    let mut b = Bounded {
        head: String::new(),
        room: MESSAGE_HEAD,
        tail: VecDeque::new(),
        tail_width: 0,
        in_tail: false,
        cut: 0,
    };
    write!(b, "{m}").expect("a bounded buffer takes any text");
    let tail: String = b.tail.iter().collect();
    if b.cut == 0 {
        format!("{}{}", b.head, escaped(&tail))
    } else {
        format!(
            "{} … [{} characters cut] … {}",
            b.head,
            b.cut,
            escaped(&tail)
        )
    }
}

/// The buffer [`message`] writes through: the escaped head, then the raw characters of the tail
/// in a window that drops from its front what no longer fits.
struct Bounded {
    head: String,
    room: usize,
    tail: VecDeque<char>,
    tail_width: usize,
    in_tail: bool,
    cut: usize,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let unit = Unit::of(c, false);
            if !self.in_tail && unit.width() <= self.room {
                self.room -= unit.width();
                unit.write(&mut self.head)?;
                continue;
            }
            self.in_tail = true;
            self.tail.push_back(c);
            self.tail_width += unit.width();
            while self.tail_width > MESSAGE_TAIL {
                let dropped = self.tail.pop_front().expect("the tail is not empty");
                self.tail_width -= Unit::of(dropped, false).width();
                self.cut += 1;
            }
        }
        Ok(())
    }
}

/// How one character is shown.
#[derive(Clone, Copy)]
enum Unit {
    Plain(char),
    /// A backslash and this character: `\n`, `\"`.
    Backslash(char),
    /// `\u{1b}`.
    Hex(u32),
}

impl Unit {
    fn of(c: char, in_quotes: bool) -> Unit {
        match c {
            '\0' => Unit::Backslash('0'),
            '\t' => Unit::Backslash('t'),
            '\n' => Unit::Backslash('n'),
            '\r' => Unit::Backslash('r'),
            '"' | '\\' if in_quotes => Unit::Backslash(c),
            c if hidden(c) => Unit::Hex(c as u32),
            c => Unit::Plain(c),
        }
    }

    /// Characters it takes to show.
    fn width(self) -> usize {
        match self {
            Unit::Plain(_) => 1,
            Unit::Backslash(_) => 2,
            // `\u{` + the hex digits + `}`.
            Unit::Hex(n) => 4 + (32 - (n | 1).leading_zeros() as usize).div_ceil(4),
        }
    }

    fn write(self, out: &mut impl Write) -> fmt::Result {
        match self {
            Unit::Plain(c) => out.write_char(c),
            Unit::Backslash(c) => {
                out.write_char('\\')?;
                out.write_char(c)
            }
            Unit::Hex(n) => write!(out, "\\u{{{n:x}}}"),
        }
    }
}

/// Characters that act on a terminal or on the layout of the text around them instead of being
/// seen.
fn hidden(c: char) -> bool {
    matches!(c,
        // C0 controls, DEL and the C1 controls (ESC, BEL, CSI ...).
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Soft hyphen, Arabic letter mark, Mongolian vowel separator.
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        // Zero-width space, non-joiner and joiner; left-to-right and right-to-left marks.
        | '\u{200b}'..='\u{200f}'
        // Line and paragraph separators; bidi embeddings, pop and overrides (U+202E).
        | '\u{2028}'..='\u{202e}'
        // Word joiner, invisible operators, bidi isolates (U+2066 to U+2069), deprecated
        // format characters.
        | '\u{2060}'..='\u{206f}'
        // Zero-width no-break space (byte-order mark), interlinear annotations, tags.
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        quoted(s).to_string()
    }

    #[test]
    fn a_plain_name_is_quoted_as_it_is() {
        assert_eq!(q("orders"), r#""orders""#);
        assert_eq!(q(""), r#""""#);
        // Printable characters of any script are shown.
        assert_eq!(q("café 日本 🙂"), "\"café 日本 🙂\"");
    }

    #[test]
    fn quotes_backslashes_and_controls_are_escaped() {
        assert_eq!(q(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            q("\0\t\n\r\u{7}\u{1b}[2J\u{7f}\u{85}\u{9b}"),
            r#""\0\t\n\r\u{7}\u{1b}[2J\u{7f}\u{85}\u{9b}""#
        );
    }

    #[test]
    fn bidi_and_invisible_format_characters_are_escaped() {
        assert_eq!(
            q("a\u{202e}b\u{2066}c\u{2069}"),
            r#""a\u{202e}b\u{2066}c\u{2069}""#
        );
        assert_eq!(
            escaped("\u{200b}\u{200f}\u{2028}\u{61c}\u{feff}\u{ad}\u{e0041}").to_string(),
            r"\u{200b}\u{200f}\u{2028}\u{61c}\u{feff}\u{ad}\u{e0041}"
        );
    }

    #[test]
    fn a_long_string_is_cut_with_its_length() {
        let at_limit = "a".repeat(QUOTE_CHARS);
        assert_eq!(q(&at_limit), format!("\"{at_limit}\""));
        let over = "a".repeat(QUOTE_CHARS + 1);
        assert_eq!(q(&over), format!("\"{at_limit}…\" (65 characters)"));
        let huge = "a".repeat(50_000_000);
        assert_eq!(q(&huge), format!("\"{at_limit}…\" (50000000 characters)"));
        // Characters, not bytes.
        let accents = "é".repeat(100);
        assert!(q(&accents).ends_with("…\" (100 characters)"));
        assert_eq!(
            quoted(&huge).up_to(3).to_string(),
            "\"aaa…\" (50000000 characters)"
        );
    }

    #[test]
    fn a_cut_never_splits_an_escape_and_escapes_count_their_width() {
        let s = format!("{}\u{1b}bc", "a".repeat(QUOTE_CHARS - 3));
        // `\u{1b}` takes 6 characters: 3 are left, so the cut comes before it.
        assert_eq!(
            q(&s),
            format!(
                "\"{}…\" ({} characters)",
                "a".repeat(QUOTE_CHARS - 3),
                QUOTE_CHARS
            )
        );
        let escapes = "\u{1b}".repeat(100);
        let shown = q(&escapes);
        assert_eq!(
            shown,
            format!(
                "\"{}…\" (100 characters)",
                r"\u{1b}".repeat(QUOTE_CHARS / 6)
            )
        );
        assert_eq!(Unit::Hex(0x10ffff).width(), 10);
        assert_eq!(Unit::Hex(0).width(), 5);
    }

    #[test]
    fn escaped_text_is_neither_quoted_nor_cut() {
        let long = format!("g\u{1b}\"{}", "x".repeat(1000));
        assert_eq!(
            escaped(&long).to_string(),
            format!("g\\u{{1b}}\"{}", "x".repeat(1000))
        );
    }

    #[test]
    fn a_short_message_is_kept_whole_with_controls_escaped() {
        let m = "unknown variant `\u{1b}[31m\"x\\`, expected `a` at line 1 column 9";
        assert_eq!(
            message(m),
            "unknown variant `\\u{1b}[31m\"x\\`, expected `a` at line 1 column 9"
        );
        let exact = "m".repeat(MESSAGE_CHARS);
        assert_eq!(message(&exact), exact);
    }

    #[test]
    fn a_long_message_keeps_its_start_and_its_end() {
        let m = format!(
            "unknown variant `{}`, expected one of `a`, `b` at line 1 column 50000019",
            "\u{7}".repeat(50_000_000)
        );
        let shown = message(&m);
        assert!(
            shown.starts_with("unknown variant `\\u{7}\\u{7}"),
            "{shown}"
        );
        assert!(
            shown.ends_with("\\u{7}`, expected one of `a`, `b` at line 1 column 50000019"),
            "{shown}"
        );
        assert!(shown.contains(" characters cut] … "), "{shown}");
        assert!(shown.chars().count() < MESSAGE_CHARS + 40, "{shown}");
        assert!(!shown.contains('\u{7}'));
        // Exactly what was left out is counted.
        let plain = "x".repeat(MESSAGE_CHARS + 10);
        assert!(message(&plain).contains("[10 characters cut]"));
    }
}
