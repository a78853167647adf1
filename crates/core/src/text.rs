//! Text from a bundle made inert for terminals and logs.
//!
//! A bundle is untrusted, and whatever it says may be printed: titles,
//! names, ids, values, messages that quote them. [`inert`] escapes every
//! character that could act instead of being read, the way `git` quotes odd
//! paths:
//!
//! - C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
//!   (U+0080–U+009F, among them U+009B, a one-byte CSI): `\n`, `\t`, `\r`,
//!   else `\xHH` / `\u{HH}`;
//! - bidirectional overrides, embeddings and isolates (U+202A–U+202E,
//!   U+2066–U+2069) and the marks U+200E, U+200F, U+061C: `\u{202e}`.
//!   They reorder what a reader sees ("Trojan Source", CVE-2021-42574);
//! - the line and paragraph separators U+2028 and U+2029;
//! - a backslash, so that an escape can be told from the text `\n`.
//!
//! ```
//! use whoserves_core::text::inert;
//! assert_eq!(inert("Title\u{1b}]0;pwned\u{7}"), "Title\\x1b]0;pwned\\x07");
//! assert_eq!(inert("plain"), "plain");
//! ```

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as is.
pub fn is_active(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `s` with every active character escaped (see the module docs); borrowed
/// when there is nothing to escape.
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_active(c) || c == '\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && is_active(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_active(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text with every active non-ASCII character and DEL written as a
/// `\uXXXX` escape. `serde_json` escapes C0 controls already; DEL, C1
/// controls and bidi overrides it writes raw. In JSON text such characters
/// can only stand inside strings, where the escape means the same
/// character, so the document is unchanged for every JSON reader.
pub fn inert_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_active) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_active(c) {
            // Controls here are never structural whitespace: serde_json
            // escapes C0 inside strings and pretty-printing only adds
            // '\n' and ' ', which must stay as they are.
            if c == '\n' || c == '\r' || c == '\t' {
                out.push(c);
            } else {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_backslashes_are_escaped() {
        assert_eq!(inert("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(inert("\u{7f}"), "\\x7f");
        assert_eq!(inert("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(inert("C:\\x"), "C:\\\\x");
        assert_eq!(inert("line\u{2028}sep"), "line\\u{2028}sep");
        for c in ['\u{0}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}', '\u{2066}'] {
            assert!(!inert(&c.to_string()).chars().any(is_active), "{c:?}");
        }
    }

    #[test]
    fn json_stays_the_same_document() {
        let value = serde_json::json!({"t": "x\u{9b}y\u{202e}z\u{7f}\n"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = inert_json(&text);
        assert!(!safe.chars().any(|c| is_active(c) && c != '\n'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
