//! `whoserves import ranges`: a provider's published IP range file becomes
//! a dated rule library.
//!
//! The library holds the provider's entities (each service under its
//! parent), one range set per service the [catalogue](catalogue) maps, and
//! an A and an AAAA rule per set. Ids carry the provider and the file's own
//! stamp (`aws-2020-05-21-20-13-11-cloudfront`), so libraries of two
//! publications can be included side by side; `version` holds the stamp
//! and `source` the official URL.
//!
//! **Dates.** Every rule applies from the file's publication date
//! (`valid_from`) to the date given with `valid_to`, or without end. This
//! is what the file can speak for: an address that was the provider's on
//! the day the provider published the list. It does not say the address was
//! the provider's before that day, nor that it still is; ranges are
//! reassigned. Give `valid_to` (the day before the next publication, when
//! you know it) to make a library speak only for its own time.

mod catalogue;
mod formats;

use crate::library::{provider, to_json};
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::fmt;
use whoserves_core::wire;

/// A provider whose range file the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// AWS `ip-ranges.json`.
    Aws,
    /// Cloudflare `ips-v4` / `ips-v6`.
    Cloudflare,
    /// Google Cloud `cloud.json`.
    GoogleCloud,
    /// Google `goog.json`.
    Google,
    /// Azure Service Tags (Public cloud).
    Azure,
    /// Oracle Cloud `public_ip_ranges.json`.
    Oracle,
    /// Fastly's public IP list.
    Fastly,
    /// DigitalOcean's geofeed CSV.
    DigitalOcean,
}

impl From {
    /// Every provider, in the order of the CLI's help.
    pub const ALL: [From; 8] = [
        From::Aws,
        From::Cloudflare,
        From::GoogleCloud,
        From::Google,
        From::Azure,
        From::Oracle,
        From::Fastly,
        From::DigitalOcean,
    ];

    /// The `--from` value.
    pub fn as_str(self) -> &'static str {
        match self {
            From::Aws => "aws",
            From::Cloudflare => "cloudflare",
            From::GoogleCloud => "google-cloud",
            From::Google => "google",
            From::Azure => "azure",
            From::Oracle => "oracle",
            From::Fastly => "fastly",
            From::DigitalOcean => "digitalocean",
        }
    }

    /// Parses a `--from` value.
    pub fn parse(s: &str) -> Option<From> {
        From::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the file carries no date of its own, so one must be given.
    pub fn needs_date(self) -> bool {
        matches!(
            self,
            From::Cloudflare | From::Fastly | From::DigitalOcean | From::Azure
        )
    }
}

impl fmt::Display for From {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file to import: its name (for messages and the Azure date) and text.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file name as given.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Options of `import ranges`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The publication date for files that carry none (`YYYY-MM-DD`).
    pub published: Option<String>,
    /// The last date the rules apply to (`YYYY-MM-DD`).
    pub valid_to: Option<String>,
    /// Where the file was taken from, when not from the official URL (an
    /// archive repository and commit).
    pub fetched_from: Option<String>,
}

/// What an import made: the library and a summary for people.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The rule library.
    pub bundle: wire::Bundle,
    /// One line per range set and per tag left out.
    pub summary: Vec<String>,
}

impl Imported {
    /// The library as JSON text.
    pub fn to_json(&self) -> String {
        to_json(&self.bundle)
    }
}

/// Addresses no provider publishes (documentation ranges, RFC 5737 and
/// RFC 3849), tried in turn as the rules' no-match examples.
const OUTSIDE_V4: [&str; 3] = ["192.0.2.1", "198.51.100.1", "203.0.113.1"];
const OUTSIDE_V6: [&str; 2] = ["2001:db8::1", "2001:db8:ffff::1"];

