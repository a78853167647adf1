//! Compiled conditions and their evaluation against one normalised value.
//!
//! [`compile`] turns a [`wire::Condition`] into a [`Condition`], checking
//! everything that can be checked without data: literals are folded, regexes
//! compile within a size limit, prefixes parse, range sets exist, and the
//! condition fits the observation kind. [`Condition::eval`] returns a
//! [`Hit`]: the span that matched and, for `cidr`, every covering prefix.

use crate::diag::Code;
use crate::keywords::Kind;
use crate::limits::Limits;
use crate::normalize::{normalize_host, Normalized};
use crate::prefix::PrefixSet;
use crate::wire;
use ipnet::IpNet;
use regex_automata::meta;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    /// The folded value equals the folded literal.
    Equals(String),
    /// A host equals the suffix or ends with `.` + suffix.
    DomainSuffix(String),
    /// The folded value contains the folded literal.
    Contains(String),
    /// The folded value starts with the folded literal.
    Prefix(String),
    /// The value matches the regex.
    Regex(Pattern),
    /// The IP lies in one or more of the prefixes.
    Cidr(Cidr),
    /// The AS number is one of these.
    Asn(Vec<u32>),
    /// All hold.
    All(Vec<Condition>),
    /// One holds.
    Any(Vec<Condition>),
    /// The inner one does not hold.
    Not(Box<Condition>),
}

/// A compiled `cidr` condition.
#[derive(Debug, Clone)]
pub struct Cidr {
    /// The range set's id, when the prefixes come from `ranges[]`.
    pub range: Option<String>,
    /// The range set's version.
    pub version: Option<String>,
    /// The prefixes, compiled; shared by every rule naming the same range set.
    pub set: Arc<PrefixSet>,
}

/// What a condition matched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hit {
    /// Byte range of the matched text in the normalised value.
    pub span: Range<usize>,
    /// For `cidr`: every prefix that covers the address, shortest first.
    pub prefixes: Vec<IpNet>,
    /// For `cidr`: the range set id and version, when the prefixes came from one.
    pub range: Option<(String, Option<String>)>,
}

impl Condition {
    /// Evaluates against a normalised value.
    pub fn eval(&self, n: &Normalized) -> Option<Hit> {
        let whole = || Hit {
            span: 0..n.text.len(),
            ..Hit::default()
        };
        let at = |span: Range<usize>| Hit {
            span,
            ..Hit::default()
        };
        match self {
            Condition::Equals(lit) => (n.folded() == lit).then(whole),
            Condition::Contains(lit) => n.folded().find(lit.as_str()).map(|i| at(i..i + lit.len())),
            Condition::Prefix(lit) => n
                .folded()
                .starts_with(lit.as_str())
                .then(|| at(0..lit.len())),
            Condition::DomainSuffix(suffix) => n
                .host
                .as_ref()
                .filter(|h| is_domain_suffix(&n.folded()[(*h).clone()], suffix))
                .map(|h| at(h.end - suffix.len()..h.end)),
            Condition::Regex(p) => p.find(&n.text).map(at),
            Condition::Cidr(c) => {
                let ip = n.ip?;
                let cover = c.set.covering(ip);
                (!cover.is_empty()).then(|| Hit {
                    span: 0..n.text.len(),
                    prefixes: cover,
                    range: c.range.clone().map(|r| (r, c.version.clone())),
                })
            }
            Condition::Asn(list) => n.asn.filter(|a| list.contains(a)).map(|_| whole()),
            Condition::All(items) => {
                let mut first: Option<Hit> = None;
                for item in items {
                    let hit = item.eval(n)?;
                    let positive = !matches!(item, Condition::Not(_));
                    match &mut first {
                        None if positive => first = Some(hit),
                        Some(f) if positive => {
                            f.prefixes.extend(hit.prefixes);
                            if f.range.is_none() {
                                f.range = hit.range;
                            }
                        }
                        _ => {}
                    }
                }
                Some(first.unwrap_or_else(whole))
            }
            Condition::Any(items) => items.iter().find_map(|i| i.eval(n)),
            Condition::Not(inner) => inner.eval(n).is_none().then(whole),
        }
    }

    /// Calls `f` on this condition and every part inside it.
    pub fn walk(&self, f: &mut impl FnMut(&Condition)) {
        f(self);
        match self {
            Condition::All(v) | Condition::Any(v) => v.iter().for_each(|c| c.walk(f)),
            Condition::Not(c) => c.walk(f),
            _ => {}
        }
    }

