//! What collection reads and writes: an input bundle (its subjects'
//! domains) or a CSV of `subject,domain`, and the output bundle, which is
//! the input with the new observations, the run's source and the rule
//! libraries included, in the compact library layout.

use std::path::{Path, PathBuf};
use whoserves_core::collect::merge_observations;
use whoserves_core::wire;

/// A subject and what to look at for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Entity id.
    pub id: String,
    /// Its domains.
    pub domains: Vec<String>,
    /// Other host names the input names for it (targets of its
    /// observations).
    pub hosts: Vec<String>,
}

/// The input, read.
#[derive(Debug, Clone)]
pub struct Input {
    /// The bundle (built from the CSV for a CSV input).
    pub bundle: wire::Bundle,
    /// The directory its relative include paths start from.
    pub dir: PathBuf,
    /// The subjects with domains, in entity order.
    pub subjects: Vec<Subject>,
}

/// Reads a bundle, or a CSV of `subject,domain` rows (by the `.csv`
/// extension, or any file that does not start with `{`).
pub fn read_input(path: &Path) -> Result<Input, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        || !text.trim_start().starts_with('{');
    let bundle = if is_csv {
        from_csv(&text, path)?
    } else {
        read_bundle(path)?
    };
    let subjects = subjects_of(&bundle);
    if subjects.is_empty() {
        return Err(format!(
            "{}: no subject entity has a domain; give each firm its \"domains\", or pass a CSV of subject,domain",
            path.display()
        ));
    }
    Ok(Input {
        bundle,
        dir,
        subjects,
    })
}

/// The subjects with domains, each with the other hosts its observations
/// name.
pub fn subjects_of(bundle: &wire::Bundle) -> Vec<Subject> {
    bundle
        .entities
        .iter()
        .filter(|e| e.role == "subject" && !e.domains.is_empty())
        .map(|e| {
            let mut hosts: Vec<String> = Vec::new();
            for o in bundle.observations.iter().filter(|o| o.subject == e.id) {
                let t = o.target.trim().trim_end_matches('.').to_ascii_lowercase();
                if t.parse::<std::net::IpAddr>().is_err()
                    && !t.is_empty()
                    && !e.domains.iter().any(|d| d.eq_ignore_ascii_case(&t))
                    && !hosts.contains(&t)
                {
                    hosts.push(t);
                }
            }
            Subject {
                id: e.id.clone(),
                domains: e.domains.clone(),
                hosts,
            }
        })
        .collect()
}

/// An entity id for a CSV subject: lower case, runs of other characters as
/// one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn from_csv(text: &str, path: &Path) -> Result<wire::Bundle, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut bundle = wire::Bundle {
        format: wire::FORMAT_V1.to_string(),
        meta: wire::Meta {
            title: format!(
                "Evidence collected for {}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
            ..Default::default()
        },
        ..Default::default()
    };
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = row.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
        let (Some(subject), Some(domain)) = (row.get(0), row.get(1)) else {
            return Err(format!(
                "{}:{line}: expected two fields, subject,domain",
                path.display()
            ));
        };
        if i == 0
            && subject.eq_ignore_ascii_case("subject")
            && domain.eq_ignore_ascii_case("domain")
        {
            continue;
        }
        if subject.is_empty() || domain.is_empty() || domain.contains('/') || domain.contains(' ') {
            return Err(format!(
                "{}:{line}: \"{subject},{domain}\" is not subject,domain (a name and a bare domain such as example.com)",
                path.display()
            ));
        }
        let id = slug(subject);
        if id.is_empty() {
            return Err(format!(
                "{}:{line}: the subject \"{subject}\" gives no id",
                path.display()
            ));
        }
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        match bundle.entities.iter_mut().find(|e| e.id == id) {
            Some(e) => {
                if !e.domains.contains(&domain) {
                    e.domains.push(domain);
                }
            }
            None => bundle.entities.push(wire::Entity {
                id,
                role: "subject".into(),
                name: subject.to_string(),
                domains: vec![domain],
                ..Default::default()
            }),
        }
    }
    Ok(bundle)
}

/// `path` (relative to `from`, or absolute) written relative to `to`; URLs
/// unchanged.
fn rebase(path: &str, from: &Path, to: &Path) -> String {
    if path.starts_with("https://") || path.starts_with("http://") {
        return path.to_string();
    }
    let abs = absolute(&from.join(path));
    let to = absolute(to);
    pathdiff::diff_paths(&abs, &to)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| abs.to_string_lossy().into_owned())
}

fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Lexical clean-up of `.` and `..`, so the relative path is the short one.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// What writing the output did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Observations in the output.
    pub observations: usize,
    /// Of which new (not in the input).
    pub added: usize,
}

