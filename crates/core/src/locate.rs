//! Positions in the bundle text: byte offsets to line:column, nesting depth,
//! and the offset of the value at a JSON path.
//!
//! `serde_json` reports positions for syntax errors only. For a semantic
//! problem found later (an unknown id, a bad regex) the loader knows the JSON
//! path and the raw text of the element it came from; [`find_path`] walks
//! that text to the value so the diagnostic can carry a line and column.
//! It is a scanner over already-valid JSON, not a parser: it never builds
//! values and gives up (returns `None`) on anything unexpected.

/// Maps byte offsets of one text to 1-based (line, column) pairs.
///
/// Built only when a diagnostic needs a position, in one pass over the
/// text. Columns count characters; a generated bundle is often one line
/// of megabytes, so characters are counted from a checkpoint every
/// [`CHAR_BLOCK`] bytes, not from the line's start: locating thousands of
/// diagnostics in a 25 MB one-line file costs milliseconds, not seconds.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters before byte `i * CHAR_BLOCK`.
    char_marks: Vec<usize>,
}

/// Bytes between character-count checkpoints.
pub const CHAR_BLOCK: usize = 4096;

/// Characters that start in `bytes` (UTF-8 bytes that are not
/// continuation bytes), valid on any byte range.
fn chars_in(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

impl LineIndex {
    /// Indexes the line starts and character checkpoints of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text));
        let mut char_marks = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut seen = 0;
        char_marks.push(0);
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            seen += chars_in(block);
            char_marks.push(seen);
        }
        LineIndex {
            line_starts,
            char_marks,
        }
    }

    /// Characters before byte `offset` (at most [`CHAR_BLOCK`] bytes counted).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let from = block * CHAR_BLOCK;
        self.char_marks[block] + chars_in(&text.as_bytes()[from..offset])
    }

    /// The 1-based line and column (counted in characters) of byte `offset`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if offset - start <= CHAR_BLOCK {
            chars_in(&text.as_bytes()[start..offset])
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        };
        (line + 1, column + 1)
    }

    /// The byte offset of the start of 1-based `line`, column 1.
    pub fn offset_of(&self, line: usize, column: usize, text: &str) -> usize {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let rest = &text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(text.len())
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// An object member.
    Field(&'a str),
    /// An array element.
    Index(usize),
}

/// Splits a path such as `match.condition.all[1]` into segments.
pub fn parse_path(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Segment::Field(name));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(i) = rest[1..close].parse() {
                out.push(Segment::Index(i));
            }
            rest = &rest[close + 1..];
        }
    }
    out
}

/// Returns the byte offset, within `text`, of the value found by following
/// `path` from the JSON value that `text` holds. When a step cannot be
/// followed, returns the offset of the deepest value reached.
pub fn find_path(text: &str, path: &[Segment<'_>]) -> usize {
    let mut cur = Cursor {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    cur.skip_ws();
    let mut reached = cur.pos;
    for seg in path {
        match cur.step(seg) {
            Some(pos) => {
                cur.pos = pos;
                reached = pos;
            }
            None => break,
        }
    }
    reached
}

/// A key that appears twice in one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON path of the second occurrence's value, e.g. `meta.title`.
    pub path: String,
    /// The key.
    pub key: String,
    /// Byte offset of the second occurrence's key.
    pub offset: usize,
    /// Byte offset of the first occurrence's key.
    pub first: usize,
}

/// At most this many duplicate keys are reported; one is enough to reject
/// the bundle, and the list must stay small for hostile input.
const MAX_DUPLICATES: usize = 100;

/// Keys compared per object. The format's objects have at most a dozen
/// keys; past this many, a hostile object would make the check quadratic,
/// and its unknown fields are errors anyway.
const MAX_KEYS_SCANNED: usize = 64;

/// What one pass over a bundle text finds before it is parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The byte offset of the first `[` or `{` that nests deeper than the
    /// limit; the scan stops there.
    pub too_deep: Option<usize>,
    /// Every key that repeats within one object, in document order (at
    /// most 100: one is enough to reject the bundle).
    pub duplicates: Vec<DuplicateKey>,
    /// For each member of the top-level object whose value is an array:
    /// the array's offset and the byte range of each of its elements, so
    /// the loader parses each element once, without a second pass to
    /// split the array.
    pub arrays: Vec<(usize, Vec<std::ops::Range<usize>>)>,
    /// Whether the scan walked the whole first value. It gives up on text
    /// that is not JSON (the parser then says why), so the other fields
    /// only cover what it walked.
    pub complete: bool,
}

