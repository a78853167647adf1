//! Input normalisation, done once per observation before any rule runs.
//!
//! - host names: lower case (through [`Normalized::folded`]), trailing dot
//!   stripped, MX preference dropped (`10 mx.example.com.` -> `mx.example.com`);
//! - TXT: quoted chunks joined (`"v=spf1 " "include:x -all"` -> `v=spf1 include:x -all`);
//! - SOA: the primary name server (`mname`) and the mailbox (`rname`) lose
//!   their trailing dots; only the `mname` is a host. The `rname` is a
//!   mailbox written as a name (`hostmaster.example.com` is
//!   `hostmaster@example.com`), so `domain_suffix` does not read it;
//!   `contains`, `prefix` and `regex` read the whole record;
//! - IPs: parsed; ASNs: `AS16509` and `16509` both read as 16509;
//! - URLs (`html.*`): parsed as a browser parses them, by the WHATWG URL
//!   Standard (<https://url.spec.whatwg.org/>, through the `url` crate),
//!   relative to the page `https://TARGET/`. The normalised value is the
//!   URL's serialisation, and its host is what `domain_suffix` reads: in
//!   `https://evil.example\@fonts.googleapis.com/` that is `evil.example`,
//!   the host a browser fetches from; `https:fonts.googleapis.com/x.js` and
//!   `https://fonts%2Egoogleapis.com/` are `fonts.googleapis.com`, and so
//!   is `https:fonts.googleapis.com/x.js` read without a page (a rule's
//!   example); on an `https` page it is a relative path on the page's host,
//!   as browsers resolve it. Only `http` and `https` URLs have a host: a
//!   browser loads nothing from `javascript://host/`. A value that is no URL
//!   has no host.
//!
//! Spans reported by matches are byte ranges into [`Normalized::text`].

use crate::keywords::Kind;
use std::net::IpAddr;
use std::ops::Range;
use url::{Position, Url};

/// An observation value prepared for matching.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Normalized {
    /// The normalised value, original case.
    pub text: String,
    /// `text` with ASCII letters lower-cased, when that differs from
    /// `text` (see [`Normalized::folded`]).
    lowered: Option<String>,
    /// The span of the host name within `text` (for `domain_suffix`).
    pub host: Option<Range<usize>>,
    /// The IP, for `dns.a` / `dns.aaaa`.
    pub ip: Option<IpAddr>,
    /// The AS number, for `ip.asn`.
    pub asn: Option<u32>,
    /// Lower-cased header name, for `http.header`.
    pub key: Option<String>,
}

impl Normalized {
    /// `text` with ASCII letters lower-cased; byte offsets are identical.
    pub fn folded(&self) -> &str {
        self.lowered.as_deref().unwrap_or(&self.text)
    }
}

/// Why a value could not be normalised for its kind.
pub type NormalizeError = String;

/// Normalises `value` (and `key`) of an observation of `kind`, with no
/// page to resolve relative URLs against (rule examples).
pub fn normalize(kind: Kind, key: Option<&str>, value: &str) -> Result<Normalized, NormalizeError> {
    normalize_on(kind, key, value, None)
}

