//! An analysis in parts: how a worker that analysed a big bundle hands the
//! result to the page without the page doing the work again, and without
//! one long task on the page's thread.
//!
//! The worker runs [`crate::analyze_documents_with`]. As soon as the
//! bundle is loaded it sends the observations ([`encode_observations`]),
//! which the page reads ([`Assembly::observations`]) while the worker
//! evaluates; then it [`encode`]s the rest: a [`Parts::head`] (what the
//! evaluation found, the diagnostics, the bundle's text with its
//! observations left out) and [`Parts::chunks`] of findings. Chunks are
//! [`CHUNK`] long, in a compact binary form (`postcard`), so the page
//! reads them a few at a time, letting the browser run between, and
//! finally [`Assembly::finish`]es: it loads the bundle's text without its
//! observations (rules, entities, claims: the part that compiles regexes
//! and resolves references, which the binary form would have to repeat)
//! and puts the observations and the evaluation back in. The result
//! equals the worker's analysis (`tests::the_page_gets_the_workers_analysis`).
//!
//! Both sides are this crate at the same version: the parts are not a
//! format anyone else reads, and nothing checks them against a schema.
//! They come from the page's own worker, never from a bundle's author.

use crate::analysis::{load_documents, Analysis, Document, Then};
use crate::diag::Diagnostic;
use crate::engine::Finding;
use crate::limits::Limits;
use crate::model::{Absence, Observation};
use crate::timeline::Timeline;
use crate::verdict::ClaimVerdict;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Observations (or findings) per chunk: small enough that the page reads
/// one in a few milliseconds. (Chunks of 1,024 and 2,048 made the 30 MB
/// benchmark's read-back slower, with no shorter tasks.)
pub const CHUNK: usize = 4_096;

/// An encoded analysis.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    /// Everything but the observations and the findings.
    pub head: Vec<u8>,
    /// The findings, [`CHUNK`] at a time.
    pub chunks: Vec<Vec<u8>>,
}

/// The head: the evaluation, and the text to load the rest from.
#[derive(Serialize, Deserialize)]
struct Head {
    /// The bundle's text with `"observations": []`.
    skeleton: String,
    observations: usize,
    findings: usize,
    /// Counts the page's own load of the skeleton must agree with.
    entities: usize,
    rules: usize,
    claims: usize,
    absences: Vec<Absence>,
    /// JSON: a diagnostic leaves out an absent `file`, which a binary
    /// format cannot skip.
    diagnostics: String,
    load_diagnostics: usize,
    timeline: Timeline,
    unmatched: Vec<usize>,
    verdicts: Vec<ClaimVerdict>,
    /// Which of the verdicts' index lists are one shared list (the report
    /// prints a shared list once): per verdict, a number per list.
    sharing: Vec<[usize; 5]>,
    unclaimed: Vec<usize>,
    then: Option<Vec<Option<Then>>>,
}

type List = std::sync::Arc<[usize]>;

fn lists_mut(v: &mut ClaimVerdict) -> [&mut List; 5] {
    [
        &mut v.findings,
        &mut v.contradicting,
        &mut v.parent_findings,
        &mut v.rests_on,
        &mut v.rules,
    ]
}

/// Numbers each verdict's lists by identity.
fn sharing(verdicts: &[ClaimVerdict]) -> Vec<[usize; 5]> {
    let mut ids: crate::hash::HashMap<*const usize, usize> = Default::default();
    verdicts
        .iter()
        .map(|v| {
            let mut v = v.clone();
            lists_mut(&mut v).map(|l| {
                let n = ids.len();
                *ids.entry(l.as_ptr()).or_insert(n)
            })
        })
        .collect()
}

/// Makes the lists [`sharing`] numbered alike one list again.
fn share(verdicts: &mut [ClaimVerdict], sharing: &[[usize; 5]]) {
    let mut first: crate::hash::HashMap<usize, List> = Default::default();
    for (v, ids) in verdicts.iter_mut().zip(sharing) {
        for (l, id) in lists_mut(v).into_iter().zip(ids) {
            match first.get(id) {
                Some(f) => *l = f.clone(),
                None => {
                    first.insert(*id, l.clone());
                }
            }
        }
    }
}

/// `text` with the top-level `observations` replaced by `[]`; `None` when
/// the text is no JSON object.
pub fn skeleton(text: &str) -> Option<String> {
    let top: BTreeMap<String, &RawValue> = serde_json::from_str(text).ok()?;
    let Some(obs) = top.get("observations") else {
        return Some(text.to_string());
    };
    let raw = obs.get();
    let start = raw.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + raw.len();
    let mut out = String::with_capacity(text.len() - raw.len() + 2);
    out.push_str(&text[..start]);
    out.push_str("[]");
    out.push_str(&text[end..]);
    Some(out)
}

/// Encodes observations, [`CHUNK`] at a time: a worker sends them as
/// soon as the bundle is loaded, so the page reads them while the worker
/// evaluates.
pub fn encode_observations(observations: &[Observation]) -> Result<Vec<Vec<u8>>, String> {
    observations.chunks(CHUNK).map(bytes).collect()
}