    /// The sum of `f` over this condition and every part inside it.
    fn sum_parts(&self, f: impl Fn(&Condition) -> u64) -> u64 {
        let mut total = 0;
        self.walk(&mut |c| total += f(c));
        total
    }

    /// The number of parts (nodes) of the condition.
    pub fn parts(&self) -> usize {
        self.sum_parts(|_| 1) as usize
    }

    /// What the `regex` parts cost to run per 32 bytes of value: one each,
    /// plus one per 16 KiB of compiled regex (a bigger automaton is slower).
    pub fn regex_weight(&self) -> u64 {
        self.sum_parts(|c| match c {
            Condition::Regex(p) => 1 + p.compiled_bytes() as u64 / (16 * 1024),
            _ => 0,
        })
    }

    /// The compiled size of the `regex` parts, in bytes.
    pub fn regex_bytes(&self) -> usize {
        self.sum_parts(|c| match c {
            Condition::Regex(p) => p.compiled_bytes() as u64,
            _ => 0,
        }) as usize
    }

    /// The number of `regex` parts.
    pub fn regexes(&self) -> usize {
        self.sum_parts(|c| u64::from(matches!(c, Condition::Regex(_)))) as usize
    }

    /// The wire form, for display and serialisation.
    pub fn to_wire(&self) -> wire::Condition {
        match self {
            Condition::Equals(s) => wire::Condition::Equals(s.clone()),
            Condition::DomainSuffix(s) => wire::Condition::DomainSuffix(s.clone()),
            Condition::Contains(s) => wire::Condition::Contains(s.clone()),
            Condition::Prefix(s) => wire::Condition::Prefix(s.clone()),
            Condition::Regex(p) => wire::Condition::Regex(p.source.clone()),
            Condition::Cidr(c) => wire::Condition::Cidr(match &c.range {
                Some(r) => wire::CidrSpec::Range(r.clone()),
                None => wire::CidrSpec::Prefixes(
                    c.set.prefixes().iter().map(|p| p.to_string()).collect(),
                ),
            }),
            Condition::Asn(a) => wire::Condition::Asn(a.clone()),
            Condition::All(v) => wire::Condition::All(v.iter().map(Self::to_wire).collect()),
            Condition::Any(v) => wire::Condition::Any(v.iter().map(Self::to_wire).collect()),
            Condition::Not(c) => wire::Condition::Not(Box::new(c.to_wire())),
        }
    }
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

impl fmt::Display for Condition {
    /// Renders readably: `domain_suffix "outlook.com"`,
    /// `all(contains "x", not(prefix "y"))`, `cidr range "aws-ipv4"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, name: &str, items: &[Condition]| {
            write!(f, "{name}(")?;
            for (i, c) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str(")")
        };
        match self {
            Condition::Equals(s) => write!(f, "equals {s:?}"),
            Condition::DomainSuffix(s) => write!(f, "domain_suffix {s:?}"),
            Condition::Contains(s) => write!(f, "contains {s:?}"),
            Condition::Prefix(s) => write!(f, "prefix {s:?}"),
            Condition::Regex(p) => write!(f, "regex {:?}", p.source),
            Condition::Cidr(c) => match &c.range {
                Some(r) => write!(f, "cidr range {r:?}"),
                None => {
                    let ps: Vec<String> = c.set.prefixes().iter().map(|p| p.to_string()).collect();
                    write!(f, "cidr [{}]", ps.join(", "))
                }
            },
            Condition::Asn(a) => {
                let ps: Vec<String> = a.iter().map(|n| format!("AS{n}")).collect();
                write!(f, "asn [{}]", ps.join(", "))
            }
            Condition::All(v) => list(f, "all", v),
            Condition::Any(v) => list(f, "any", v),
            Condition::Not(c) => write!(f, "not({c})"),
        }
    }
}

/// Label-aware suffix test on folded host names: `x.outlook.com` and
/// `outlook.com` end in `outlook.com`; `evil-outlook.com` does not.
pub fn is_domain_suffix(host: &str, suffix: &str) -> bool {
    host == suffix
        || (host.len() > suffix.len()
            && host.ends_with(suffix)
            && host.as_bytes()[host.len() - suffix.len() - 1] == b'.')
}

/// An error in a condition, with the path relative to the condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// The class of the problem.
    pub code: Code,
    /// Relative JSON path, e.g. `all[1].regex`.
    pub path: String,
    /// Message.
    pub message: String,
}

