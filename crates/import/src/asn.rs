//! `whoserves import asn`: an IP → AS number dataset becomes a compact,
//! sorted table that answers lookups offline (`whoserves collect` turns an
//! IP into an `ip.asn` observation with it).
//!
//! Inputs:
//! - the `@ip-location-db/asn` CSVs (`asn-ipv4.csv`, `asn-ipv6.csv`):
//!   `start,end,asn,organisation`, inclusive ranges; organisation names
//!   may be quoted and hold commas, so a real CSV reader reads them;
//! - CAIDA RouteViews `prefix2as` files: `prefix<TAB>length<TAB>asn`,
//!   where a multi-origin prefix lists its origins `a_b` (most frequent
//!   first) and an AS set `a,b`; the first origin is taken and the count of
//!   such prefixes reported. Prefixes may nest; the most specific wins.
//!
//! The table (`whoserves-asn/1`), one record per line:
//!
//! ```text
//! whoserves-asn/1
//! # source and licence lines, kept from the import
//! N<TAB>16509<TAB>Amazon.com, Inc.
//! R<TAB>3.0.0.0<TAB>3.0.255.255<TAB>16509
//! ```
//!
//! Ranges are sorted, do not overlap, and neighbours of the same AS are
//! merged, so a lookup is one binary search.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// The table's first line.
pub const MAGIC: &str = "whoserves-asn/1";

/// One range of addresses and its AS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    start: u128,
    end: u128,
    asn: u32,
}

/// A sorted IP → AS table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    v4: Vec<Row>,
    v6: Vec<Row>,
    names: BTreeMap<u32, String>,
    /// Comment lines: where the data comes from and its licence.
    pub notes: Vec<String>,
}

/// A lookup's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The AS number.
    pub asn: u32,
    /// Its organisation's name, when the dataset gives one.
    pub name: Option<&'a str>,
    /// The first and last address of the range it was found in.
    pub range: (IpAddr, IpAddr),
}

/// Collects rows from one or more files, then sorts and flattens them.
#[derive(Debug, Default)]
pub struct Builder {
    v4: Vec<(u128, u128, u32, u8)>,
    v6: Vec<(u128, u128, u32, u8)>,
    names: BTreeMap<u32, String>,
    /// Multi-origin or AS-set prefixes, whose first origin was taken.
    pub multi_origin: usize,
    /// Rows read.
    pub rows: usize,
}

fn key(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u32::from(a) as u128),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

fn addr(v6: bool, n: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(n.into())
    } else {
        IpAddr::V4((n as u32).into())
    }
}

impl Builder {
    fn push(&mut self, start: IpAddr, end: IpAddr, asn: u32, len: u8) -> Result<(), String> {
        let (v6, s) = key(start);
        let (v6e, e) = key(end);
        if v6 != v6e || e < s {
            return Err(format!("{start} to {end} is not a range"));
        }
        let list = if v6 { &mut self.v6 } else { &mut self.v4 };
        list.push((s, e, asn, len));
        self.rows += 1;
        Ok(())
    }

    /// Adds an `@ip-location-db/asn` CSV (`start,end,asn,organisation`).
    pub fn add_ip_location_db(&mut self, name: &str, text: &str) -> Result<(), String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (n, row) in reader.records().enumerate() {
            let at = |m: String| format!("{name}: row {}: {m}", n + 1);
            let row = row.map_err(|e| at(e.to_string()))?;
            let field = |i: usize| row.get(i).map(str::trim).unwrap_or("");
            let start: IpAddr = field(0)
                .parse()
                .map_err(|_| at(format!("\"{}\" is not an IP address", field(0))))?;
            let end: IpAddr = field(1)
                .parse()
                .map_err(|_| at(format!("\"{}\" is not an IP address", field(1))))?;
            let asn: u32 = field(2)
                .parse()
                .map_err(|_| at(format!("\"{}\" is not an AS number", field(2))))?;
            self.push(start, end, asn, 0).map_err(at)?;
            let org = field(3);
            if !org.is_empty() {
                self.names.entry(asn).or_insert_with(|| org.to_string());
            }
        }
        Ok(())
    }

    /// Adds a RouteViews `prefix2as` file (`prefix<TAB>length<TAB>asn`).
    pub fn add_pfx2as(&mut self, name: &str, text: &str) -> Result<(), String> {
        for (n, line) in text.lines().enumerate() {
            let at = |m: String| format!("{name}: line {}: {m}", n + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split('\t').collect();
            let [prefix, len, asn] = parts[..] else {
                return Err(at("expected prefix, length and AS separated by tabs".into()));
            };
            let net: ipnet::IpNet = format!("{prefix}/{len}")
                .parse()
                .map_err(|_| at(format!("\"{prefix}/{len}\" is not a prefix")))?;
            let first = asn.split(['_', ',']).next().unwrap_or("");
            if first.len() != asn.len() {
                self.multi_origin += 1;
            }
            let asn: u32 = first
                .parse()
                .map_err(|_| at(format!("\"{asn}\" is not an AS number")))?;
            let net = net.trunc();
            self.push(net.network(), net.broadcast(), asn, net.prefix_len())
                .map_err(at)?;
        }
        Ok(())
    }

    /// Sorts, flattens nested ranges (the most specific wins) and merges
    /// neighbours of the same AS.
    pub fn finish(self, notes: Vec<String>) -> Table {
        Table {
            v4: flatten(self.v4),
            v6: flatten(self.v6),
            names: self.names,
            notes,
        }
    }
}