/// Walks `text` once, without building values: finds where arrays and
/// objects nest deeper than `max_depth` (brackets inside strings do not
/// count), every key that repeats within one object, and the elements of
/// the top-level arrays. Keys compare after unescaping, so `"a"` and
/// `"\u0061"` are the same key, as they are to every JSON parser.
///
/// Complexity: one pass over the text; recursion is bounded by
/// `max_depth`, so hostile nesting cannot exhaust the stack.
///
/// # Example
/// ```
/// use whoserves_core::locate::scan;
/// let s = scan(r#"{"a": [1, {"k": 1, "k": 2}], "b": "[[["}"#, 64);
/// assert_eq!(s.duplicates[0].path, "a[1].k");
/// assert_eq!(s.arrays[0].1, [7..8, 10..26]);
/// assert_eq!(scan("[[[]]]", 2).too_deep, Some(2));
/// ```
pub fn scan(text: &str, max_depth: usize) -> Scan {
    let mut cur = Cursor {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let mut walk = Walk {
        max_depth,
        stack: Vec::new(),
        pool: Vec::new(),
        out: Scan::default(),
    };
    walk.out.complete = walk.value(&mut cur, 0).is_some();
    walk.out
}

/// [`scan`] of one member of the top-level object: the value of `key`,
/// which starts at byte `at` of `text`. Offsets, depths, paths and the
/// recorded elements are those the scan of the whole text gives for that
/// member, so a loader that has read the top level itself can scan only
/// the members it has not parsed.
///
/// # Example
/// ```
/// use whoserves_core::locate::{scan, scan_member};
/// let text = r#"{"a": 1, "b": [{"k": 1, "k": 2}, [3]]}"#;
/// let whole = scan(text, 64);
/// let b = scan_member(text, "b", text.find('[').unwrap(), 64);
/// assert_eq!(b.arrays, whole.arrays);
/// assert_eq!(b.duplicates[0].path, "b[0].k");
/// assert_eq!(b.duplicates[0].offset, whole.duplicates[0].offset);
/// assert_eq!(scan_member(text, "b", 14, 2).too_deep, scan(text, 2).too_deep);
/// ```
pub fn scan_member(text: &str, key: &str, at: usize, max_depth: usize) -> Scan {
    let mut cur = Cursor {
        text,
        bytes: text.as_bytes(),
        pos: at,
    };
    let mut walk = Walk {
        max_depth,
        stack: vec![Step::Key(std::borrow::Cow::Owned(key.to_string()))],
        pool: Vec::new(),
        out: Scan::default(),
    };
    // A member's value sits at depth 1, inside the top-level object.
    walk.out.complete = walk.value(&mut cur, 1).is_some();
    walk.out
}

/// The keys seen in one object, with their offsets.
type Keys<'a> = Vec<(std::borrow::Cow<'a, str>, usize)>;

/// One step of the path to the value being scanned; rendered only for a
/// duplicate key.
enum Step<'a> {
    Key(std::borrow::Cow<'a, str>),
    Index(usize),
}

/// The state of [`scan`].
struct Walk<'a> {
    max_depth: usize,
    stack: Vec<Step<'a>>,
    /// Reused key lists: objects are small, and a list beats a hash map.
    pool: Vec<Keys<'a>>,
    out: Scan,
}

impl<'a> Walk<'a> {
    /// The path of the value being scanned, e.g. `x[0].k`.
    fn path(&self) -> String {
        let mut p = String::new();
        for step in &self.stack {
            match step {
                Step::Key(k) => {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(k);
                }
                Step::Index(i) => {
                    let _ = std::fmt::Write::write_fmt(&mut p, format_args!("[{i}]"));
                }
            }
        }
        p
    }

    /// Walks one value at nesting `depth` (0 outside any array or object).
    fn value(&mut self, cur: &mut Cursor<'a>, depth: usize) -> Option<()> {
        cur.skip_ws();
        let open = cur.peek()?;
        if matches!(open, b'{' | b'[') && depth >= self.max_depth {
            self.out.too_deep = Some(cur.pos);
            return None;
        }
        match open {
            b'{' => self.object(cur, depth + 1),
            b'[' => self.array(cur, depth + 1),
            _ => cur.skip_value(),
        }
    }

