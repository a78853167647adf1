//! Required literals of a regex: text every match must contain.
//!
//! The engine indexes a `regex` rule by these, like a `contains` rule, so
//! 10,000 regex rules cost one Aho-Corasick pass per observation instead of
//! 10,000 regex searches (ripgrep and Hyperscan prefilter the same way). A
//! rule whose regex has none (`[0-9]+`, `.`) is tried on every observation
//! of its kind, which the work budget bounds (see [`crate::Limits`]).
//!
//! The literals are found on the parsed regex (`regex-syntax`'s HIR):
//!
//! - a literal is required of itself;
//! - in a concatenation, every run of adjacent literals is required, and
//!   so is whatever a part requires; the most selective is kept;
//! - an alternation requires one of its branches' literals (all must
//!   have some);
//! - a group requires what its inside does; a repetition too, when it
//!   repeats at least once.
//!
//! Case-insensitive letters (`(?i)a` is the class `[Aa]`) count as the
//! letter: the index searches ASCII case-insensitively, which may propose
//! more candidates than match, never fewer. Each candidate is confirmed by
//! the regex itself.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Literals shorter than this are not selective enough to index by.
pub const MIN_LITERAL: usize = 3;

/// Alternations with more branches than this are not worth indexing.
const MAX_ALTERNATIVES: usize = 16;

/// Lower-case literals one of which every match of `pattern` contains
/// (compared ASCII case-insensitively), each at least [`MIN_LITERAL`]
/// bytes long; `None` when there is no such set.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(true)
        .build()
        .parse(pattern)
        .ok()?;
    required_literals_of(&hir)
}

/// [`required_literals`] of an already parsed regex.
pub fn required_literals_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let set = required(hir)?;
    (!set.is_empty() && set.iter().all(|l| l.len() >= MIN_LITERAL)).then_some(set)
}

/// The byte a one-character HIR stands for, folded: a literal byte, or a
/// class of exactly one ASCII letter in both cases.
fn letter(h: &Hir) -> Option<Vec<u8>> {
    match h.kind() {
        HirKind::Literal(l) => Some(l.0.to_ascii_lowercase()),
        HirKind::Class(Class::Unicode(c)) => {
            let r = c.ranges();
            let pair = |a: char, b: char| a.is_ascii_uppercase() && b == a.to_ascii_lowercase();
            match r {
                [x, y]
                    if x.start() == x.end()
                        && y.start() == y.end()
                        && pair(x.start(), y.start()) =>
                {
                    Some(vec![y.start() as u8])
                }
                _ => None,
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            let r = c.ranges();
            match r {
                [x, y]
                    if x.start() == x.end()
                        && y.start() == y.end()
                        && x.start().is_ascii_uppercase()
                        && y.start() == x.start().to_ascii_lowercase() =>
                {
                    Some(vec![y.start()])
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// How good a set is: its shortest literal (longer is rarer).
fn score(set: &[Vec<u8>]) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

fn required(h: &Hir) -> Option<Vec<Vec<u8>>> {
    if let Some(l) = letter(h) {
        return Some(vec![l]);
    }
    match h.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Concat(parts) => {
            let mut best: Option<Vec<Vec<u8>>> = None;
            let mut consider = |set: Vec<Vec<u8>>| {
                if best.as_ref().is_none_or(|b| score(&set) > score(b)) {
                    best = Some(set);
                }
            };
            let mut run: Vec<u8> = Vec::new();
            for p in parts {
                match letter(p) {
                    Some(l) => run.extend(l),
                    None => {
                        if !run.is_empty() {
                            consider(vec![std::mem::take(&mut run)]);
                        }
                        if let Some(set) = required(p) {
                            consider(set);
                        }
                    }
                }
            }
            if !run.is_empty() {
                consider(vec![run]);
            }
            best
        }
        HirKind::Alternation(branches) if branches.len() <= MAX_ALTERNATIVES => {
            let mut out = Vec::new();
            for b in branches {
                out.extend(required(b)?);
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(p: &str) -> Option<Vec<String>> {
        required_literals(p).map(|v| {
            v.into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect()
        })
    }

    #[test]
    fn the_most_selective_run_is_kept() {
        assert_eq!(
            lits(r"^ns-[0-9]+\.awsdns-[0-9]+\.(com|net)$"),
            Some(vec![".awsdns-".into()])
        );
        assert_eq!(lits(r"(?i)cloudFront"), Some(vec!["cloudfront".into()]));
        assert_eq!(
            lits(r"x(alpha|beta)y"),
            Some(vec!["alpha".into(), "beta".into()])
        );
        assert_eq!(
            lits(r"(?:googletagmanager)+"),
            Some(vec!["googletagmanager".into()])
        );
    }

    #[test]
    fn no_literal_no_index() {
        assert_eq!(lits("."), None);
        assert_eq!(lits("[0-9]+"), None);
        assert_eq!(lits("ab"), None); // too short to select
        assert_eq!(lits("(foo)?bar?"), None); // 'ba' then optional parts
        assert_eq!(lits("foo|[0-9]"), None); // one branch has none
                                             // (?i)k also matches the Kelvin sign, which is not ASCII: not a letter pair.
        assert_eq!(lits("(?i)kkk"), None);
    }

    #[test]
    fn every_match_contains_a_literal() {
        let cases = [
            (r"^ns-[0-9]+\.dns7\.(net|org)$", "ns-12.dns7.org"),
            (r"(?i)X-AMZ-CF", "x-amz-cf-id"),
            (
                r"v=spf1 .*include:_spf\.google\.com",
                "v=spf1 include:_spf.google.com ~all",
            ),
        ];
        for (p, text) in cases {
            let re = regex_automata::meta::Regex::new(p).unwrap();
            let m = text[re.find(text).unwrap().range()].to_ascii_lowercase();
            let set = required_literals(p).unwrap();
            assert!(
                set.iter()
                    .any(|l| m.contains(std::str::from_utf8(l).unwrap())),
                "{p}: {m:?} lacks {set:?}"
            );
        }
    }
}