/// A range set as conditions see it: its version and compiled prefixes.
#[derive(Debug, Clone)]
pub struct NamedSet {
    /// The range set's version.
    pub version: Option<String>,
    /// Its prefixes, compiled once.
    pub set: Arc<PrefixSet>,
}

/// What compiling needs to know besides the condition.
pub struct CompileContext<'a> {
    /// The range sets, by id.
    pub ranges: &'a HashMap<String, NamedSet>,
    /// Range sets left out because of their own errors.
    pub left_out: &'a crate::hash::HashSet<String>,
    /// Limits (regex size, nesting).
    pub limits: &'a Limits,
}

/// Compiles `cond` for observations of `kind`. Collects every error.
pub fn compile(
    cond: &wire::Condition,
    kind: Kind,
    ctx: &CompileContext<'_>,
) -> Result<Condition, Vec<CompileError>> {
    let mut errors = Vec::new();
    let mut nodes = 0usize;
    let out = compile_at(cond, kind, ctx, "", 1, &mut nodes, &mut errors);
    if nodes > ctx.limits.max_condition_nodes {
        errors.push(CompileError {
            code: Code::Limit,
            path: String::new(),
            message: format!(
                "the condition has {nodes} parts, more than the limit of {}",
                ctx.limits.max_condition_nodes
            ),
        });
    }
    match (out, errors.is_empty()) {
        (Some(c), true) => Ok(c),
        _ => Err(errors),
    }
}

fn join(base: &str, part: &str) -> String {
    if base.is_empty() {
        part.to_string()
    } else if part.starts_with('[') {
        format!("{base}{part}")
    } else {
        format!("{base}.{part}")
    }
}