/// Normalises `value` (and `key`) of an observation of `kind` made on the
/// page of host `target`, against which relative URLs resolve.
pub fn normalize_on(
    kind: Kind,
    key: Option<&str>,
    value: &str,
    target: Option<&str>,
) -> Result<Normalized, NormalizeError> {
    let trimmed = value.trim();
    let mut ip = None;
    let mut asn = None;
    let mut host = None;
    let text = match kind {
        Kind::DnsNs | Kind::DnsCname => {
            let t = strip_dot(trimmed).to_string();
            host = Some(0..t.len());
            t
        }
        Kind::DnsMx => {
            let host_text = match trimmed.split_once(char::is_whitespace) {
                Some((pref, rest)) if pref.bytes().all(|b| b.is_ascii_digit()) => rest.trim(),
                _ => trimmed,
            };
            let t = strip_dot(host_text).to_string();
            host = Some(0..t.len());
            t
        }
        Kind::DnsSoa => {
            let tokens: Vec<&str> = trimmed.split_whitespace().collect();
            let mut t = String::new();
            for (i, tok) in tokens.iter().enumerate() {
                if i > 0 {
                    t.push(' ');
                }
                let tok = if i < 2 { strip_dot(tok) } else { tok };
                if i == 0 {
                    host = Some(t.len()..t.len() + tok.len());
                }
                t.push_str(tok);
            }
            t
        }
        Kind::DnsTxt => join_txt_chunks(trimmed),
        Kind::DnsA | Kind::DnsAaaa => {
            let parsed: IpAddr = trimmed
                .parse()
                .map_err(|_| format!("\"{trimmed}\" is not an IP address"))?;
            match (kind, parsed) {
                (Kind::DnsA, IpAddr::V6(_)) => {
                    return Err(format!("\"{trimmed}\" is IPv6; dns.a holds IPv4 addresses"))
                }
                (Kind::DnsAaaa, IpAddr::V4(_)) => {
                    return Err(format!(
                        "\"{trimmed}\" is IPv4; dns.aaaa holds IPv6 addresses"
                    ))
                }
                _ => {}
            }
            ip = Some(parsed);
            parsed.to_string()
        }
        Kind::IpAsn => {
            let n = parse_asn(trimmed)?;
            asn = Some(n);
            format!("AS{n}")
        }
        Kind::HtmlScriptSrc | Kind::HtmlLinkHref => match parse_url(trimmed, target) {
            Some((url, url_host)) => {
                host = url_host;
                url
            }
            None => trimmed.to_string(),
        },
        Kind::TlsIssuer | Kind::HttpHeader => trimmed.to_string(),
        Kind::WhoisRegistrar => trimmed.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    let key = match kind {
        Kind::HttpHeader => Some(key.unwrap_or("").trim().to_ascii_lowercase()),
        _ => None,
    };
    let lowered = text
        .bytes()
        .any(|b| b.is_ascii_uppercase())
        .then(|| text.to_ascii_lowercase());
    Ok(Normalized {
        lowered,
        text,
        host,
        ip,
        asn,
        key,
    })
}

/// Parses `AS16509`, `as16509` or `16509`.
pub fn parse_asn(text: &str) -> Result<u32, NormalizeError> {
    let digits = text
        .strip_prefix("AS")
        .or_else(|| text.strip_prefix("as"))
        .unwrap_or(text);
    digits
        .parse::<u32>()
        .map_err(|_| format!("\"{text}\" is not an AS number (expected e.g. AS16509 or 16509)"))
}

/// Lower-cases a host name or domain and strips its trailing dot.
pub fn normalize_host(host: &str) -> String {
    strip_dot(host.trim()).to_ascii_lowercase()
}

fn strip_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// Joins DNS TXT character-strings: `"a" "b"` -> `ab`. A value without
/// quotes is returned as is.
pub(crate) fn join_txt_chunks(value: &str) -> String {
    if !value.starts_with('"') {
        return value.to_string();
    }
    let mut out = String::new();
    let mut chars = value.chars();
    let mut in_chunk = false;
    while let Some(c) = chars.next() {
        match (in_chunk, c) {
            (false, '"') => in_chunk = true,
            (false, _) => {}
            (true, '"') => in_chunk = false,
            (true, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (true, c) => out.push(c),
        }
    }
    out
}

/// Parses `value` as a browser would on a page of host `target` (WHATWG
/// URL Standard) and returns the serialisation and its host's byte range
/// (without a trailing dot). `None` when it is no URL.
fn parse_url(value: &str, target: Option<&str>) -> Option<(String, Option<Range<usize>>)> {
    let page = target
        .filter(|t| !t.is_empty())
        .and_then(|t| Url::parse(&format!("https://{t}/")).ok());
    // Without a page, a scheme-relative URL still names its host.
    let owned;
    let value = if page.is_none() && (value.starts_with("//") || value.starts_with("\\\\")) {
        owned = format!("https:{value}");
        owned.as_str()
    } else {
        value
    };
    let url = Url::options().base_url(page.as_ref()).parse(value).ok()?;
    // Only http(s) URLs are fetched from a host: `javascript://x/` and
    // `data:` name none a browser would load from.
    let fetched = matches!(url.scheme(), "http" | "https");
    let host = url
        .host_str()
        .filter(|h| fetched && !h.is_empty())
        .map(|_| {
            let start = url[..Position::BeforeHost].len();
            let mut end = url[..Position::AfterHost].len();
            if url.as_str()[start..end].ends_with('.') {
                end -= 1;
            }
            start..end
        });
    Some((url.as_str().to_string(), host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(n: &Normalized) -> Vec<&str> {
        n.host.iter().map(|r| &n.text[r.clone()]).collect()
    }

    #[test]
    fn mx_drops_preference_and_dot() {
        let n = normalize(Kind::DnsMx, None, "10 Mail.Protection.Outlook.COM.").unwrap();
        assert_eq!(n.text, "Mail.Protection.Outlook.COM");
        assert_eq!(n.folded(), "mail.protection.outlook.com");
        assert_eq!(hosts(&n), ["Mail.Protection.Outlook.COM"]);
    }

    #[test]
    fn txt_chunks_join() {
        let n = normalize(
            Kind::DnsTxt,
            None,
            r#""v=spf1 include:spf.protection." "outlook.com -all""#,
        )
        .unwrap();
        assert_eq!(n.text, "v=spf1 include:spf.protection.outlook.com -all");
    }

    #[test]
    fn soa_hosts_are_the_first_two_tokens() {
        let n = normalize(
            Kind::DnsSoa,
            None,
            "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
        )
        .unwrap();
        // The rname is a mailbox, not a host.
        assert_eq!(hosts(&n), ["ns-1.awsdns-01.org"]);
        assert_eq!(
            n.text,
            "ns-1.awsdns-01.org awsdns-hostmaster.amazon.com 1 7200 900 1209600 86400"
        );
    }

    #[test]
    fn ips_and_asns() {
        assert!(normalize(Kind::DnsA, None, "2001:db8::1").is_err());
        assert_eq!(
            normalize(Kind::DnsAaaa, None, "2001:DB8::1").unwrap().text,
            "2001:db8::1"
        );
        assert_eq!(
            normalize(Kind::IpAsn, None, "as16509").unwrap().asn,
            Some(16509)
        );
        assert!(normalize(Kind::IpAsn, None, "ASX").is_err());
    }

    #[test]
    fn url_hosts() {
        let n = normalize(
            Kind::HtmlScriptSrc,
            None,
            "https://user@www.Google-Analytics.com:443/ga.js",
        )
        .unwrap();
        assert_eq!(hosts(&n), ["www.google-analytics.com"]);
        let n = normalize(
            Kind::HtmlLinkHref,
            None,
            "//fonts.googleapis.com./css?family=x",
        )
        .unwrap();
        assert_eq!(hosts(&n), ["fonts.googleapis.com"]);
        let n = normalize(Kind::HtmlScriptSrc, None, "/static/app.js").unwrap();
        assert!(n.host.is_none());
        // A relative URL on a page resolves to the page's host.
        let n = normalize_on(
            Kind::HtmlScriptSrc,
            None,
            "/static/app.js",
            Some("www.firm.example"),
        )
        .unwrap();
        assert_eq!(hosts(&n), ["www.firm.example"]);
    }

    #[test]
    fn urls_parse_as_browsers_do() {
        let host = |v: &str| {
            let n = normalize(Kind::HtmlScriptSrc, None, v).unwrap();
            hosts(&n).first().map(|h| h.to_string())
        };
        // A backslash ends the authority in special schemes: the host is evil.example.
        assert_eq!(
            host("https://evil.example\\@fonts.googleapis.com/").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            host("https:fonts.googleapis.com/x.js").as_deref(),
            Some("fonts.googleapis.com")
        );
        assert_eq!(
            host("https://fonts%2Egoogleapis.com/x.js").as_deref(),
            Some("fonts.googleapis.com")
        );
        assert_eq!(
            host("HTTPS://FONTS.GOOGLEAPIS.COM/x").as_deref(),
            Some("fonts.googleapis.com")
        );
        assert_eq!(
            host(" https://a.example/\tb ").as_deref(),
            Some("a.example")
        );
        assert_eq!(host("data:text/javascript,alert(1)"), None);
        assert_eq!(host("javascript://fonts.googleapis.com/%0aalert(1)"), None);
        assert_eq!(host("https://exa mple.com/"), None);
    }

    #[test]
    fn header_keys_fold() {
        let n = normalize(Kind::HttpHeader, Some(" X-Amz-Cf-Id "), "abc").unwrap();
        assert_eq!(n.key.as_deref(), Some("x-amz-cf-id"));
    }
}
