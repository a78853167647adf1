//! IP prefix tables that answer "every prefix covering this address".
//!
//! Cloud range files overlap (AWS's `AMAZON` set covers `CLOUDFRONT`; Azure
//! prefixes carry several service tags), so a longest-prefix match would
//! hide evidence. A [`PrefixMap`] keeps one hash table per prefix length
//! present, keyed by the masked address as an integer, and probes each: at
//! most 33 probes for IPv4, 129 for IPv6, independent of how many prefixes
//! are stored.

use crate::hash::HashMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The prefixes of one length: network address as an integer → values.
type Table<T> = HashMap<u128, Vec<T>>;

/// A map from IP prefixes to values, queried by address.
#[derive(Debug, Clone)]
pub struct PrefixMap<T> {
    /// Per family (IPv4, IPv6): one table per prefix length present,
    /// shortest first.
    by_len: [Vec<(u8, Table<T>)>; 2],
}

impl<T> Default for PrefixMap<T> {
    fn default() -> Self {
        PrefixMap {
            by_len: [Vec::new(), Vec::new()],
        }
    }
}

/// The family slot, the address as an integer and the family's width.
fn key(ip: IpAddr) -> (usize, u128, u8) {
    match ip {
        IpAddr::V4(a) => (0, u32::from(a) as u128, 32),
        IpAddr::V6(a) => (1, u128::from(a), 128),
    }
}

/// `n` with all but the first `len` of `bits` bits cleared.
fn mask(n: u128, len: u8, bits: u8) -> u128 {
    let host = u32::from(bits - len);
    if host >= 128 {
        0
    } else {
        n & !((1u128 << host) - 1)
    }
}

impl<T> PrefixMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` under `net` (host bits are ignored).
    pub fn insert(&mut self, net: IpNet, value: T) {
        let (family, n, bits) = key(net.addr());
        let len = net.prefix_len();
        let tables = &mut self.by_len[family];
        let slot = match tables.binary_search_by_key(&len, |(l, _)| *l) {
            Ok(i) => i,
            Err(i) => {
                tables.insert(i, (len, HashMap::default()));
                i
            }
        };
        tables[slot]
            .1
            .entry(mask(n, len, bits))
            .or_default()
            .push(value);
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.by_len.iter().all(Vec::is_empty)
    }

    /// Every stored prefix that covers `ip`, with its values, shortest first.
    pub fn covering(&self, ip: IpAddr) -> Vec<(IpNet, &T)> {
        let (family, n, bits) = key(ip);
        let mut out: Vec<(IpNet, &T)> = Vec::new();
        for (len, table) in &self.by_len[family] {
            if let Some(values) = table.get(&mask(n, *len, bits)) {
                let net = IpNet::new(ip, *len)
                    .expect("a stored length fits its family")
                    .trunc();
                out.extend(values.iter().map(|v| (net, v)));
            }
        }
        out
    }
}

/// A set of prefixes compiled once and shared: a range set of the bundle,
/// or the inline prefixes of one `cidr` condition. Every rule that names
/// the same range set holds the same `Arc<PrefixSet>`, so 500 rules over a
/// 20,000-prefix set cost one table, not 500.
#[derive(Debug, Clone, Default)]
pub struct PrefixSet {
    prefixes: Vec<IpNet>,
    map: PrefixMap<()>,
}

impl PrefixSet {
    /// Compiles `prefixes`: host bits are dropped (`10.0.0.1/8` is
    /// `10.0.0.0/8`) and repeats kept once, so an address is covered by each
    /// distinct prefix once, however often a file lists it.
    pub fn new(prefixes: Vec<IpNet>) -> Self {
        let mut prefixes: Vec<IpNet> = prefixes.into_iter().map(|p| p.trunc()).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        let mut map = PrefixMap::new();
        for p in &prefixes {
            map.insert(*p, ());
        }
        PrefixSet { prefixes, map }
    }

    /// The distinct prefixes, host bits dropped, in order.
    pub fn prefixes(&self) -> &[IpNet] {
        &self.prefixes
    }

    /// Every prefix of the set covering `ip`, shortest first.
    pub fn covering(&self, ip: IpAddr) -> Vec<IpNet> {
        self.map.covering(ip).into_iter().map(|(n, _)| n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_prefixes_all_cover() {
        let mut m = PrefixMap::new();
        m.insert("52.0.0.0/8".parse().unwrap(), "AMAZON");
        m.insert("52.84.0.0/15".parse().unwrap(), "CLOUDFRONT");
        m.insert("2600:9000::/28".parse().unwrap(), "CLOUDFRONT6");
        let hits: Vec<_> = m
            .covering("52.84.1.2".parse().unwrap())
            .into_iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        assert_eq!(hits, ["52.0.0.0/8 AMAZON", "52.84.0.0/15 CLOUDFRONT"]);
        assert!(m.covering("53.0.0.1".parse().unwrap()).is_empty());
        assert_eq!(m.covering("2600:9000::1".parse().unwrap()).len(), 1);
        assert!(m.covering("2600:9010::1".parse().unwrap()).is_empty());
    }

    #[test]
    fn zero_length_and_host_routes_cover() {
        let mut m = PrefixMap::new();
        m.insert("0.0.0.0/0".parse().unwrap(), 0);
        m.insert("192.0.2.7/32".parse().unwrap(), 32);
        m.insert("::/0".parse().unwrap(), 0);
        m.insert("2001:db8::1/128".parse().unwrap(), 128);
        let lens = |ip: &str| -> Vec<u8> {
            m.covering(ip.parse().unwrap())
                .iter()
                .map(|(n, _)| n.prefix_len())
                .collect()
        };
        assert_eq!(lens("192.0.2.7"), [0, 32]);
        assert_eq!(lens("192.0.2.8"), [0]);
        assert_eq!(lens("2001:db8::1"), [0, 128]);
        assert_eq!(lens("2001:db8::2"), [0]);
    }
}