#[allow(clippy::too_many_arguments)]
fn compile_at(
    cond: &wire::Condition,
    kind: Kind,
    ctx: &CompileContext<'_>,
    path: &str,
    depth: usize,
    nodes: &mut usize,
    errors: &mut Vec<CompileError>,
) -> Option<Condition> {
    *nodes += 1;
    let mut fail = |code: Code, field: &str, message: String| {
        errors.push(CompileError {
            code,
            path: join(path, field),
            message,
        });
        None
    };
    if depth > ctx.limits.max_condition_depth {
        return fail(
            Code::Limit,
            "",
            format!(
                "conditions nest deeper than the limit of {}",
                ctx.limits.max_condition_depth
            ),
        );
    }
    let literal = |s: &str| s.to_ascii_lowercase();
    match cond {
        wire::Condition::Equals(s)
        | wire::Condition::Contains(s)
        | wire::Condition::Prefix(s)
        | wire::Condition::DomainSuffix(s)
            if s.trim().is_empty() =>
        {
            let field = match cond {
                wire::Condition::Equals(_) => "equals",
                wire::Condition::Contains(_) => "contains",
                wire::Condition::Prefix(_) => "prefix",
                _ => "domain_suffix",
            };
            fail(
                Code::Empty,
                field,
                "an empty pattern would match everything".into(),
            )
        }
        wire::Condition::Equals(s) => Some(Condition::Equals(literal(s))),
        wire::Condition::Contains(s) => Some(Condition::Contains(literal(s))),
        wire::Condition::Prefix(s) => Some(Condition::Prefix(literal(s))),
        wire::Condition::DomainSuffix(s) => {
            if !kind.has_hosts() {
                return fail(
                    Code::Condition,
                    "domain_suffix",
                    format!("domain_suffix cannot apply to {kind} observations, whose values are not host names"),
                );
            }
            // An internationalised suffix is compared in its ASCII form
            // (punycode), the form URLs are parsed into and DNS answers in.
            let host = normalize_host(s.trim_start_matches('.'));
            let host = if host.is_ascii() {
                host
            } else {
                match url::Host::parse(&host) {
                    Ok(url::Host::Domain(ascii)) => ascii,
                    _ => {
                        return fail(
                            Code::Condition,
                            "domain_suffix",
                            format!("\"{s}\" is not a valid domain name"),
                        )
                    }
                }
            };
            Some(Condition::DomainSuffix(host))
        }
        wire::Condition::Regex(pattern) => match Pattern::new(pattern, ctx.limits.regex_size_limit)
        {
            Ok(p) => Some(Condition::Regex(p)),
            Err(reason) => fail(
                Code::Regex,
                "regex",
                format!("invalid regex {pattern:?}: {reason}"),
            ),
        },
        wire::Condition::Cidr(spec) => {
            if !kind.is_ip() {
                return fail(
                    Code::Condition,
                    "cidr",
                    format!("cidr applies to dns.a and dns.aaaa observations, not {kind}"),
                );
            }
            match spec {
                wire::CidrSpec::Range(id) => match ctx.ranges.get(id) {
                    Some(r) => Some(Condition::Cidr(Cidr {
                        range: Some(id.clone()),
                        version: r.version.clone(),
                        set: r.set.clone(),
                    })),
                    None if ctx.left_out.contains(id) => fail(
                        Code::UnknownRef,
                        "cidr.range",
                        format!("range set \"{id}\" was left out because of its own errors"),
                    ),
                    None => fail(
                        Code::UnknownRef,
                        "cidr.range",
                        format!("unknown range set \"{id}\""),
                    ),
                },
                wire::CidrSpec::Prefixes(list) => {
                    let mut nets = Vec::new();
                    let mut ok = true;
                    if list.is_empty() {
                        return fail(Code::Empty, "cidr.prefixes", "no prefixes given".into());
                    }
                    for (i, p) in list.iter().enumerate() {
                        match p.parse::<IpNet>() {
                            Ok(n) => nets.push(n),
                            Err(_) => {
                                ok = false;
                                errors.push(CompileError {
                                    code: Code::Cidr,
                                    path: join(path, &format!("cidr.prefixes[{i}]")),
                                    message: format!("invalid CIDR prefix \"{p}\""),
                                });
                            }
                        }
                    }
                    ok.then(|| {
                        Condition::Cidr(Cidr {
                            range: None,
                            version: None,
                            set: Arc::new(PrefixSet::new(nets)),
                        })
                    })
                }
            }
        }
        wire::Condition::Asn(list) => {
            if kind != Kind::IpAsn {
                return fail(
                    Code::Condition,
                    "asn",
                    format!("asn applies to ip.asn observations, not {kind}"),
                );
            }
            if list.is_empty() {
                return fail(Code::Empty, "asn", "no AS numbers given".into());
            }
            Some(Condition::Asn(list.clone()))
        }
        wire::Condition::All(items) | wire::Condition::Any(items) => {
            let name = if matches!(cond, wire::Condition::All(_)) {
                "all"
            } else {
                "any"
            };
            if items.is_empty() {
                return fail(
                    Code::Empty,
                    name,
                    format!("{name} needs at least one condition"),
                );
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = join(path, &format!("{name}[{i}]"));
                if let Some(c) = compile_at(item, kind, ctx, &p, depth + 1, nodes, errors) {
                    out.push(c);
                }
            }
            (out.len() == items.len()).then(|| {
                if name == "all" {
                    Condition::All(out)
                } else {
                    Condition::Any(out)
                }
            })
        }
        wire::Condition::Not(inner) => {
            let p = join(path, "not");
            compile_at(inner, kind, ctx, &p, depth + 1, nodes, errors)
                .map(|c| Condition::Not(Box::new(c)))
        }
    }
}

/// A compiled `regex` condition: Rust `regex` syntax, run by
/// `regex-automata`'s meta engine with the NFA engines only (PikeVM and
/// bounded backtracking), so searches stay linear in the value.
///
/// **Checked at load, built on first search.** Loading parses the regex,
/// extracts its literals for the index (see [`crate::literals`]) and
/// compiles its Thompson NFA under the size limit: everything that can
/// fail fails there, so every error is reported at load. The search
/// engine, whose per-pattern prefilter is four fifths of the compile time
/// (5,000 real fingerprints: 490 ms built whole, 105 ms without the
/// prefilters) but halves the time to reject a value, is built the first
/// time the index proposes the rule; rules never proposed never pay it.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The regex as written.
    pub source: String,
    /// Literals every match contains, for the index (see [`crate::literals`]).
    pub literals: Option<Vec<Vec<u8>>>,
    /// The parsed regex, for building the search engine.
    hir: std::sync::Arc<regex_syntax::hir::Hir>,
    /// The size of its compiled NFA, in bytes.
    nfa_bytes: usize,
    regex: std::sync::OnceLock<meta::Regex>,
}