/// Imports `inputs` (one file, or Cloudflare's two) as `from`'s range file.
pub fn import(from: From, inputs: &[Input], opts: &Options) -> Result<Imported, String> {
    let cat = catalogue::of(from);
    let mut parsed = formats::Parsed::default();
    let mut digests = Vec::new();
    for input in inputs {
        let named = |e: String| format!("{}: {e}", input.name);
        let base = input.name.rsplit(['/', '\\']).next().unwrap_or(&input.name);
        digests.push(format!(
            "{base} (sha256 {})",
            crate::sha256_hex(input.text.as_bytes())
        ));
        match from {
            From::Aws
            | From::Google
            | From::GoogleCloud
            | From::Azure
            | From::Oracle
            | From::Fastly
                if inputs.len() > 1 =>
            {
                return Err(format!(
                    "--from {from} reads one file; {} were given",
                    inputs.len()
                ))
            }
            From::Aws => parsed = formats::aws(&input.text).map_err(named)?,
            From::Google => parsed = formats::google(&input.text, "goog").map_err(named)?,
            From::GoogleCloud => {
                parsed = formats::google(&input.text, "Google Cloud").map_err(named)?
            }
            From::Azure => parsed = formats::azure(&input.text).map_err(named)?,
            From::Oracle => parsed = formats::oracle(&input.text).map_err(named)?,
            From::Fastly => parsed = formats::fastly(&input.text).map_err(named)?,
            From::Cloudflare => {
                formats::lines(&input.text, "cloudflare", &mut parsed).map_err(named)?
            }
            From::DigitalOcean => {
                formats::geofeed(&input.text, "digitalocean", &mut parsed).map_err(named)?
            }
        }
    }
    if inputs.is_empty() {
        return Err("no file given".into());
    }
    // The date: the file's own, or (for files without one) the date given,
    // or for Azure the date in the download's file name.
    let date = match (&parsed.date, &opts.published) {
        (Some(own), Some(given)) if own != given => {
            return Err(format!(
                "the file is dated {own} by its own stamp ({}); --published is only for files without a date",
                parsed.stamp.as_deref().unwrap_or("")
            ))
        }
        (Some(own), _) => own.clone(),
        (None, Some(given)) => formats::iso_date(given)
            .filter(|d| d.len() == given.len())
            .ok_or_else(|| format!("--published \"{given}\" is not a date (YYYY-MM-DD)"))?,
        (None, None) => match azure_file_date(&inputs[0].name).filter(|_| from == From::Azure) {
            Some(d) => d,
            None => {
                return Err(format!(
                    "{} carries no publication date; give it with --published YYYY-MM-DD (the day you or the archive fetched the file)",
                    inputs[0].name
                ))
            }
        },
    };
    if let Some(to) = &opts.valid_to {
        if formats::iso_date(to)
            .filter(|d| d.len() == to.len())
            .is_none()
        {
            return Err(format!("--valid-to \"{to}\" is not a date (YYYY-MM-DD)"));
        }
        if *to < date {
            return Err(format!(
                "--valid-to {to} is before the file's publication date {date}"
            ));
        }
    }
    let stamp = parsed.stamp.clone().unwrap_or_else(|| date.clone());
    let id_stamp = parsed.id_stamp.clone().unwrap_or_else(|| date.clone());
    let prefix = format!("{}-{id_stamp}", from.as_str());
    let source_id = format!("{prefix}-file");

    let mut bundle = wire::Bundle {
        format: wire::FORMAT_V1.into(),
        ..Default::default()
    };
    for (id, name, parent) in cat.entities {
        bundle
            .entities
            .push(provider(id, name, *parent, &[cat.docs, cat.url]));
    }
    let mut summary = Vec::new();
    let mut sets = Vec::new();
    let carved = carve(&parsed.tags, cat.services);
    for service in cat.services {
        let Some((nets, cut)) = carved.get(service.tag) else {
            summary.push(format!("{}: not in this file", service.tag));
            continue;
        };
        if *cut > 0 {
            summary.push(format!(
                "{}: {cut} prefixes carved out, listed more specifically under another service",
                service.tag
            ));
        }
        let set_id = format!("{prefix}-{}", crate::library::slug(service.tag));
        summary.push(format!(
            "{set_id}: {} prefixes ({} IPv4, {} IPv6) -> {} {}",
            nets.len(),
            nets.iter().filter(|n| matches!(n, IpNet::V4(_))).count(),
            nets.iter().filter(|n| matches!(n, IpNet::V6(_))).count(),
            service.entity,
            service.category
        ));
        sets.push(format!("{} {}", service.tag, nets.len()));
        for (v6, kind, outside) in [
            (false, "dns.a", &OUTSIDE_V4[..]),
            (true, "dns.aaaa", &OUTSIDE_V6[..]),
        ] {
            let family: Vec<&IpNet> = nets
                .iter()
                .filter(|n| matches!(n, IpNet::V6(_)) == v6)
                .collect();
            let (Some(first), Some(last)) = (family.first(), family.last()) else {
                continue;
            };
            let mut must = vec![first.network().to_string()];
            if last != first {
                must.push(last.broadcast().to_string());
            }
            let no = outside
                .iter()
                .find(|a| {
                    let ip: std::net::IpAddr = a.parse().expect("a constant address");
                    !family.iter().any(|n| n.contains(&ip))
                })
                .map(|a| vec![wire::Example::Value(a.to_string())])
                .unwrap_or_default();
            let (label, suffix) = if v6 { ("AAAA", "aaaa") } else { ("A", "a") };
            bundle.rules.push(wire::Rule {
                id: format!("{set_id}-{suffix}"),
                provider: service.entity.into(),
                category: service.category.into(),
                relationship: "direct".into(),
                matcher: wire::Matcher {
                    kind: kind.into(),
                    key: None,
                    condition: wire::Condition::Cidr(wire::CidrSpec::Range(set_id.clone())),
                },
                explanation: format!(
                    "The {label} record is in a prefix {} lists under {} in {} of {stamp}: {}.",
                    cat.publisher, service.tag, cat.title, service.means
                ),
                references: vec![cat.url.into(), cat.docs.into()].into_iter().fold(
                    Vec::new(),
                    |mut v: Vec<String>, u| {
                        if !v.contains(&u) {
                            v.push(u);
                        }
                        v
                    },
                ),
                examples: wire::Examples {
                    must_match: must.into_iter().map(wire::Example::Value).collect(),
                    no_match: no,
                },
                valid_from: Some(date.clone()),
                valid_to: opts.valid_to.clone(),
            });
        }
        bundle.ranges.push(wire::RangeSet {
            id: set_id,
            provider: service.entity.into(),
            version: Some(stamp.clone()),
            source: source_id.clone(),
            prefixes: nets.iter().map(ToString::to_string).collect(),
        });
    }
    if bundle.ranges.is_empty() {
        return Err(format!(
            "the file has none of the services the importer maps for {from} ({})",
            cat.services
                .iter()
                .map(|s| s.tag)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mapped: Vec<&str> = cat.services.iter().map(|s| s.tag).collect();
    let left_out: BTreeMap<&String, usize> = parsed
        .tags
        .iter()
        .filter(|(t, _)| !mapped.contains(&t.as_str()))
        .map(|(t, n)| (t, n.len()))
        .collect();
    for (t, n) in &left_out {
        summary.push(format!(
            "{t}: {n} prefixes left out (no rule maps this tag)"
        ));
    }
    let window = match &opts.valid_to {
        Some(to) => format!("from {date} to {to}"),
        None => format!(
            "from {date}, the publication date, with no end: import a newer file, or give --valid-to, to bound it"
        ),
    };
    let left_out_text = if left_out.is_empty() {
        String::new()
    } else {
        format!(
            " Tags left out (no rule maps them): {}.",
            left_out
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    bundle.meta = wire::Meta {
        title: format!("{}, {stamp}", cat.title),
        description: Some(format!(
            "Imported with `whoserves import ranges --from {from}` from {}{}{}. Range sets: {}.{left_out_text} Rules apply {window}. An address in a set was the provider's when the file was published; the file does not say it was before, or still is.",
            digests.join(", "),
            parsed.note.as_ref().map(|n| format!(", {n}")).unwrap_or_default(),
            opts.fetched_from.as_ref().map(|f| format!(", taken from {f}")).unwrap_or_default(),
            sets.join(", ")
        )),
        published: Some(date.clone()),
        sources: vec![wire::Source {
            id: source_id,
            title: format!("{}, {stamp}", cat.title),
            publisher: Some(cat.publisher.into()),
            url: Some(cat.url.into()),
            date: Some(date),
        }],
        ..Default::default()
    };
    Ok(Imported { bundle, summary })
}

/// The mapped services' prefixes, sorted and deduplicated, each with the
/// number of more specific prefixes of *another* mapped service carved out
/// of it.
///
/// Providers list a service's block and, inside it, a more specific block
/// of another service: AWS lists 3.231.0.0/16 under EC2 and 3.231.2.0/25
/// under CLOUDFRONT. The more specific listing says which service uses
/// those addresses, so they are removed from the wider set: an address in
/// 3.231.2.0/25 is CloudFront's, not EC2's. Supersets (`AMAZON`,
/// `AzureCloud`) stay whole and carve nothing; the same prefix listed under
/// two services stays in both, since the file does not say which is right.
fn carve(
    tags: &BTreeMap<String, Vec<IpNet>>,
    services: &[catalogue::Service],
) -> BTreeMap<&'static str, (Vec<IpNet>, usize)> {
    let sorted = |tag: &str| -> Option<Vec<IpNet>> {
        let mut v = tags.get(tag)?.clone();
        v.sort();
        v.dedup();
        Some(v)
    };
    let specific: Vec<(&str, Vec<IpNet>)> = services
        .iter()
        .filter(|s| !s.superset)
        .filter_map(|s| Some((s.tag, sorted(s.tag)?)))
        .collect();
    let mut out = BTreeMap::new();
    for service in services {
        let Some(nets) = sorted(service.tag) else {
            continue;
        };
        if service.superset {
            out.insert(service.tag, (nets, 0));
            continue;
        }
        let holes: Vec<IpNet> = specific
            .iter()
            .filter(|(t, _)| *t != service.tag)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        let mut kept = Vec::with_capacity(nets.len());
        let mut cut = 0;
        for net in nets {
            let inside: Vec<IpNet> = holes
                .iter()
                .copied()
                .filter(|h| h.prefix_len() > net.prefix_len() && net.contains(h))
                .collect();
            cut += inside.len();
            kept.extend(exclude(net, &inside));
        }
        kept.sort();
        kept.dedup();
        out.insert(service.tag, (kept, cut));
    }
    out
}

/// `net` without the addresses of `holes` (each inside it), as prefixes.
fn exclude(net: IpNet, holes: &[IpNet]) -> Vec<IpNet> {
    if holes.is_empty() {
        return vec![net];
    }
    if holes.iter().any(|h| h.contains(&net)) {
        return Vec::new();
    }
    // Split in two and carve each half.
    let Ok(halves) = net.subnets(net.prefix_len() + 1) else {
        return vec![net];
    };
    halves
        .flat_map(|half| {
            let inside: Vec<IpNet> = holes
                .iter()
                .copied()
                .filter(|h| half.contains(h) || h.contains(&half))
                .collect();
            exclude(half, &inside)
        })
        .collect()
}

/// The date in an Azure download's name: `ServiceTags_Public_20200511.json`
/// → `2020-05-11`.
fn azure_file_date(name: &str) -> Option<String> {
    let stem = name.rsplit(['/', '\\']).next()?;
    let digits = stem.strip_prefix("ServiceTags_Public_")?.get(..8)?;
    formats::iso_date(&format!(
        "{}-{}-{}",
        &digits[..4],
        &digits[4..6],
        &digits[6..8]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_values_round_trip() {
        for f in From::ALL {
            assert_eq!(From::parse(f.as_str()), Some(f));
        }
        assert_eq!(From::parse("amazon"), None);
    }

    #[test]
    fn a_more_specific_service_is_carved_out_of_a_wider_one() {
        let net = |s: &str| s.parse::<IpNet>().unwrap();
        let mut tags = BTreeMap::new();
        tags.insert("AMAZON".to_string(), vec![net("3.0.0.0/8")]);
        tags.insert("EC2".to_string(), vec![net("3.231.0.0/16")]);
        tags.insert("CLOUDFRONT".to_string(), vec![net("3.231.2.0/25")]);
        let c = carve(&tags, catalogue::of(From::Aws).services);
        assert_eq!(c["AMAZON"], (vec![net("3.0.0.0/8")], 0));
        assert_eq!(c["CLOUDFRONT"], (vec![net("3.231.2.0/25")], 0));
        let (ec2, cut) = &c["EC2"];
        assert_eq!(*cut, 1);
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(!ec2.iter().any(|n| n.contains(&ip("3.231.2.5"))));
        assert!(ec2.iter().any(|n| n.contains(&ip("3.231.2.128"))));
        assert!(ec2.iter().any(|n| n.contains(&ip("3.231.255.1"))));
        // 65,536 - 128 addresses remain, in one prefix per bit of the hole.
        let size: u64 = ec2.iter().map(|n| 1u64 << (32 - n.prefix_len())).sum();
        assert_eq!(size, 65_536 - 128);
        assert_eq!(ec2.len(), 25 - 16);
    }

    #[test]
    fn azure_dates_come_from_the_file_name() {
        assert_eq!(
            azure_file_date("dl/ServiceTags_Public_20200511.json").as_deref(),
            Some("2020-05-11")
        );
        assert_eq!(azure_file_date("tags.json"), None);
    }
}
