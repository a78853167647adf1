//! IP prefix tables that answer "every prefix covering this address".
//!
//! Cloud range files overlap (AWS's `AMAZON` set covers `CLOUDFRONT`; Azure
//! prefixes carry several service tags), so a longest-prefix match would
//! hide evidence. A [`PrefixMap`] keeps one hash table per prefix length
//! present and probes each: at most 33 probes for IPv4, 129 for IPv6,
//! independent of how many prefixes are stored.

use crate::hash::HashMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// A map from IP prefixes to values, queried by address.
#[derive(Debug, Clone)]
pub struct PrefixMap<T> {
    by_len: Vec<(bool, u8, HashMap<IpNet, Vec<T>>)>,
}

impl<T> Default for PrefixMap<T> {
    fn default() -> Self {
        PrefixMap { by_len: Vec::new() }
    }
}

impl<T> PrefixMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` under `net` (host bits are ignored).
    pub fn insert(&mut self, net: IpNet, value: T) {
        let net = net.trunc();
        let v6 = matches!(net, IpNet::V6(_));
        let len = net.prefix_len();
        let slot = match self
            .by_len
            .iter()
            .position(|(is6, l, _)| *is6 == v6 && *l == len)
        {
            Some(i) => i,
            None => {
                self.by_len.push((v6, len, HashMap::default()));
                self.by_len.len() - 1
            }
        };
        self.by_len[slot].2.entry(net).or_default().push(value);
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.by_len.is_empty()
    }

    /// Every stored prefix that covers `ip`, with its values, shortest first.
    pub fn covering(&self, ip: IpAddr) -> Vec<(IpNet, &T)> {
        let v6 = ip.is_ipv6();
        let mut out: Vec<(IpNet, &T)> = Vec::new();
        for (is6, len, table) in &self.by_len {
            if *is6 != v6 {
                continue;
            }
            let Ok(net) = IpNet::new(ip, *len) else {
                continue;
            };
            if let Some(values) = table.get(&net.trunc()) {
                out.extend(values.iter().map(|v| (net.trunc(), v)));
            }
        }
        out.sort_by_key(|(n, _)| n.prefix_len());
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
    }
}
