//! Registrars over RDAP (RFC 9082/9083), the pure half: IANA's bootstrap
//! registry (RFC 9224) names the RDAP server of each top-level domain; the
//! domain object's entity with the `registrar` role names the registrar.
//! `whoserves collect` and the viewer's live check fetch; these read.

use serde_json::Value;

/// IANA's bootstrap file for domain names.
pub const IANA_BOOTSTRAP: &str = "https://data.iana.org/rdap/dns.json";

/// The RDAP base URLs of the longest TLD suffix of `domain` in a bootstrap
/// file (`{"services": [[["com", "net"], ["https://rdap.verisign.com/com/v1/"]], …]}`),
/// https ones first.
pub fn servers_for(bootstrap: &Value, domain: &str) -> Vec<String> {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let mut best: Option<(usize, Vec<String>)> = None;
    for service in bootstrap["services"].as_array().into_iter().flatten() {
        let (Some(tlds), Some(urls)) = (service[0].as_array(), service[1].as_array()) else {
            continue;
        };
        for tld in tlds.iter().filter_map(Value::as_str) {
            let tld = tld.to_ascii_lowercase();
            let hit = domain == tld || domain.ends_with(&format!(".{tld}"));
            if hit && best.as_ref().is_none_or(|(n, _)| tld.len() > *n) {
                let mut list: Vec<String> = urls
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .map(str::to_string)
                    .collect();
                list.sort_by_key(|u| !u.starts_with("https://"));
                best = Some((tld.len(), list));
            }
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// The domain query URL under an RDAP base URL.
pub fn domain_url(base: &str, domain: &str) -> String {
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}domain/{}", domain.trim_end_matches('.'))
}

/// The registrar's name in an RDAP domain object: the `fn` of the vCard of
/// the entity whose roles include `registrar`.
pub fn registrar(domain_object: &Value) -> Option<String> {
    domain_object["entities"]
        .as_array()?
        .iter()
        .filter(|e| {
            e["roles"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == "registrar"))
        })
        .find_map(|e| {
            e["vcardArray"][1]
                .as_array()?
                .iter()
                .find(|p| p[0] == "fn")
                .and_then(|p| p[3].as_str())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_longest_tld_wins_and_https_comes_first() {
        let b = json!({"services": [
            [["com", "net"], ["http://rdap.example/com/", "https://rdap.verisign.com/com/v1/"]],
            [["cn"], ["https://rdap.cnnic.cn/"]],
            [["com.cn"], ["https://rdap.sub.example/"]],
        ]});
        assert_eq!(
            servers_for(&b, "hikvision.com"),
            [
                "https://rdap.verisign.com/com/v1/",
                "http://rdap.example/com/"
            ]
        );
        assert_eq!(servers_for(&b, "x.com.cn"), ["https://rdap.sub.example/"]);
        assert!(servers_for(&b, "a.org").is_empty());
        assert_eq!(
            domain_url("https://rdap.verisign.com/com/v1/", "a.com."),
            "https://rdap.verisign.com/com/v1/domain/a.com"
        );
    }

    #[test]
    fn the_registrar_is_the_registrar_entitys_fn() {
        let d = json!({"entities": [
            {"roles": ["registrant"], "vcardArray": ["vcard", [["fn", {}, "text", "Someone"]]]},
            {"roles": ["registrar"], "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "MarkMonitor Inc."]]]}
        ]});
        assert_eq!(registrar(&d).as_deref(), Some("MarkMonitor Inc."));
        assert_eq!(registrar(&json!({"entities": []})), None);
    }
}