impl Pattern {
    /// Parses `source` and compiles its NFA, which may not exceed
    /// `size_limit` bytes. The error is one line.
    pub fn new(source: &str, size_limit: usize) -> Result<Self, String> {
        use regex_automata::nfa::thompson;
        if uses_unicode_property(source) {
            return Err("named Unicode properties (\\p{..}, \\P{..}) are not supported; write the class out, e.g. [α-ω] or [0-9A-Za-z]".into());
        }
        let hir = regex_syntax::ParserBuilder::new()
            .nest_limit(64)
            .build()
            .parse(source)
            .map_err(|e| syntax_reason(&e.to_string()))?;
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(size_limit)))
            .build_from_hir(&hir)
            .map_err(|e| match e.size_limit() {
                Some(limit) => format!("it compiles to more than the limit of {limit} bytes"),
                None => syntax_reason(&e.to_string()),
            })?;
        Ok(Pattern {
            source: source.to_string(),
            literals: crate::literals::required_literals_of(&hir),
            hir: std::sync::Arc::new(hir),
            nfa_bytes: nfa.memory_usage(),
            regex: std::sync::OnceLock::new(),
        })
    }

    /// The compiled NFA's size in bytes.
    pub fn compiled_bytes(&self) -> usize {
        self.nfa_bytes
    }

    /// The search engine, built on first use.
    fn engine(&self) -> &meta::Regex {
        self.regex.get_or_init(|| {
            // The same NFA as at load, which passed the size limit there,
            // so the limit is not applied twice. Built from a valid HIR
            // without a limit, it has no other way to fail; were it to,
            // the pattern would match nothing rather than stop the page.
            meta::Regex::builder()
                .configure(
                    meta::Regex::config()
                        .nfa_size_limit(None)
                        .hybrid(false)
                        .onepass(false)
                        .dfa(false)
                        .backtrack(true),
                )
                .build_from_hir(&self.hir)
                .unwrap_or_else(|_| {
                    meta::Regex::new_many::<&str>(&[]).expect("the empty set compiles")
                })
        })
    }

    /// The first match in `text`, as a byte range.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.engine().find(text).map(|m| m.range())
    }
}

/// The one-line reason of a regex error (the parser's message spans lines).
fn syntax_reason(text: &str) -> String {
    let reason = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.trim());
    reason.to_string()
}

