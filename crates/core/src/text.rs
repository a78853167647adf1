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

/// First strong isolate and pop directional isolate (Unicode's bidi
/// algorithm, UAX #9): text between them is laid out on its own, and the
/// PDI ends every embedding or override the text opened and left open.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// `name` isolated for display among other words: a right-to-left override
/// inside it, closed or not, cannot reorder the text around it. For the
/// viewer, where the browser lays the characters out; terminals get
/// [`inert`] instead.
///
/// ```
/// use whoserves_core::text::isolate;
/// assert_eq!(isolate("A\u{202e}B"), "\u{2068}A\u{202e}B\u{2069}");
/// ```
pub fn isolate(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 6);
    out.push(FSI);
    // An isolate mark of the name's own could close ours early (a PDI of
    // its own), so those go; its embeddings and overrides stay, and our
    // PDI ends them.
    out.extend(
        name.chars()
            .filter(|c| !matches!(c, '\u{2066}'..='\u{2069}')),
    );
    out.push(PDI);
    out
}

/// Whether `c` is an explicit bidi formatting character: an embedding, an
/// override, an isolate or their pop (U+202A–U+202E, U+2066–U+2069).
fn is_explicit_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every occurrence of each of `names` (names from a bundle
/// that it quotes, such as a verdict's reason quoting a firm) isolated as
/// [`isolate`] does, and every other explicit bidi formatting character
/// dropped, so data quoted in it that is not among `names` (an id, say)
/// cannot reorder it either. Longer names go first, so a name inside
/// another is not isolated twice; empty names are skipped.
pub fn isolate_names(text: &str, names: &[&str]) -> String {
    let mut names: Vec<&str> = names.iter().copied().filter(|n| !n.is_empty()).collect();
    names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    names.dedup();
    let mut out = String::with_capacity(text.len() + 12);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for n in &names {
            if let Some(after) = rest.strip_prefix(n) {
                out.push_str(&isolate(n));
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next().filter(|c| !is_explicit_bidi(*c)) {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
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
    fn names_are_isolated_where_a_text_quotes_them() {
        let evil = "Evil\u{202e}moc.";
        let reason = format!("the bundle holds no observation of {evil} that could show dns");
        let shown = isolate_names(&reason, &[evil, "", "Evil"]);
        assert_eq!(
            shown,
            format!(
                "the bundle holds no observation of \u{2068}{evil}\u{2069} that could show dns"
            )
        );
        // Every opened isolate is closed, so the override ends with the name.
        assert_eq!(
            shown.matches('\u{2068}').count(),
            shown.matches('\u{2069}').count()
        );
        assert_eq!(isolate_names("nothing here", &["Evil"]), "nothing here");
        // An override in text that is not a name (an id) is dropped.
        assert_eq!(
            isolate_names("rule r\u{202e}1 matched", &["Evil"]),
            "rule r1 matched"
        );
        // A name's own pop-isolate cannot close ours and leave its override open.
        let tricky = "X\u{2069}\u{202e}";
        assert_eq!(isolate(tricky), "\u{2068}X\u{202e}\u{2069}");
        assert_eq!(
            isolate_names(&format!("of {tricky} then"), &[tricky]),
            "of \u{2068}X\u{202e}\u{2069} then"
        );
        assert_eq!(
            isolate_names("héllo wörld", &["wörld"]),
            "héllo \u{2068}wörld\u{2069}"
        );
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