/// Non-overlapping rows from ranges that are disjoint or nested.
fn flatten(mut items: Vec<(u128, u128, u32, u8)>) -> Vec<Row> {
    // Outer ranges first at the same start: wider (then shorter prefix) first.
    items.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.3.cmp(&b.3)));
    let mut out: Vec<Row> = Vec::new();
    let mut emit = |start: u128, end: u128, asn: u32| {
        if start > end {
            return;
        }
        match out.last_mut() {
            Some(last) if last.asn == asn && last.end.checked_add(1) == Some(start) => {
                last.end = end
            }
            _ => out.push(Row { start, end, asn }),
        }
    };
    let mut stack: Vec<(u128, u32)> = Vec::new();
    let mut cursor: u128 = 0;
    for (s, e, asn, _) in items {
        while let Some(&(top_end, top_asn)) = stack.last() {
            if top_end >= s {
                break;
            }
            emit(cursor, top_end, top_asn);
            cursor = top_end.saturating_add(1);
            stack.pop();
        }
        if let Some(&(top_end, top_asn)) = stack.last() {
            if cursor < s {
                emit(cursor, s - 1, top_asn);
            }
            // A range that overlaps without nesting is cut at its outer end.
            let e = e.min(top_end);
            stack.push((e, asn));
        } else {
            stack.push((e, asn));
        }
        cursor = cursor.max(s);
    }
    while let Some((end, asn)) = stack.pop() {
        if cursor <= end {
            emit(cursor, end, asn);
            cursor = end.saturating_add(1);
        }
    }
    out
}

impl Table {
    /// The table as text (`whoserves-asn/1`).
    pub fn write(&self) -> String {
        let mut out = String::with_capacity(32 * (self.v4.len() + self.v6.len()));
        out.push_str(MAGIC);
        out.push('\n');
        for n in &self.notes {
            for l in n.lines() {
                out.push_str("# ");
                out.push_str(l);
                out.push('\n');
            }
        }
        for (asn, name) in &self.names {
            let name = name.replace(['\t', '\n', '\r'], " ");
            out.push_str(&format!("N\t{asn}\t{name}\n"));
        }
        for (v6, rows) in [(false, &self.v4), (true, &self.v6)] {
            for r in rows.iter() {
                out.push_str(&format!(
                    "R\t{}\t{}\t{}\n",
                    addr(v6, r.start),
                    addr(v6, r.end),
                    r.asn
                ));
            }
        }
        out
    }

