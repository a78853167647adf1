//! ZDNS JSON lines → observations, for researchers who resolve millions of
//! names with ZDNS (<https://github.com/zmap/zdns>) instead of
//! `whoserves collect`.
//!
//! Both output shapes are read:
//! - a module run (`zdns A`): `{"name", "status", "timestamp", "data":
//!   {"answers": [...], "resolver": "8.8.8.8:53"}}`; the record type comes
//!   from `--type`, or from the answers when there are some;
//! - a multi-type run: `{"name", "results": {"A": {"status", "timestamp",
//!   "data": {...}}, "MX": {...}}}`.
//!
//! Each answer goes through [`whoserves_core::collect::dns_observations`],
//! so a ZDNS answer gives the observation, id included, that `whoserves
//! collect` gives for the same answer on the same day.

use serde_json::Value;
use whoserves_core::collect::{
    dns_observations, DnsOutcome, DnsRecord, DnsType, Domains, Resolver, Stamp,
};
use whoserves_core::wire;

/// What an import read.
#[derive(Debug, Default)]
pub struct Imported {
    /// The observations.
    pub observations: Vec<wire::Observation>,
    /// Answers kept (one per name and type).
    pub answers: usize,
    /// Names under no subject's domain (first few).
    pub unmatched: Vec<String>,
    /// Lookups ZDNS reports as failed (status other than NOERROR and
    /// NXDOMAIN), with the status: `name TYPE: STATUS`.
    pub failed: Vec<String>,
    /// Lines that are not ZDNS output, with their line number.
    pub unreadable: Vec<(usize, String)>,
    /// The days the answers are from (their run sources).
    pub days: Vec<String>,
}

/// The source id of ZDNS answers of `day`.
pub fn source_id(day: &str) -> String {
    format!("zdns-{day}")
}

/// Reads ZDNS output. `domains` says whose domain each name is under;
/// `default_type` is the module of a single-module run.
pub fn import(text: &str, domains: &Domains, default_type: Option<DnsType>) -> Imported {
    let mut out = Imported::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.unreadable.push((i + 1, e.to_string()));
                continue;
            }
        };
        let Some(name) = v["name"].as_str() else {
            out.unreadable.push((i + 1, "no \"name\"".into()));
            continue;
        };
        let Some(subject) = domains.subject_of(name) else {
            if out.unmatched.len() < 20 {
                out.unmatched.push(name.to_string());
            }
            continue;
        };
        match v["results"].as_object() {
            Some(results) => {
                for (t, r) in results {
                    let Some(rtype) = DnsType::parse(t) else {
                        continue;
                    };
                    one(&mut out, subject, name, Some(rtype), r);
                }
            }
            None => one(&mut out, subject, name, default_type, &v),
        }
    }
    out
}