/// The output bundle: `input`'s, with its include paths rewritten to start
/// from `out`'s directory, each of `includes` (paths relative to the
/// working directory, or URLs) added once, `sources` added where their id
/// is new, and `observations` merged in by id.
pub fn output(
    input: &Input,
    out: &Path,
    observations: Vec<wire::Observation>,
    sources: Vec<wire::Source>,
    includes: &[String],
) -> (wire::Bundle, Written) {
    let out_dir = out.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut bundle = input.bundle.clone();
    rebase_includes(&mut bundle, &input.dir, &out_dir);
    for extra in includes {
        let p = rebase(extra, Path::new("."), &out_dir);
        if !bundle.include.iter().any(|i| i.path() == p) {
            bundle.include.push(wire::Include::Path(p));
        }
    }
    for s in sources {
        if !bundle.meta.sources.iter().any(|x| x.id == s.id) {
            bundle.meta.sources.push(s);
        }
    }
    let mut observations = observations;
    // A stable order, so two runs' outputs diff by what changed.
    observations.sort_by(|a, b| {
        (
            &a.subject,
            &a.target,
            &a.kind,
            &a.key,
            &a.value,
            &a.observed_at,
        )
            .cmp(&(
                &b.subject,
                &b.target,
                &b.kind,
                &b.key,
                &b.value,
                &b.observed_at,
            ))
    });
    let added = merge_observations(&mut bundle.observations, observations);
    let written = Written {
        observations: bundle.observations.len(),
        added,
    };
    (bundle, written)
}

/// Writes `bundle` to `out` in the library layout, through a temporary
/// file renamed into place, so an interrupted write leaves the old file.
pub fn write(bundle: &wire::Bundle, out: &Path) -> Result<(), String> {
    let text = whoserves_import::library::to_json(bundle);
    let tmp = out.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
}

/// What a merge added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    /// Observations added.
    pub observations: usize,
    /// Observations already there (same id).
    pub duplicates: usize,
    /// Entities, claims and sources added.
    pub others: usize,
}

/// Merges `other` (read from `other_dir`) into `base` (to be written to
/// `out_dir`): observations by id; entities, claims, sources and
/// categories by id where `base` lacks them (an entity `base` has gains the
/// other's domains); includes by path, rebased.
pub fn merge(
    base: &mut wire::Bundle,
    other: wire::Bundle,
    other_dir: &Path,
    out_dir: &Path,
) -> Merged {
    let mut m = Merged::default();
    let n = other.observations.len();
    m.observations = merge_observations(&mut base.observations, other.observations);
    m.duplicates = n - m.observations;
    for e in other.entities {
        match base.entities.iter_mut().find(|b| b.id == e.id) {
            Some(b) => {
                for d in e.domains {
                    if !b.domains.contains(&d) {
                        b.domains.push(d);
                    }
                }
            }
            None => {
                base.entities.push(e);
                m.others += 1;
            }
        }
    }
    for c in other.claims {
        if !base.claims.iter().any(|b| b.id == c.id) {
            base.claims.push(c);
            m.others += 1;
        }
    }
    for s in other.meta.sources {
        if !base.meta.sources.iter().any(|b| b.id == s.id) {
            base.meta.sources.push(s);
            m.others += 1;
        }
    }
    for c in other.categories {
        if !base.categories.iter().any(|b| b.id == c.id) {
            base.categories.push(c);
        }
    }
    for mut inc in other.include {
        match &mut inc {
            wire::Include::Path(p) => *p = rebase(p, other_dir, out_dir),
            wire::Include::When(w) => w.path = rebase(&w.path, other_dir, out_dir),
        }
        if !base.include.iter().any(|b| b.path() == inc.path()) {
            base.include.push(inc);
        }
    }
    m
}

/// Reads a bundle file as wire types, naming the place of a syntax error.
pub fn read_bundle(path: &Path) -> Result<wire::Bundle, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str::<wire::Bundle>(&text).map_err(|e| {
        format!(
            "{}:{}:{}: {e} (run `whoserves validate` on it for every problem)",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// `base`'s include paths rewritten from `from` to `to`.
pub fn rebase_includes(bundle: &mut wire::Bundle, from: &Path, to: &Path) {
    for inc in &mut bundle.include {
        match inc {
            wire::Include::Path(p) => *p = rebase(p, from, to),
            wire::Include::When(w) => w.path = rebase(&w.path, from, to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_subjects() {
        let b = from_csv(
            "subject,domain\n# the firms\nHikvision,hikvision.com\nHikvision, HIKVISION.com.\n\"Dahua, Inc.\",dahuasecurity.com\n",
            Path::new("firms.csv"),
        )
        .unwrap();
        let got: Vec<(&str, &str, &[String])> = b
            .entities
            .iter()
            .map(|e| (e.id.as_str(), e.name.as_str(), e.domains.as_slice()))
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "hikvision");
        assert_eq!(got[0].2, ["hikvision.com".to_string()]);
        assert_eq!((got[1].0, got[1].1), ("dahua-inc", "Dahua, Inc."));
        let err = from_csv("Hikvision,https://hikvision.com/\n", Path::new("f.csv")).unwrap_err();
        assert!(err.starts_with("f.csv:1:"), "{err}");
    }

    #[test]
    fn include_paths_follow_the_output() {
        let from = Path::new("/site/public/bundles");
        assert_eq!(
            rebase("../rules/providers.json", from, Path::new("/site/out")),
            "../public/rules/providers.json"
        );
        assert_eq!(
            rebase(
                "../rules/providers.json",
                from,
                Path::new("/site/public/bundles")
            ),
            "../rules/providers.json"
        );
        assert_eq!(
            rebase("https://x.test/r.json", from, Path::new("/")),
            "https://x.test/r.json"
        );
    }
}