    fn object(&mut self, cur: &mut Cursor<'a>, depth: usize) -> Option<()> {
        cur.pos += 1;
        let mut seen = self.pool.pop().unwrap_or_default();
        seen.clear();
        loop {
            cur.skip_ws();
            match cur.peek()? {
                b'}' => {
                    cur.pos += 1;
                    self.pool.push(seen);
                    return Some(());
                }
                b',' => {
                    cur.pos += 1;
                    continue;
                }
                _ => {}
            }
            let key_at = cur.pos;
            cur.skip_string()?;
            let text: &'a str = cur.text;
            let raw = text.get(key_at..cur.pos)?;
            let key: std::borrow::Cow<'a, str> = if raw.contains('\\') {
                std::borrow::Cow::Owned(serde_json::from_str::<String>(raw).ok()?)
            } else {
                std::borrow::Cow::Borrowed(&raw[1..raw.len() - 1])
            };
            cur.skip_ws();
            if cur.peek()? != b':' {
                return None;
            }
            cur.pos += 1;
            match seen.iter().find(|(k, _)| *k == key) {
                Some(&(_, first)) if self.out.duplicates.len() < MAX_DUPLICATES => {
                    self.stack.push(Step::Key(key.clone()));
                    let path = self.path();
                    self.stack.pop();
                    self.out.duplicates.push(DuplicateKey {
                        path,
                        key: key.to_string(),
                        offset: key_at,
                        first,
                    })
                }
                Some(_) => {}
                None if seen.len() < MAX_KEYS_SCANNED => seen.push((key.clone(), key_at)),
                None => {}
            }
            self.stack.push(Step::Key(key));
            let walked = self.value(cur, depth);
            self.stack.pop();
            walked?;
        }
    }

    fn array(&mut self, cur: &mut Cursor<'a>, depth: usize) -> Option<()> {
        // The elements of a top-level member's array are recorded.
        let record = depth == 2 && self.stack.len() == 1;
        let start = cur.pos;
        let mut spans = Vec::new();
        cur.pos += 1;
        self.stack.push(Step::Index(0));
        let mut i = 0usize;
        let walked = loop {
            cur.skip_ws();
            match cur.peek() {
                None => break None,
                Some(b']') => {
                    cur.pos += 1;
                    break Some(());
                }
                Some(b',') => {
                    cur.pos += 1;
                    continue;
                }
                _ => {}
            }
            if let Some(Step::Index(slot)) = self.stack.last_mut() {
                *slot = i;
            }
            let from = cur.pos;
            if self.value(cur, depth).is_none() {
                break None;
            }
            if record {
                spans.push(from..cur.pos);
            }
            i += 1;
        };
        self.stack.pop();
        if record && walked.is_some() {
            self.out.arrays.push((start, spans));
        }
        walked
    }
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Moves into the value at `seg`; returns its start offset.
    fn step(&mut self, seg: &Segment<'_>) -> Option<usize> {
        self.skip_ws();
        match (seg, self.peek()?) {
            (Segment::Field(name), b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key_start = self.pos + 1;
                    self.skip_string()?;
                    let key = &self.bytes[key_start..self.pos - 1];
                    self.skip_ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if key == name.as_bytes() {
                        return Some(self.pos);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                }
            }
            (Segment::Index(target), b'[') => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if i == *target {
                        return Some(self.pos);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                    i += 1;
                }
            }
            _ => None,
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            let at = self.pos + memchr::memchr2(b'"', b'\\', self.bytes.get(self.pos..)?)?;
            if self.bytes[at] == b'"' {
                self.pos = at + 1;
                return Some(());
            }
            self.pos = at + 2;
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                let from = self.pos;
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    self.pos += 1;
                }
                // A closing bracket where a value belongs (`[}`) is no
                // value: stopping there, and not before it, is what keeps
                // every caller's loop moving.
                (self.pos > from).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nc\u{e9}d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        // 'd' sits after a two-byte character: byte 6, column 3.
        assert_eq!(idx.line_col(text, 6), (2, 3));
        assert_eq!(idx.offset_of(2, 3, text), 6);
    }

    #[test]
    fn columns_on_a_long_line_agree_with_counting_from_its_start() {
        // Three lines, the middle one far longer than a checkpoint block,
        // with characters of 1 to 4 bytes across block boundaries.
        let long: String = (0..5 * CHAR_BLOCK)
            .map(|i| ['a', '\u{e9}', '\u{20ac}', '\u{1f600}'][i % 4])
            .collect();
        let text = format!("{{\n{long}\n}}");
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(997) {
            let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let column = text[start..offset].chars().count() + 1;
            assert_eq!(
                idx.line_col(&text, offset),
                (line, column),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn a_closing_bracket_where_a_value_belongs_ends_the_scan() {
        // These looped for ever: the scalar skipper stopped at the `}`
        // without moving, and the array asked it again (found by the
        // arbitrary-text property test).
        for text in ["[}", "[1 }", "{\"a\": [}", "[[}]", "{\"a\": [1, }]}"] {
            let _ = scan(text, 64);
            let mut c = Cursor {
                text,
                bytes: text.as_bytes(),
                pos: 0,
            };
            let _ = c.step(&Segment::Index(3));
        }
        assert!(crate::analyze("[}", &crate::Limits::default()).has_errors());
    }

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert_eq!(scan(r#"{"a": "[[[[["}"#, 1).too_deep, None);
        assert_eq!(scan("[[[]]]", 2).too_deep, Some(2));
        assert_eq!(scan("[[[]]]", 3).too_deep, None);
        // Hostile nesting stops at the limit, whatever follows.
        let deep = "[".repeat(100_000);
        assert_eq!(scan(&deep, 64).too_deep, Some(64));
    }

    #[test]
    fn duplicate_keys_at_any_depth() {
        let text = r#"{"format": "a", "x": [{"k": 1, "k": 2}], "\u0066ormat": "b"}"#;
        let d = scan(text, 64).duplicates;
        let found: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (d.path.as_str(), d.key.as_str()))
            .collect();
        assert_eq!(found, [("x[0].k", "k"), ("format", "format")]);
        assert_eq!(&text[d[0].offset..d[0].offset + 3], "\"k\"");
        assert!(scan(r#"{"a": {"a": {"a": 1}}, "b": [1, 2]}"#, 64)
            .duplicates
            .is_empty());
    }

    #[test]
    fn top_level_arrays_are_split_into_their_elements() {
        let text = r#"{ "o": [ {"a": "]"} , "x\"y", [1, [2]] ], "m": {"n": [1]}, "e": [] }"#;
        let s = scan(text, 64);
        assert!(s.complete);
        let elems: Vec<&str> = s.arrays[0].1.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(elems, [r#"{"a": "]"}"#, r#""x\"y""#, "[1, [2]]"]);
        assert_eq!(&text[s.arrays[0].0..s.arrays[0].0 + 1], "[");
        // Nested arrays are not recorded; an empty one is, with no elements.
        assert_eq!(s.arrays.len(), 2);
        assert!(s.arrays[1].1.is_empty());
        // Each element is exactly what a parser reads as its raw value.
        let parsed: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(&text[s.arrays[0].0..text.find(", \"m\"").unwrap()]).unwrap();
        let raws: Vec<&str> = parsed.iter().map(|r| r.get()).collect();
        assert_eq!(raws, elems);
        // Text that is not JSON: the scan gives up and says so.
        assert!(!scan(r#"{"o": [1, 2"#, 64).complete);
    }

    #[test]
    fn path_parsing() {
        assert_eq!(
            parse_path("match.condition.all[1][2]"),
            vec![
                Segment::Field("match"),
                Segment::Field("condition"),
                Segment::Field("all"),
                Segment::Index(1),
                Segment::Index(2)
            ]
        );
    }

    #[test]
    fn finds_nested_values() {
        let text = r#"{ "a": {"x": "}", "b": [1, {"c": 2}, "q\"]"] } }"#;
        let off = find_path(text, &parse_path("a.b[1].c"));
        assert_eq!(&text[off..off + 1], "2");
        let off = find_path(text, &parse_path("a.b[2]"));
        assert_eq!(&text[off..off + 2], "\"q");
        // A missing member stops at the deepest value reached.
        let off = find_path(text, &parse_path("a.zzz"));
        assert_eq!(&text[off..off + 1], "{");
    }
}