/// Encodes the rest of `analysis` of the bundle `text` (as given to
/// [`crate::analyze_documents`]): the head and the findings.
/// `then`, when given, is [`Analysis::then`] computed already, so the
/// page need not.
pub fn encode(
    text: &str,
    analysis: &Analysis,
    then: Option<Vec<Option<Then>>>,
) -> Result<Parts, String> {
    let skeleton = skeleton(text).ok_or("the bundle is not a JSON object")?;
    let b = &analysis.bundle;
    let head = Head {
        skeleton,
        observations: b.observations.len(),
        findings: analysis.findings.len(),
        entities: b.entities.len(),
        rules: b.rules.len(),
        claims: b.claims.len(),
        absences: b.absences.clone(),
        diagnostics: serde_json::to_string(&analysis.diagnostics).map_err(|e| e.to_string())?,
        load_diagnostics: analysis.load_diagnostics(),
        timeline: analysis.timeline.clone(),
        unmatched: analysis.unmatched.clone(),
        verdicts: analysis.verdicts.clone(),
        sharing: sharing(&analysis.verdicts),
        unclaimed: analysis.unclaimed.clone(),
        then,
    };
    Ok(Parts {
        head: bytes(&head)?,
        chunks: analysis
            .findings
            .chunks(CHUNK)
            .map(bytes)
            .collect::<Result<_, _>>()?,
    })
}

fn bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(value).map_err(|e| e.to_string())
}

/// An analysis being put back together on the page: observation chunks
/// ([`encode_observations`]), then the head, then the findings chunks
/// ([`encode`]).
#[derive(Default)]
pub struct Assembly {
    head: Option<Head>,
    observations: Vec<Observation>,
    findings: Vec<Finding>,
    /// Stamps, subjects and source ids read so far: the observations
    /// share them again, as the loader made them share them.
    shared: crate::hash::HashSet<std::sync::Arc<str>>,
}

impl Assembly {
    /// Makes room for `n` observations in all, before their chunks come:
    /// growing by doubling would copy them at each step (for 140,000
    /// observations, one copy of 25 MB was a task of 30 ms on the page).
    pub fn expect_observations(&mut self, n: usize) {
        self.observations
            .reserve_exact(n.saturating_sub(self.observations.len()));
    }

    /// Reads a chunk of observations.
    pub fn observations(&mut self, chunk: &[u8]) -> Result<(), String> {
        let more: Vec<Observation> =
            postcard::from_bytes(chunk).map_err(|e| format!("observations: {e}"))?;
        let shared = &mut self.shared;
        let mut share = |s: &mut std::sync::Arc<str>| match shared.get(&**s) {
            Some(one) => *s = one.clone(),
            None => {
                shared.insert(s.clone());
            }
        };
        for mut o in more {
            share(&mut o.observed_at.text);
            share(&mut o.subject);
            if let crate::model::SourceRef::Id(id) = &mut o.source {
                share(id);
            }
            self.observations.push(o);
        }
        Ok(())
    }

    /// Reads the head.
    pub fn head(&mut self, head: &[u8]) -> Result<(), String> {
        let head: Head = postcard::from_bytes(head).map_err(|e| format!("head: {e}"))?;
        self.findings.reserve(head.findings);
        self.head = Some(head);
        Ok(())
    }

    /// Reads a chunk of findings.
    pub fn findings(&mut self, chunk: &[u8]) -> Result<(), String> {
        let more: Vec<Finding> =
            postcard::from_bytes(chunk).map_err(|e| format!("findings: {e}"))?;
        self.findings.extend(more);
        Ok(())
    }

    /// Observations and findings read so far.
    pub fn read(&self) -> usize {
        self.observations.len() + self.findings.len()
    }

    /// The analysis: the skeleton loaded as `main` was, with the same
    /// `libraries` and `limits`, and the rest put back.
    pub fn finish(
        self,
        main: &str,
        libraries: &[Result<Document, Diagnostic>],
        limits: &Limits,
    ) -> Result<Analysis, String> {
        let Assembly {
            head,
            observations,
            findings,
            shared: _,
        } = self;
        let head = head.ok_or("no head arrived")?;
        if observations.len() != head.observations || findings.len() != head.findings {
            return Err(format!(
                "{} of {} observations and {} of {} findings arrived",
                observations.len(),
                head.observations,
                findings.len(),
                head.findings
            ));
        }
        let doc = Document {
            name: main.to_string(),
            text: head.skeleton,
        };
        let (mut bundle, _) = load_documents(&doc, libraries, limits);
        let counts = (
            bundle.entities.len(),
            bundle.rules.len(),
            bundle.claims.len(),
        );
        if counts != (head.entities, head.rules, head.claims) {
            return Err(format!(
                "the page read {counts:?} entities, rules and claims where the worker read {:?}",
                (head.entities, head.rules, head.claims)
            ));
        }
        let mut verdicts = head.verdicts;
        share(&mut verdicts, &head.sharing);
        bundle.observations = observations;
        bundle.absences = head.absences;
        let diagnostics: Vec<Diagnostic> =
            serde_json::from_str(&head.diagnostics).map_err(|e| format!("diagnostics: {e}"))?;
        Ok(Analysis::assembled(
            bundle,
            diagnostics,
            head.load_diagnostics,
            head.timeline,
            findings,
            head.unmatched,
            verdicts,
            head.unclaimed,
            limits.clone(),
            head.then,
        ))
    }
}

