//! The providers' file formats, each read into [`Parsed`]: the file's own
//! publication stamp and its prefixes grouped by service tag.
//!
//! Formats (as the providers document them):
//! - AWS `ip-ranges.json`: `{syncToken, createDate, prefixes[{ip_prefix,
//!   service, ...}], ipv6_prefixes[{ipv6_prefix, service, ...}]}`;
//!   `createDate` is `YY-MM-DD-hh-mm-ss` in UTC (the year has four digits).
//! - Google `goog.json` / `cloud.json`: `{syncToken, creationTime,
//!   prefixes[{ipv4Prefix | ipv6Prefix, service?, scope?}]}`.
//! - Azure Service Tags: `{changeNumber, cloud, values[{name, properties{
//!   region, addressPrefixes[]}}]}`; no date inside (the download's file
//!   name carries it: `ServiceTags_Public_YYYYMMDD.json`).
//! - Oracle `public_ip_ranges.json`: `{last_updated_timestamp,
//!   regions[{region, cidrs[{cidr, tags[]}]}]}`.
//! - Fastly: `{addresses[], ipv6_addresses[]}`; no date.
//! - Cloudflare `ips-v4` / `ips-v6`: one prefix per line; no date.
//! - DigitalOcean: an RFC 8805 geofeed CSV, `prefix,country,region,city,zip`;
//!   no date.

use ipnet::IpNet;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A file read: its stamp and its prefixes by tag.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// The stamp as the file writes it, for `version`.
    pub(super) stamp: Option<String>,
    /// The stamp as it goes into ids (lower case, dashes).
    pub(super) id_stamp: Option<String>,
    /// The publication date, `YYYY-MM-DD`, when the file says.
    pub(super) date: Option<String>,
    /// Other stamps worth recording (AWS's syncToken).
    pub(super) note: Option<String>,
    /// Prefixes by service tag, in the file's order of first appearance.
    pub(super) tags: BTreeMap<String, Vec<IpNet>>,
}

impl Parsed {
    fn add(&mut self, tag: &str, prefix: &str, place: impl Fn() -> String) -> Result<(), String> {
        let net: IpNet = prefix
            .trim()
            .parse()
            .map_err(|e| format!("{}: \"{prefix}\" is not a CIDR prefix: {e}", place()))?;
        self.tags
            .entry(tag.to_string())
            .or_default()
            .push(net.trunc());
        Ok(())
    }
}

fn json<'a, T: Deserialize<'a>>(text: &'a str, what: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("not {what}: {e}"))
}

/// AWS `ip-ranges.json`.
pub(super) fn aws(text: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct File {
        sync_token: String,
        create_date: String,
        prefixes: Vec<V4>,
        #[serde(rename = "ipv6_prefixes")]
        ipv6_prefixes: Vec<V6>,
    }
    #[derive(Deserialize)]
    struct V4 {
        ip_prefix: String,
        service: String,
    }
    #[derive(Deserialize)]
    struct V6 {
        ipv6_prefix: String,
        service: String,
    }
    let f: File = json(text, "an AWS ip-ranges.json file")?;
    let date = dashed_date(&f.create_date).ok_or_else(|| {
        format!(
            "createDate \"{}\" is not YYYY-MM-DD-hh-mm-ss",
            f.create_date
        )
    })?;
    let mut p = Parsed {
        stamp: Some(f.create_date.clone()),
        id_stamp: Some(f.create_date.clone()),
        date: Some(date),
        note: Some(format!("syncToken {}", f.sync_token)),
        ..Default::default()
    };
    for (i, x) in f.prefixes.iter().enumerate() {
        p.add(&x.service, &x.ip_prefix, || {
            format!("prefixes[{i}].ip_prefix")
        })?;
    }
    for (i, x) in f.ipv6_prefixes.iter().enumerate() {
        p.add(&x.service, &x.ipv6_prefix, || {
            format!("ipv6_prefixes[{i}].ipv6_prefix")
        })?;
    }
    Ok(p)
}

/// Google `goog.json` or `cloud.json`: every prefix under `tag` (cloud.json
/// also names a `service`; all are "Google Cloud").
pub(super) fn google(text: &str, tag: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct File {
        sync_token: String,
        creation_time: String,
        prefixes: Vec<Entry>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        ipv4_prefix: Option<String>,
        ipv6_prefix: Option<String>,
    }
    let f: File = json(text, "a Google goog.json or cloud.json file")?;
    let date = iso_date(&f.creation_time).ok_or_else(|| {
        format!(
            "creationTime \"{}\" does not start with a date",
            f.creation_time
        )
    })?;
    let mut p = Parsed {
        stamp: Some(f.creation_time.clone()),
        id_stamp: Some(f.sync_token.clone()),
        date: Some(date),
        note: Some(format!("syncToken {}", f.sync_token)),
        ..Default::default()
    };
    for (i, e) in f.prefixes.iter().enumerate() {
        let Some(prefix) = e.ipv4_prefix.as_ref().or(e.ipv6_prefix.as_ref()) else {
            return Err(format!(
                "prefixes[{i}] has neither ipv4Prefix nor ipv6Prefix"
            ));
        };
        p.add(tag, prefix, || format!("prefixes[{i}]"))?;
    }
    Ok(p)
}

