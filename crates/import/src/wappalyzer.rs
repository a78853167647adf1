//! `whoserves import wappalyzer DIR`: Wappalyzer-format technology files
//! (webappanalyzer's `src/technologies/*.json`) become typed rules.
//!
//! What is read, per technology: `dns` (`TXT`, `MX`, `NS`, `SOA`, `CNAME`),
//! `headers`, `scriptSrc` and `certIssuer`. Each pattern is a JavaScript
//! regular expression, matched case-insensitively, with tags after `\;`
//! (`\;version:\1`, `\;confidence:50`); the tags are stripped and the
//! expression becomes a `(?i)` Rust `regex` condition. An expression the
//! `regex` crate cannot compile (look-around, backreferences) is not
//! converted: it is counted under its reason, with examples, never dropped
//! silently.
//!
//! **Categories follow the record, not the technology** (Wappalyzer labels
//! Cloudflare's name servers "CDN"): MX → email, NS and SOA → dns, an
//! issuer → tls-ca. For the other fields the technology's own categories
//! decide (CDN → cdn, PaaS/IaaS/hosting → hosting, email → email,
//! analytics and advertising → analytics), and the observation kind must
//! allow it, else `other`. A technology in none of those categories is
//! software, not a provider (a `server: nginx` header): its header, script,
//! CNAME and TXT patterns are left out unless `all` is set, and then they
//! are `weak`.
//!
//! **Relationships are conservative**: DNS, issuer and header matches of a
//! provider are `direct`; scripts are `incidental` (whether a script needs
//! the firm's own account cannot be read from the pattern; review and
//! relabel them `account` where it does); TXT is `weak`.
//!
//! The format has no examples, so every rule converted is untested; the
//! loader warns about each. The format's licence is not this project's:
//! convert the files you have, do not redistribute the result.

use crate::library::{slug, to_json};
use serde_json::Value;
use std::collections::BTreeMap;
use whoserves_core::keywords::Kind;
use whoserves_core::wire;

/// Options of `import wappalyzer`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Convert the header, script, CNAME and TXT patterns of technologies
    /// outside the provider categories too (as `other`, `weak`).
    pub all: bool,
}

/// What a conversion made.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// The rule library.
    pub bundle: wire::Bundle,
    /// Patterns converted, by observation kind.
    pub converted: BTreeMap<&'static str, usize>,
    /// Patterns not converted, by reason: the count and a few examples
    /// (`technology: pattern`).
    pub failed: BTreeMap<String, (usize, Vec<String>)>,
    /// Patterns left out on purpose (software, not a provider), by field.
    pub out_of_scope: BTreeMap<&'static str, usize>,
    /// Technologies read.
    pub technologies: usize,
}

impl Converted {
    /// The library as JSON text.
    pub fn to_json(&self) -> String {
        to_json(&self.bundle)
    }

    /// Every pattern that could not be converted, counted by reason.
    pub fn failures(&self) -> usize {
        self.failed.values().map(|(n, _)| n).sum()
    }

    fn fail(&mut self, reason: String, tech: &str, pattern: &str) {
        let slot = self.failed.entry(reason).or_default();
        slot.0 += 1;
        if slot.1.len() < 3 {
            slot.1.push(format!("{tech}: {pattern}"));
        }
    }
}

/// Wappalyzer category ids (webappanalyzer `src/categories.json`) that
/// name a service provider, and the category each implies.
const PROVIDER_CATEGORIES: &[(u64, &str)] = &[
    (31, "cdn"),       // CDN
    (62, "hosting"),   // PaaS
    (63, "hosting"),   // IaaS
    (88, "hosting"),   // Hosting
    (75, "email"),     // Email
    (10, "analytics"), // Analytics
    (36, "analytics"), // Advertising
    (42, "analytics"), // Tag managers
];