/// Whether `source` uses a named Unicode property (`\p{Greek}`, `\pL`,
/// `\P{..}`). Whether the property tables are compiled in depends on the
/// build (the page leaves them out to stay small), so they are refused
/// everywhere, and a rule means the same in the CLI and in the browser.
fn uses_unicode_property(source: &str) -> bool {
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.next(), Some('p' | 'P')) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn cond(json: &str, kind: Kind) -> Result<Condition, Vec<CompileError>> {
        let w: wire::Condition = serde_json::from_str(json).unwrap();
        let ranges = HashMap::new();
        let left_out = crate::hash::HashSet::default();
        let limits = Limits::default();
        compile(
            &w,
            kind,
            &CompileContext {
                ranges: &ranges,
                left_out: &left_out,
                limits: &limits,
            },
        )
    }

    fn hit(json: &str, kind: Kind, value: &str) -> Option<String> {
        let c = cond(json, kind).unwrap();
        let n = normalize(kind, None, value).unwrap();
        c.eval(&n).map(|h| n.text[h.span].to_string())
    }

    #[test]
    fn a_named_unicode_property_says_it_is_left_out() {
        for p in [r"\p{Greek}", r"x\pL", r"[\P{Han}a]"] {
            let e = Pattern::new(p, 1 << 20).unwrap_err();
            assert!(e.contains("named Unicode properties"), "{p}: {e}");
        }
        // An escaped backslash before p is a literal backslash and a p.
        assert!(Pattern::new(r"a\\pb", 1 << 20).is_ok());
        assert!(Pattern::new(r"[α-ω]+", 1 << 20).is_ok());
    }

    #[test]
    fn a_regex_is_checked_at_load_and_built_on_first_search() {
        // The size limit is checked when the pattern is made...
        let big = Pattern::new("[a-z]{500}[0-9]{500}", 4096).unwrap_err();
        assert!(
            big.starts_with("it compiles to more than the limit of 4096 bytes"),
            "{big}"
        );
        assert!(Pattern::new("(unclosed", 1 << 20).is_err());
        // ...and the engine on the first search, which then matches.
        let p = Pattern::new("(?i)edge-[0-9]+", 1 << 20).unwrap();
        assert!(p.regex.get().is_none());
        assert!(p.compiled_bytes() > 0);
        assert_eq!(p.find("x EDGE-42 y"), Some(2..9));
        assert!(p.regex.get().is_some());
        assert_eq!(p.find("edge-"), None);
    }

    #[test]
    fn domain_suffix_is_label_aware() {
        let c = r#"{"domain_suffix": "Outlook.com."}"#;
        assert_eq!(
            hit(c, Kind::DnsMx, "x.outlook.com."),
            Some("outlook.com".into())
        );
        assert_eq!(
            hit(c, Kind::DnsMx, "outlook.com"),
            Some("outlook.com".into())
        );
        assert_eq!(hit(c, Kind::DnsMx, "evil-outlook.com"), None);
    }

    #[test]
    fn internationalised_suffixes_compare_in_ascii() {
        let c = r#"{"domain_suffix": "Bücher.example"}"#;
        assert_eq!(
            hit(c, Kind::HtmlScriptSrc, "https://www.bücher.example/a.js"),
            Some("xn--bcher-kva.example".into())
        );
        assert_eq!(
            hit(c, Kind::DnsCname, "cdn.xn--bcher-kva.example."),
            Some("xn--bcher-kva.example".into())
        );
    }

    #[test]
    fn literals_fold_case_and_regex_does_not() {
        assert_eq!(
            hit(r#"{"contains": "AMAZON"}"#, Kind::TlsIssuer, "O=Amazon"),
            Some("Amazon".into())
        );
        assert_eq!(
            hit(r#"{"regex": "amazon"}"#, Kind::TlsIssuer, "O=Amazon"),
            None
        );
        assert_eq!(
            hit(r#"{"regex": "(?i)amazon"}"#, Kind::TlsIssuer, "O=Amazon"),
            Some("Amazon".into())
        );
    }

    #[test]
    fn combinators() {
        let c = r#"{"all": [{"prefix": "v=spf1"}, {"not": {"contains": "-all"}}, {"contains": "include:_spf.google.com"}]}"#;
        assert_eq!(
            hit(c, Kind::DnsTxt, "v=spf1 include:_spf.google.com ~all"),
            Some("v=spf1".into())
        );
        assert_eq!(
            hit(c, Kind::DnsTxt, "v=spf1 include:_spf.google.com -all"),
            None
        );
        let c = r#"{"any": [{"equals": "a"}, {"equals": "b"}]}"#;
        assert_eq!(hit(c, Kind::WhoisRegistrar, "B"), Some("B".into()));
    }

    #[test]
    fn cidr_reports_every_covering_prefix() {
        let c = cond(
            r#"{"cidr": {"prefixes": ["52.0.0.0/8", "52.84.0.0/15"]}}"#,
            Kind::DnsA,
        )
        .unwrap();
        let n = normalize(Kind::DnsA, None, "52.84.3.4").unwrap();
        let found: Vec<String> = c
            .eval(&n)
            .unwrap()
            .prefixes
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(found, ["52.0.0.0/8", "52.84.0.0/15"]);
    }

    #[test]
    fn errors_name_the_place() {
        let errs = cond(
            r#"{"all": [{"regex": "("}, {"cidr": {"prefixes": ["1.2.3.0/33"]}}]}"#,
            Kind::DnsA,
        )
        .unwrap_err();
        assert_eq!(errs[0].path, "all[0].regex");
        assert_eq!(errs[0].message, "invalid regex \"(\": unclosed group");
        assert_eq!(errs[1].path, "all[1].cidr.prefixes[0]");
        let errs = cond(r#"{"domain_suffix": "x.com"}"#, Kind::TlsIssuer).unwrap_err();
        assert!(errs[0].message.contains("not host names"));
        let errs = cond(r#"{"asn": [1]}"#, Kind::DnsA).unwrap_err();
        assert_eq!(errs[0].path, "asn");
    }

    #[test]
    fn regex_size_is_bounded() {
        let errs = cond(
            r#"{"regex": "\\w{1000}\\w{1000}\\w{1000}"}"#,
            Kind::TlsIssuer,
        )
        .unwrap_err();
        assert!(errs[0].message.contains("limit"), "{}", errs[0].message);
    }

    #[test]
    fn display_is_readable() {
        let c = cond(
            r#"{"all": [{"contains": "x"}, {"not": {"prefix": "y"}}]}"#,
            Kind::DnsTxt,
        )
        .unwrap();
        assert_eq!(c.to_string(), r#"all(contains "x", not(prefix "y"))"#);
    }
}