/// A layout in the transport's form: the worker lays out the first view.
pub fn encode_layout(layout: &crate::layout::Layout) -> Result<Vec<u8>, String> {
    bytes(layout)
}

/// Reads [`encode_layout`]'s bytes.
pub fn decode_layout(bytes: &[u8]) -> Result<crate::layout::Layout, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("layout: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_documents;
    use crate::report::Report;

    /// `text` analysed as the app does (its libraries read from
    /// `public/bundles/`), then encoded and put back together.
    fn roundtrip(text: &str) -> (Analysis, Analysis) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/bundles");
        let libraries: Vec<Result<Document, Diagnostic>> = crate::includes(text)
            .into_iter()
            .map(|name| {
                Ok(Document {
                    text: std::fs::read_to_string(format!("{dir}/{name}")).unwrap(),
                    name,
                })
            })
            .collect();
        let main = Document {
            name: "b.json".into(),
            text: text.into(),
        };
        let limits = Limits::default();
        let a = analyze_documents(&main, &libraries, &limits);
        let observations = encode_observations(&a.bundle.observations).unwrap();
        let parts = encode(text, &a, Some(a.then())).unwrap();
        let mut asm = Assembly::default();
        // Told the count first (as the worker tells the page), the page
        // reads every chunk into the room it made: nothing is moved.
        asm.expect_observations(a.bundle.observations.len());
        let room = asm.observations.as_ptr();
        for c in &observations {
            asm.observations(c).unwrap();
        }
        assert!(a.bundle.observations.is_empty() || std::ptr::eq(room, asm.observations.as_ptr()));
        asm.head(&parts.head).unwrap();
        for c in &parts.chunks {
            asm.findings(c).unwrap();
        }
        assert_eq!(asm.read(), a.bundle.observations.len() + a.findings.len());
        let b = asm.finish("b.json", &libraries, &limits).unwrap();
        (a, b)
    }

    #[test]
    fn skeleton_drops_only_the_observations() {
        let s = skeleton(r#"{"a": 1, "observations": [{"id": "x"}], "b": [2]}"#).unwrap();
        assert_eq!(s, r#"{"a": 1, "observations": [], "b": [2]}"#);
        assert_eq!(skeleton("[1]"), None);
    }

    #[test]
    fn the_page_gets_the_workers_analysis() {
        let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/bundles");
        for text in [
            std::fs::read_to_string(format!("{shipped}/top10vpn-2020.json")).unwrap(),
            std::fs::read_to_string(format!("{shipped}/demo.json")).unwrap(),
            include_str!("../../../tests/fixtures/verdicts/all-features.json").to_string(),
        ] {
            let (a, b) = roundtrip(&text);
            // The report as published has claims and no observations yet.
            if !a.bundle.observations.is_empty() {
                assert!(!a.findings.is_empty(), "{:?}", a.diagnostics);
            }
            check_equal(&a, &b);
        }
    }

    fn check_equal(a: &Analysis, b: &Analysis) {
        let json = |a: &Analysis| serde_json::to_string(&Report::new(a)).unwrap();
        assert_eq!(json(a), json(b));
        assert_eq!(a.findings, b.findings);
        assert_eq!(a.timeline, b.timeline);
        assert_eq!(a.diagnostics, b.diagnostics);
        assert_eq!(a.then(), b.then());
        assert_eq!(a.bundle.observations.len(), b.bundle.observations.len());
        for (x, y) in a.bundle.observations.iter().zip(&b.bundle.observations) {
            assert_eq!(x.normalized(), y.normalized());
            assert_eq!(x.observed_at, y.observed_at);
            assert_eq!(
                serde_json::to_string(x).unwrap(),
                serde_json::to_string(y).unwrap()
            );
        }
        // Observations of one subject share its id on the page too.
        let obs = &b.bundle.observations;
        for (i, x) in obs.iter().enumerate() {
            if let Some(y) = obs[..i].iter().find(|y| y.subject == x.subject) {
                assert!(std::sync::Arc::ptr_eq(&x.subject, &y.subject));
            }
            if let Some(y) = obs[..i]
                .iter()
                .find(|y| y.observed_at.text == x.observed_at.text)
            {
                assert!(std::sync::Arc::ptr_eq(
                    &x.observed_at.text,
                    &y.observed_at.text
                ));
            }
        }
        let g = |a: &Analysis| crate::view::graph::build(a, &crate::view::Filters::default());
        assert_eq!(g(a), g(b));
        // The same date on both sides evaluates alike.
        if let Some(o) = a.bundle.observations.first() {
            let d = Some(o.observed_at.date);
            assert_eq!(json(&a.as_of(d)), json(&b.as_of(d)));
        }
    }
}