/// Converts technology files: `(file name, text)` pairs.
pub fn convert(files: &[(String, String)], opts: &Options) -> Result<Converted, String> {
    let mut out = Converted::default();
    let mut seen_ids = std::collections::HashSet::new();
    for (name, text) in files {
        let techs: serde_json::Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| format!("{name}: not a Wappalyzer technology file: {e}"))?;
        for (tech, def) in &techs {
            out.technologies += 1;
            convert_tech(tech, def, opts, &mut out, &mut seen_ids);
        }
    }
    out.bundle.format = wire::FORMAT_V1.into();
    out.bundle.meta = wire::Meta {
        title: "Rules converted from Wappalyzer-format technology files".into(),
        description: Some(format!(
            "Converted with `whoserves import wappalyzer` from {} technologies in {} files: {} rules; {} patterns could not be converted. Patterns are the files' own; the format has no examples, so no rule is tested. Not for redistribution under this project's licence.",
            out.technologies,
            files.len(),
            out.bundle.rules.len(),
            out.failures()
        )),
        ..Default::default()
    };
    Ok(out)
}

fn convert_tech(
    tech: &str,
    def: &Value,
    opts: &Options,
    out: &mut Converted,
    seen_ids: &mut std::collections::HashSet<String>,
) {
    let cats: Vec<u64> = def
        .get("cats")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let provider_category = PROVIDER_CATEGORIES
        .iter()
        .find(|(id, _)| cats.contains(id))
        .map(|(_, c)| *c);
    let website = def
        .get("website")
        .and_then(Value::as_str)
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(str::to_string);
    let entity_id = format!("wappalyzer-{}", slug(tech));
    let mut patterns: Vec<(Kind, Option<String>, String)> = Vec::new();
    if let Some(dns) = def.get("dns").and_then(Value::as_object) {
        for (record, list) in dns {
            let kind = match record.to_ascii_uppercase().as_str() {
                "TXT" => Kind::DnsTxt,
                "MX" => Kind::DnsMx,
                "NS" => Kind::DnsNs,
                "SOA" => Kind::DnsSoa,
                "CNAME" => Kind::DnsCname,
                other => {
                    for p in strings(list) {
                        out.fail(
                            format!("DNS record type {other} has no observation kind"),
                            tech,
                            &p,
                        );
                    }
                    continue;
                }
            };
            patterns.extend(strings(list).into_iter().map(|p| (kind, None, p)));
        }
    }
    if let Some(headers) = def.get("headers").and_then(Value::as_object) {
        for (key, p) in headers {
            for p in strings(p) {
                patterns.push((Kind::HttpHeader, Some(key.to_ascii_lowercase()), p));
            }
        }
    }
    for p in def.get("scriptSrc").map(strings).unwrap_or_default() {
        patterns.push((Kind::HtmlScriptSrc, None, p));
    }
    for p in def.get("certIssuer").map(strings).unwrap_or_default() {
        patterns.push((Kind::TlsIssuer, None, p));
    }
    let mut made = false;
    for (n, (kind, key, pattern)) in patterns.into_iter().enumerate() {
        let inherent = match kind {
            Kind::DnsMx => Some("email"),
            Kind::DnsNs | Kind::DnsSoa => Some("dns"),
            Kind::TlsIssuer => Some("tls-ca"),
            _ => None,
        };
        let category = match (inherent, provider_category) {
            (Some(c), _) => c,
            (None, Some(c)) if kind.allowed_categories().contains(&c) => c,
            (None, Some(_)) => "other",
            (None, None) if opts.all => "other",
            (None, None) => {
                *out.out_of_scope.entry(kind.as_str()).or_default() += 1;
                continue;
            }
        };
        let relationship = match kind {
            Kind::DnsTxt => "weak",
            _ if inherent.is_none() && provider_category.is_none() => "weak",
            Kind::HtmlScriptSrc => "incidental",
            _ => "direct",
        };
        let regex = match to_regex(&pattern) {
            Ok(r) => r,
            Err(reason) => {
                out.fail(reason, tech, &pattern);
                continue;
            }
        };
        let mut id = format!("{entity_id}-{}-{n}", kind.as_str().replace('.', "-"));
        while !seen_ids.insert(id.clone()) {
            id.push('x');
        }
        *out.converted.entry(kind.as_str()).or_default() += 1;
        out.bundle.rules.push(wire::Rule {
            id,
            provider: entity_id.clone(),
            category: category.into(),
            relationship: relationship.into(),
            matcher: wire::Matcher {
                kind: kind.as_str().into(),
                key,
                condition: wire::Condition::Regex(regex),
            },
            explanation: format!(
                "Converted from the Wappalyzer-format fingerprint of {tech} ({}): {}.",
                kind.as_str(),
                pattern.split("\\;").next().unwrap_or("").trim()
            ),
            references: website.iter().cloned().collect(),
            ..Default::default()
        });
        made = true;
    }
    if made && !out.bundle.entities.iter().any(|e| e.id == entity_id) {
        let mut e = crate::library::provider(&entity_id, tech, None, &[]);
        e.sources = website.into_iter().collect();
        out.bundle.entities.push(e);
    }
}