    /// Reads a table written by [`Table::write`].
    pub fn parse(text: &str) -> Result<Table, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, MAGIC)) => {}
            _ => return Err(format!("not an AS table: the first line must be {MAGIC}")),
        }
        let mut t = Table::default();
        for (n, line) in lines {
            let at = |m: &str| format!("line {}: {m}", n + 1);
            if let Some(note) = line.strip_prefix("# ") {
                t.notes.push(note.to_string());
                continue;
            }
            let parts: Vec<&str> = line.split('\t').collect();
            match parts[..] {
                ["N", asn, name] => {
                    let asn = asn.parse().map_err(|_| at("bad AS number"))?;
                    t.names.insert(asn, name.to_string());
                }
                ["R", start, end, asn] => {
                    let (v6, s) = key(start.parse().map_err(|_| at("bad start address"))?);
                    let (v6e, e) = key(end.parse().map_err(|_| at("bad end address"))?);
                    let asn = asn.parse().map_err(|_| at("bad AS number"))?;
                    if v6 != v6e || e < s {
                        return Err(at("not a range"));
                    }
                    let rows = if v6 { &mut t.v6 } else { &mut t.v4 };
                    if rows.last().is_some_and(|r| r.end >= s) {
                        return Err(at("ranges must be sorted and must not overlap"));
                    }
                    rows.push(Row {
                        start: s,
                        end: e,
                        asn,
                    });
                }
                [""] => {}
                _ => return Err(at("expected an N or R record")),
            }
        }
        Ok(t)
    }

    /// The AS that announces `ip`, if the table has it.
    pub fn lookup(&self, ip: IpAddr) -> Option<Origin<'_>> {
        let (v6, k) = key(ip);
        let rows = if v6 { &self.v6 } else { &self.v4 };
        let i = rows.partition_point(|r| r.start <= k).checked_sub(1)?;
        let r = rows[i];
        (k <= r.end).then(|| Origin {
            asn: r.asn,
            name: self.names.get(&r.asn).map(String::as_str),
            range: (addr(v6, r.start), addr(v6, r.end)),
        })
    }

    /// Ranges in the table (IPv4, IPv6).
    pub fn len(&self) -> (usize, usize) {
        (self.v4.len(), self.v6.len())
    }

    /// Whether the table holds no range.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn csv_rows_merge_and_look_up() {
        let mut b = Builder::default();
        b.add_ip_location_db(
            "asn-ipv4.csv",
            "3.0.0.0,3.0.255.255,16509,\"Amazon.com, Inc.\"\n3.1.0.0,3.1.255.255,16509,\"Amazon.com, Inc.\"\n45.183.122.0,45.183.123.255,271913,FIBERHOME NETWORK S.A.S.\n",
        )
        .unwrap();
        b.add_ip_location_db(
            "asn-ipv6.csv",
            "2600:9000::,2600:9000:ffff:ffff:ffff:ffff:ffff:ffff,16509,\"Amazon.com, Inc.\"\n",
        )
        .unwrap();
        let t = b.finish(vec!["test".into()]);
        assert_eq!(t.len(), (2, 1), "the two Amazon neighbours merge");
        let o = t.lookup(ip("3.1.2.3")).unwrap();
        assert_eq!((o.asn, o.name), (16509, Some("Amazon.com, Inc.")));
        assert_eq!(o.range, (ip("3.0.0.0"), ip("3.1.255.255")));
        assert_eq!(t.lookup(ip("3.2.0.0")), None);
        assert_eq!(t.lookup(ip("2600:9000::1")).unwrap().asn, 16509);
        // The written table reads back the same.
        let again = Table::parse(&t.write()).unwrap();
        assert_eq!(again.write(), t.write());
        assert_eq!(
            again.lookup(ip("45.183.122.9")).unwrap().name,
            Some("FIBERHOME NETWORK S.A.S.")
        );
    }

    #[test]
    fn nested_prefixes_take_the_most_specific() {
        let mut b = Builder::default();
        b.add_pfx2as(
            "p",
            "10.0.0.0\t8\t1\n10.1.0.0\t16\t2\n10.1.2.0\t24\t3_4\n10.200.0.0\t16\t1\n",
        )
        .unwrap();
        assert_eq!(b.multi_origin, 1);
        let t = b.finish(vec![]);
        let asn = |s: &str| t.lookup(ip(s)).map(|o| o.asn);
        assert_eq!(asn("10.0.0.1"), Some(1));
        assert_eq!(asn("10.1.0.1"), Some(2));
        assert_eq!(asn("10.1.2.7"), Some(3));
        assert_eq!(asn("10.1.3.0"), Some(2));
        assert_eq!(asn("10.2.0.0"), Some(1));
        assert_eq!(asn("10.200.5.5"), Some(1));
        assert_eq!(asn("11.0.0.0"), None);
        // Rows do not overlap and cover 10/8 exactly.
        let text = t.write();
        assert!(text.contains("R\t10.0.0.0\t10.0.255.255\t1\n"), "{text}");
        assert!(text.contains("R\t10.2.0.0\t10.255.255.255\t1\n"), "{text}");
        Table::parse(&text).unwrap();
    }

    #[test]
    fn bad_input_names_its_place() {
        let mut b = Builder::default();
        let e = b
            .add_ip_location_db("a.csv", "1.0.0.0,1.0.0.255,13335,x\n1.0.1.0,nope,1,x\n")
            .unwrap_err();
        assert_eq!(e, "a.csv: row 2: \"nope\" is not an IP address");
        assert!(Table::parse("hello").is_err());
    }
}
