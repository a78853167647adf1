//! DNS lookups through hickory, turned into the core's text answers.

use crate::Failure;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use whoserves_core::collect::{DnsOutcome, DnsRecord, DnsType};

fn record_type(t: DnsType) -> RecordType {
    match t {
        DnsType::A => RecordType::A,
        DnsType::Aaaa => RecordType::AAAA,
        DnsType::Cname => RecordType::CNAME,
        DnsType::Mx => RecordType::MX,
        DnsType::Ns => RecordType::NS,
        DnsType::Soa => RecordType::SOA,
        DnsType::Txt => RecordType::TXT,
    }
}

/// The presentation form of record data: names end in a dot, TXT chunks
/// are joined (as the bundle format's `dns.txt` holds them).
fn data_text(data: &RData) -> Option<(DnsType, String)> {
    Some(match data {
        RData::A(a) => (DnsType::A, a.to_string()),
        RData::AAAA(a) => (DnsType::Aaaa, a.to_string()),
        RData::CNAME(c) => (DnsType::Cname, c.to_string()),
        RData::MX(m) => (DnsType::Mx, m.to_string()),
        RData::NS(n) => (DnsType::Ns, n.to_string()),
        RData::SOA(s) => (DnsType::Soa, s.to_string()),
        RData::TXT(t) => (DnsType::Txt, t.to_string()),
        _ => return None,
    })
}

/// Looks up `name` for `qtype`. NXDOMAIN and NODATA are answers, not
/// failures; timeouts, refusals and transport errors are failures (worth
/// a retry unless the server refused).
pub async fn lookup(
    resolver: &TokioResolver,
    name: &str,
    qtype: DnsType,
) -> Result<DnsOutcome, Failure> {
    let fqdn = format!("{}.", name.trim_end_matches('.'));
    match resolver.lookup(fqdn.as_str(), record_type(qtype)).await {
        Ok(lookup) => {
            let records: Vec<DnsRecord> = lookup
                .answers()
                .iter()
                .filter_map(|r| {
                    let (rtype, data) = data_text(&r.data)?;
                    Some(DnsRecord {
                        name: r.name.to_string(),
                        rtype,
                        data,
                    })
                })
                .collect();
            if records.is_empty() {
                Ok(DnsOutcome::NoData)
            } else {
                Ok(DnsOutcome::Records(records))
            }
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(nr)))
            if nr.response_code == ResponseCode::NXDomain =>
        {
            Ok(DnsOutcome::NxDomain)
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(nr)))
            if nr.response_code == ResponseCode::NoError =>
        {
            Ok(DnsOutcome::NoData)
        }
        Err(e) => {
            let message = e.to_string();
            let retry = !message.to_ascii_lowercase().contains("refused");
            Err(Failure {
                message: format!("{qtype} {name}: {message}"),
                retry,
            })
        }
    }
}