/// A field's patterns: a string or a list of strings.
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The Rust regex for a Wappalyzer pattern, or why there is none.
///
/// ```
/// use whoserves_import::wappalyzer::to_regex;
/// assert_eq!(to_regex(r"cloudflare\;confidence:50").unwrap(), "(?i)cloudflare");
/// assert_eq!(to_regex(r"jquery-([\d.]+)\.js\;version:\1").unwrap(), r"(?i)jquery-([[0-9].]+)\.js");
/// // JavaScript's \w is ASCII, and so is the conversion's.
/// assert_eq!(to_regex(r"x\w{0,64}\.js").unwrap(), r"(?i)x[0-9A-Za-z_]{0,64}\.js");
/// assert!(to_regex(r"^(?!www\.)x\.com").unwrap_err().starts_with("look-around"));
/// // The core compiles no Unicode property tables, and says so.
/// assert!(to_regex(r"\p{L}+\.js").unwrap_err().contains(r"named Unicode properties (\p{..}, \P{..}) are not supported"));
/// ```
pub fn to_regex(pattern: &str) -> Result<String, String> {
    let body = pattern.split("\\;").next().unwrap_or("");
    // An empty pattern means "present"; any value then matches.
    let rust = format!("(?i){}", ascii_classes(body));
    // The core's own compile path and size limit decide.
    let limit = whoserves_core::Limits::default().regex_size_limit;
    match whoserves_core::matcher::Pattern::new(&rust, limit) {
        Ok(_) => Ok(rust),
        Err(text) => Err(if text.contains("look-around") {
            "look-around ((?=, (?!, (?<=, (?<!) is not supported by the regex crate".into()
        } else if text.contains("backreference") {
            "backreferences are not supported by the regex crate".into()
        } else if text.contains("limit") {
            "the compiled expression exceeds the size limit".into()
        } else {
            // The parser's report ends with an `error:` line; the core's
            // own refusals (named Unicode properties) are one sentence.
            let last = text
                .lines()
                .rfind(|l| l.starts_with("error:"))
                .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
                .unwrap_or("invalid");
            format!(
                "not a valid Rust regex ({})",
                last.trim_start_matches("error: ")
            )
        }),
    }
}

