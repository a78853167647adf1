//! Hints: what a diagnostic suggests so its reader can fix the mistake.
//!
//! Two kinds of help live here: "did you mean" for an id that is close to
//! one the bundle declares (string distance from `strsim`), and the ids
//! the shipped rule library declares, so a bundle that forgot its
//! `include` is told which line to add instead of only that `amazon` is
//! unknown.
//!
//! ```
//! use whoserves_core::hint::did_you_mean;
//! let ids = ["amazon", "amazon-cloudfront", "amazon-route53", "cloudflare"];
//! assert_eq!(did_you_mean("aws-cloudfront", ids), Some("amazon-cloudfront"));
//! assert_eq!(did_you_mean("cloudflair", ids), Some("cloudflare"));
//! assert_eq!(did_you_mean("hikvision", ids), None);
//! ```

/// The shipped library of providers and their rules, as a bundle in the
/// site's `bundles/` folder includes it.
pub const SHIPPED_LIBRARY: &str = "../rules/providers.json";

/// The entity ids `public/rules/providers.json` declares. A test holds
/// this list equal to the file.
pub const SHIPPED_PROVIDERS: &[&str] = &[
    "amazon",
    "aws",
    "amazon-route53",
    "amazon-ses",
    "amazon-cloudfront",
    "amazon-s3",
    "amazon-trust-services",
    "amazon-registrar",
    "microsoft",
    "microsoft-365",
    "azure",
    "microsoft-21vianet",
    "google",
    "google-fonts",
    "google-analytics",
    "facebook",
    "twitter",
    "cloudflare",
    "akamai",
    "fastly",
    "stackpath",
    "digicert",
    "geotrust",
    "lets-encrypt",
    "entrust",
    "godaddy",
    "alibaba-cloud",
    "tencent-cloud",
    "dnspod",
    "namecheap",
    "markmonitor",
    "network-solutions",
    "xinnet",
    "ename",
    "west-cn",
];

/// Whether the shipped library declares entity `id`.
pub fn in_shipped_library(id: &str) -> bool {
    SHIPPED_PROVIDERS.contains(&id)
}

/// The candidate closest to `word`, when one is close enough to be what
/// was meant: a normalised Damerau–Levenshtein similarity of at least 0.6,
/// or, failing that, a shared hyphen-separated word of four letters or
/// more (`aws-cloudfront` and `amazon-cloudfront` share `cloudfront`).
/// Comparison ignores ASCII case; ties go to the earlier candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let tokens: Vec<&str> = word
        .split(['-', '_', '.', ' '])
        .filter(|t| t.len() >= 4)
        .collect();
    let mut best: Option<(f64, &'a str)> = None;
    let mut shared: Option<(usize, &'a str)> = None;
    for c in candidates {
        let lower = c.to_ascii_lowercase();
        if lower == word {
            continue;
        }
        let score = strsim::normalized_damerau_levenshtein(&word, &lower);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
        let common = lower
            .split(['-', '_', '.', ' '])
            .filter(|t| tokens.contains(t))
            .map(str::len)
            .sum::<usize>();
        if common > 0 && shared.is_none_or(|(n, _)| common > n) {
            shared = Some((common, c));
        }
    }
    match (best, shared) {
        (Some((s, c)), _) if s >= 0.6 => Some(c),
        (_, Some((_, c))) => Some(c),
        _ => None,
    }
}

/// `, did you mean "x"?` for a message, or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!("; did you mean \"{c}\"?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_by_distance_and_by_shared_word() {
        let cats = [
            "hosting",
            "cdn",
            "dns",
            "email",
            "tls-ca",
            "registrar",
            "analytics",
            "auth",
        ];
        assert_eq!(did_you_mean("web-hosting", cats), Some("hosting"));
        assert_eq!(did_you_mean("emial", cats), Some("email"));
        assert_eq!(
            did_you_mean("Hosting", cats),
            None,
            "the same id in other case is not a suggestion"
        );
        assert_eq!(did_you_mean("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn the_shipped_list_equals_the_shipped_library() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../public/rules/providers.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ids: Vec<&str> = v["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids, SHIPPED_PROVIDERS,
            "update SHIPPED_PROVIDERS from public/rules/providers.json"
        );
    }
}