/// Azure Service Tags. Only global tags (no region) are read: a regional
/// tag repeats part of its global tag.
pub(super) fn azure(text: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct File {
        change_number: u64,
        cloud: String,
        values: Vec<Value>,
    }
    #[derive(Deserialize)]
    struct Value {
        name: String,
        properties: Props,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Props {
        #[serde(default)]
        region: String,
        address_prefixes: Vec<String>,
    }
    let f: File = json(text, "an Azure Service Tags file")?;
    if f.cloud != "Public" {
        return Err(format!(
            "this is the Service Tags file of cloud \"{}\"; the importer reads the Public cloud's",
            f.cloud
        ));
    }
    let mut p = Parsed {
        stamp: Some(format!("changeNumber {}", f.change_number)),
        id_stamp: Some(f.change_number.to_string()),
        ..Default::default()
    };
    for (i, v) in f.values.iter().enumerate() {
        if !v.properties.region.is_empty() {
            continue;
        }
        for (j, prefix) in v.properties.address_prefixes.iter().enumerate() {
            p.add(&v.name, prefix, || {
                format!("values[{i}].properties.addressPrefixes[{j}]")
            })?;
        }
    }
    Ok(p)
}

/// Oracle `public_ip_ranges.json`: each CIDR under each of its tags.
pub(super) fn oracle(text: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    struct File {
        last_updated_timestamp: String,
        regions: Vec<Region>,
    }
    #[derive(Deserialize)]
    struct Region {
        cidrs: Vec<Cidr>,
    }
    #[derive(Deserialize)]
    struct Cidr {
        cidr: String,
        tags: Vec<String>,
    }
    let f: File = json(text, "an Oracle public_ip_ranges.json file")?;
    let date = iso_date(&f.last_updated_timestamp).ok_or_else(|| {
        format!(
            "last_updated_timestamp \"{}\" does not start with a date",
            f.last_updated_timestamp
        )
    })?;
    let mut p = Parsed {
        stamp: Some(f.last_updated_timestamp.clone()),
        id_stamp: Some(crate::library::slug(&f.last_updated_timestamp)),
        date: Some(date),
        ..Default::default()
    };
    for (i, r) in f.regions.iter().enumerate() {
        for (j, c) in r.cidrs.iter().enumerate() {
            for tag in &c.tags {
                p.add(tag, &c.cidr, || format!("regions[{i}].cidrs[{j}].cidr"))?;
            }
        }
    }
    Ok(p)
}

/// Fastly's public IP list.
pub(super) fn fastly(text: &str) -> Result<Parsed, String> {
    #[derive(Deserialize)]
    struct File {
        addresses: Vec<String>,
        #[serde(default)]
        ipv6_addresses: Vec<String>,
    }
    let f: File = json(text, "a Fastly public-ip-list file")?;
    let mut p = Parsed::default();
    for (i, a) in f.addresses.iter().enumerate() {
        p.add("fastly", a, || format!("addresses[{i}]"))?;
    }
    for (i, a) in f.ipv6_addresses.iter().enumerate() {
        p.add("fastly", a, || format!("ipv6_addresses[{i}]"))?;
    }
    Ok(p)
}

/// Cloudflare's lists: one prefix per line; blank lines and `#` comments
/// are skipped. `add` merges several files (ips-v4 and ips-v6).
pub(super) fn lines(text: &str, tag: &str, p: &mut Parsed) -> Result<(), String> {
    for (n, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        p.add(tag, l, || format!("line {}", n + 1))?;
    }
    Ok(())
}

/// DigitalOcean's geofeed (RFC 8805): the first column of each row.
pub(super) fn geofeed(text: &str, tag: &str, p: &mut Parsed) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    for (n, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("row {}: {e}", n + 1))?;
        let Some(prefix) = row.get(0).filter(|s| !s.trim().is_empty()) else {
            continue;
        };
        let line = row.position().map_or(n as u64 + 1, |pos| pos.line());
        p.add(tag, prefix, || format!("line {line}"))?;
    }
    Ok(())
}

/// `2020-05-21-20-13-11` → `2020-05-21`.
fn dashed_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    (parts.len() == 6 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
        .then(|| iso_date(&parts[..3].join("-")))
        .flatten()
}

/// The `YYYY-MM-DD` a timestamp starts with, if it is a valid date.
pub(super) fn iso_date(s: &str) -> Option<String> {
    let d = s.get(..10)?;
    whoserves_core::date::parse_date(d).ok()?;
    Some(d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            dashed_date("2020-05-21-20-13-11").as_deref(),
            Some("2020-05-21")
        );
        assert_eq!(dashed_date("2020-13-21-20-13-11"), None);
        assert_eq!(
            iso_date("2026-08-22T07:04:30.974055").as_deref(),
            Some("2026-08-22")
        );
        assert_eq!(iso_date("yesterday"), None);
    }

    #[test]
    fn a_bad_prefix_names_its_place() {
        let text = r#"{"syncToken": "1", "createDate": "2020-05-21-20-13-11",
          "prefixes": [{"ip_prefix": "3.5.140.0/22", "service": "AMAZON"}, {"ip_prefix": "3.5.999.0/22", "service": "EC2"}],
          "ipv6_prefixes": []}"#;
        let e = aws(text).unwrap_err();
        assert!(
            e.starts_with("prefixes[1].ip_prefix: \"3.5.999.0/22\" is not a CIDR prefix"),
            "{e}"
        );
    }
}