/// One lookup result: `status`, `timestamp`, `data.answers`, `data.resolver`.
fn one(out: &mut Imported, subject: &str, name: &str, rtype: Option<DnsType>, r: &Value) {
    let status = r["status"].as_str().unwrap_or("");
    let answers: Vec<&Value> = r["data"]["answers"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let rtype = rtype.or_else(|| {
        answers
            .iter()
            .filter_map(|a| a["type"].as_str().and_then(DnsType::parse))
            .find(|t| *t != DnsType::Cname)
    });
    let Some(rtype) = rtype else {
        out.failed.push(format!(
            "{name}: no record type (pass --type for a single-module run)"
        ));
        return;
    };
    let outcome = match status {
        "NOERROR" => {
            let records: Vec<DnsRecord> = answers.iter().filter_map(|a| record(a)).collect();
            if records.is_empty() {
                DnsOutcome::NoData
            } else {
                DnsOutcome::Records(records)
            }
        }
        "NXDOMAIN" => DnsOutcome::NxDomain,
        other => {
            out.failed.push(format!("{name} {rtype}: {other}"));
            return;
        }
    };
    let resolver = r["data"]["resolver"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .map(Resolver::Named)
        .unwrap_or(Resolver::System);
    let Some(observed_at) = r["timestamp"]
        .as_str()
        .and_then(whoserves_core::date::rfc3339_as_utc)
    else {
        out.failed
            .push(format!("{name} {rtype}: no readable timestamp"));
        return;
    };
    let day = observed_at[..10].to_string();
    let stamp = Stamp {
        observed_at,
        source: source_id(&day),
    };
    if !out.days.contains(&day) {
        out.days.push(day);
    }
    out.answers += 1;
    out.observations.extend(dns_observations(
        subject, name, rtype, &outcome, &resolver, &stamp,
    ));
}

/// A ZDNS answer object as a record in presentation form.
fn record(a: &Value) -> Option<DnsRecord> {
    let rtype = DnsType::parse(a["type"].as_str()?)?;
    let s = |k: &str| a[k].as_str().map(str::to_string);
    let n = |k: &str| a[k].as_u64().map(|x| x.to_string());
    let data = match rtype {
        DnsType::Mx => format!(
            "{} {}",
            n("preference").unwrap_or_else(|| "0".into()),
            s("answer")?
        ),
        DnsType::Soa => [
            s("ns")?,
            s("mbox")?,
            n("serial")?,
            n("refresh")?,
            n("retry")?,
            n("expire")?,
            n("min_ttl")?,
        ]
        .join(" "),
        _ => s("answer")?,
    };
    Some(DnsRecord {
        name: s("name").unwrap_or_default(),
        rtype,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_read_and_statuses_map() {
        let text = concat!(
            r#"{"name":"www.a.test","class":"IN","status":"NOERROR","timestamp":"2026-12-02T05:00:00-05:00","data":{"answers":[{"ttl":60,"type":"CNAME","class":"IN","name":"www.a.test","answer":"d1.cloudfront.net."},{"ttl":60,"type":"A","class":"IN","name":"d1.cloudfront.net","answer":"13.224.0.1"}],"protocol":"udp","resolver":"8.8.8.8:53"}}"#,
            "\n",
            r#"{"name":"a.test","results":{"MX":{"status":"NOERROR","timestamp":"2026-12-02T10:00:00Z","data":{"answers":[{"type":"MX","name":"a.test","answer":"a-test.mail.protection.outlook.com.","preference":0}],"resolver":"1.1.1.1:53"}},"TXT":{"status":"NXDOMAIN","timestamp":"2026-12-02T10:00:00Z","data":{}},"NS":{"status":"SERVFAIL","timestamp":"2026-12-02T10:00:00Z","data":{}}}}"#,
            "\n",
            r#"{"name":"other.test","status":"NOERROR","timestamp":"2026-12-02T10:00:00Z","data":{}}"#,
            "\nnot json\n"
        );
        let domains = Domains::new([("firm", "a.test")]);
        let got = import(text, &domains, None);
        let kv: Vec<(&str, &str, Option<&str>)> = got
            .observations
            .iter()
            .map(|o| (o.kind.as_str(), o.value.as_str(), o.absent.as_deref()))
            .collect();
        assert_eq!(
            kv,
            [
                ("dns.cname", "d1.cloudfront.net.", None),
                ("dns.a", "13.224.0.1", None),
                ("dns.mx", "0 a-test.mail.protection.outlook.com.", None),
                ("dns.txt", "", Some("nxdomain")),
            ]
        );
        assert_eq!(got.observations[0].observed_at, "2026-12-02T10:00:00Z");
        assert_eq!(
            got.observations[2].method.as_deref(),
            Some("dig +short MX a.test @1.1.1.1")
        );
        assert_eq!(got.failed, ["a.test NS: SERVFAIL"]);
        assert_eq!(got.unmatched, ["other.test"]);
        assert_eq!(got.unreadable.len(), 1);
        assert_eq!(got.days, ["2026-12-02"]);
    }

    #[test]
    fn a_zdns_answer_gets_the_id_collect_gives() {
        let line = r#"{"name":"a.test","status":"NOERROR","timestamp":"2026-12-02T10:00:00Z","data":{"answers":[{"type":"NS","name":"a.test","answer":"ns1.a.test."}],"resolver":"1.1.1.1:53"}}"#;
        let domains = Domains::new([("firm", "a.test")]);
        let got = import(line, &domains, Some(DnsType::Ns));
        let direct = dns_observations(
            "firm",
            "a.test",
            DnsType::Ns,
            &DnsOutcome::Records(vec![DnsRecord {
                name: "a.test.".into(),
                rtype: DnsType::Ns,
                data: "ns1.a.test.".into(),
            }]),
            &Resolver::Named("1.1.1.1:53".parse().unwrap()),
            &Stamp {
                observed_at: "2026-12-02T18:00:00Z".into(),
                source: source_id("2026-12-02"),
            },
        );
        assert_eq!(got.observations[0].id, direct[0].id);
    }
}