/// JavaScript's `\w`, `\W`, `\d`, `\D` and `\b` are ASCII; the `regex`
/// crate's are Unicode (and `\w{0,64}` then compiles to hundreds of
/// kilobytes). Each becomes its ASCII form, inside classes too (Rust
/// classes nest). An escaped backslash is left alone.
fn ascii_classes(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut chars = js.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "Amazon CloudFront": {"cats": [31], "website": "https://aws.amazon.com/cloudfront/",
        "headers": {"Via": "\\(CloudFront\\)$", "X-Amz-Cf-Id": ""}, "dns": {"CNAME": "\\.cloudfront\\.net"}},
      "Google Workspace": {"cats": [30, 75], "website": "https://workspace.google.com",
        "dns": {"MX": ["aspmx\\.l\\.google\\.com", "googlemail\\.com"], "TXT": "google-site-verification"}},
      "Nginx": {"cats": [22], "website": "http://nginx.org/en", "headers": {"Server": "nginx(?:/([\\d.]+))?\\;version:\\1"}},
      "Lookey": {"cats": [31], "scriptSrc": ["^(?!https://safe).*lookey\\.js", "lookey\\.min\\.js\\;confidence:50"],
        "dns": {"SRV": "x"}}
    }"#;

    #[test]
    fn converts_typed_rules_and_counts_what_it_cannot() {
        let c = convert(&[("t.json".into(), FILE.into())], &Options::default()).unwrap();
        assert_eq!(c.technologies, 4);
        let rules: Vec<(String, String, String, String)> = c
            .bundle
            .rules
            .iter()
            .map(|r| {
                let wire::Condition::Regex(re) = &r.matcher.condition else {
                    panic!("regex")
                };
                (
                    r.matcher.kind.clone(),
                    r.category.clone(),
                    r.relationship.clone(),
                    re.clone(),
                )
            })
            .collect();
        let expect = |k: &str, c: &str, r: &str, re: &str| {
            (k.to_string(), c.to_string(), r.to_string(), re.to_string())
        };
        assert!(rules.contains(&expect(
            "dns.cname",
            "cdn",
            "direct",
            r"(?i)\.cloudfront\.net"
        )));
        assert!(rules.contains(&expect(
            "http.header",
            "cdn",
            "direct",
            r"(?i)\(CloudFront\)$"
        )));
        assert!(rules.contains(&expect("http.header", "cdn", "direct", "(?i)")));
        assert!(rules.contains(&expect(
            "dns.mx",
            "email",
            "direct",
            r"(?i)aspmx\.l\.google\.com"
        )));
        assert!(rules.contains(&expect(
            "dns.txt",
            "email",
            "weak",
            "(?i)google-site-verification"
        )));
        assert!(rules.contains(&expect(
            "html.script_src",
            "cdn",
            "incidental",
            r"(?i)lookey\.min\.js"
        )));
        // Nginx is software: its header is out of scope, not a provider.
        assert!(!c.bundle.entities.iter().any(|e| e.name == "Nginx"));
        assert_eq!(c.out_of_scope.get("http.header"), Some(&1));
        // Every failure is counted with its reason.
        assert_eq!(c.failures(), 2);
        assert!(c.failed.keys().any(|k| k.starts_with("look-around")));
        assert!(c.failed.keys().any(|k| k.contains("SRV")));
        // The library loads; rules are untested (warnings), nothing else.
        let text = c.to_json();
        let loaded = whoserves_core::load(&text, &whoserves_core::Limits::default());
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == whoserves_core::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(loaded.bundle.rules.len(), c.bundle.rules.len());
    }

    #[test]
    fn javascript_classes_become_ascii() {
        assert_eq!(
            ascii_classes(r"[\w\.-]\d\\w\b"),
            r"[[0-9A-Za-z_]\.-][0-9]\\w(?-u:\b)"
        );
    }

    #[test]
    fn all_takes_software_as_weak_other() {
        let c = convert(&[("t.json".into(), FILE.into())], &Options { all: true }).unwrap();
        let nginx = c
            .bundle
            .rules
            .iter()
            .find(|r| r.provider == "wappalyzer-nginx")
            .unwrap();
        assert_eq!(
            (nginx.category.as_str(), nginx.relationship.as_str()),
            ("other", "weak")
        );
        assert_eq!(nginx.matcher.key.as_deref(), Some("server"));
    }
}
