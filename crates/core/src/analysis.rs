//! The façade: [`Analysis`], everything known about one bundle, and the
//! entry points that build it ([`analyze`], [`analyze_documents`]), shaped
//! like rust-analyzer's `ide::Analysis`. The CLI and the viewer call these
//! and nothing below them to judge a bundle. [`crate::report::Report`]
//! flattens an `Analysis` for printing; it sits above this module.

use crate::diag::{self, Code, Diagnostic};
use crate::engine::{evaluate, evaluate_with, Evaluation, Finding, Stop};
use crate::limits::Limits;
use crate::load::{includes, load, load_with, Loaded};
use crate::model::Bundle;
use crate::model::Date;
use crate::timeline::{timeline, Timeline};
use crate::verdict::{self, ClaimVerdict, Summary};

/// Everything known about one bundle: the loaded model, what is wrong with
/// it, the findings and the verdicts, as of a date.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The usable part of the bundle.
    pub bundle: Bundle,
    /// Errors and warnings from loading (and from evaluation, when it hit
    /// [`Limits::max_matches`]).
    pub diagnostics: Vec<Diagnostic>,
    /// Which observations are in force, as of [`Timeline::as_of`].
    pub timeline: Timeline,
    /// Attributions found by the rules, with traces.
    pub findings: Vec<Finding>,
    /// Observations in force that no rule matched.
    pub unmatched: Vec<usize>,
    /// One verdict per claim, in claim order.
    pub verdicts: Vec<ClaimVerdict>,
    /// Indices into `findings` that no claim speaks of.
    pub unclaimed: Vec<usize>,
    /// The limits it was loaded and evaluated under.
    pub limits: Limits,
    /// Diagnostics of loading alone (before evaluation added any).
    load_diagnostics: usize,
    /// [`Analysis::then`], when a worker computed it already
    /// ([`crate::transport`]).
    then_known: Option<Vec<Option<Then>>>,
}

impl Analysis {
    /// Whether loading found errors (the viewer then refuses to show it).
    pub fn has_errors(&self) -> bool {
        diag::error_count(&self.diagnostics) > 0
    }

    /// Claim counts per verdict.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.verdicts)
    }

    /// Each claim's verdict on the evidence of its own date ("then"), for
    /// the claims with an `as_of`: the bundle judged as of
    /// [`THEN_AFTER_DAYS`] after that date (nothing observed later), with
    /// only the observations of the [`THEN_BEFORE_DAYS`] before the date in
    /// force. Evidence years away from a claim's date never stands in for
    /// it; the ordinary verdict ([`Analysis::verdicts`]) is the one on all
    /// evidence in force, the "now" beside it. A global as-of date earlier
    /// than the window's end cuts it. One evaluation per distinct claim
    /// date.
    pub fn then(&self) -> Vec<Option<Then>> {
        if let Some(known) = &self.then_known {
            return known.clone();
        }
        let b = &self.bundle;
        let mut out: Vec<Option<Then>> = vec![None; b.claims.len()];
        let mut dates: Vec<Date> = b.claims.iter().filter_map(|c| c.as_of).collect();
        dates.sort();
        dates.dedup();
        for d in dates {
            let since = d - time::Duration::days(THEN_BEFORE_DAYS);
            let mut until = d + time::Duration::days(THEN_AFTER_DAYS);
            if let Some(cut) = self.timeline.as_of {
                until = until.min(cut);
            }
            let mut tl = timeline(b, Some(until));
            for (i, o) in b.observations.iter().enumerate() {
                if o.observed_at.date < since {
                    tl.active[i] = false;
                }
            }
            let ev = evaluate(b, &tl.active, &self.limits);
            let verdicts = verdict::verdicts(b, &ev.findings, &tl);
            for (i, c) in b.claims.iter().enumerate() {
                if c.as_of == Some(d) {
                    let v = &verdicts[i];
                    out[i] = Some(Then {
                        as_of: d,
                        since,
                        until,
                        verdict: v.verdict,
                        evidence: v.evidence,
                        grounds: v.grounds,
                        reason: v.reason.clone(),
                        rests_on: v.rests_on.clone(),
                    });
                }
            }
        }
        out
    }

    /// The same bundle judged as of `date` (`None`: the latest of every
    /// observation group); see [`crate::timeline`]. Every view of one
    /// date, the summary included, reads the analysis this returns.
    pub fn as_of(&self, date: Option<Date>) -> Analysis {
        let mut diagnostics = self.diagnostics.clone();
        diagnostics.truncate(self.load_diagnostics);
        finish(self.bundle.clone(), diagnostics, &self.limits, date)
    }
}

impl Analysis {
    /// How many of [`Analysis::diagnostics`] loading gave (the rest come
    /// from evaluation).
    pub fn load_diagnostics(&self) -> usize {
        self.load_diagnostics
    }

    /// An analysis from its parts: evaluation's, or those a worker sent
    /// ([`crate::transport`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assembled(
        bundle: Bundle,
        diagnostics: Vec<Diagnostic>,
        load_diagnostics: usize,
        timeline: Timeline,
        findings: Vec<Finding>,
        unmatched: Vec<usize>,
        verdicts: Vec<ClaimVerdict>,
        unclaimed: Vec<usize>,
        limits: Limits,
        then_known: Option<Vec<Option<Then>>>,
    ) -> Analysis {
        Analysis {
            bundle,
            diagnostics,
            timeline,
            findings,
            unmatched,
            verdicts,
            unclaimed,
            limits,
            load_diagnostics,
            then_known,
        }
    }
}

/// How many days before a claim's `as_of` its evidence may have been
/// observed to count for its date ([`Analysis::then`]).
pub const THEN_BEFORE_DAYS: i64 = 365;

/// How many days after a claim's `as_of` its evidence may have been
/// observed to count for its date: a re-check soon after a report speaks
/// of the report's time; one years later does not.
pub const THEN_AFTER_DAYS: i64 = 90;

/// A claim's verdict on the evidence of its own date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Then {
    /// The claim's date.
    #[serde(
        serialize_with = "crate::model::ser_date",
        deserialize_with = "crate::model::de_date"
    )]
    pub as_of: Date,
    /// The earliest observation date that counts.
    #[serde(
        serialize_with = "crate::model::ser_date",
        deserialize_with = "crate::model::de_date"
    )]
    pub since: Date,
    /// The latest observation date that counts.
    #[serde(
        serialize_with = "crate::model::ser_date",
        deserialize_with = "crate::model::de_date"
    )]
    pub until: Date,
    /// The verdict.
    pub verdict: crate::verdict::Verdict,
    /// Distinct observations behind it.
    pub evidence: usize,
    /// What it stands on.
    pub grounds: crate::verdict::Grounds,
    /// Why.
    pub reason: String,
    /// Indices of the observations it rests on.
    pub rests_on: std::sync::Arc<[usize]>,
}

/// A named text: a bundle or a rule library it includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// File name or URL, used in diagnostics.
    pub name: String,
    /// The JSON text.
    pub text: String,
}

/// Like [`analyze`], for a bundle and the rule libraries it includes, as
/// planned by [`crate::include::plan`] and read by the caller, in the order
/// of its `include` list, leaving out those the plan skips: each either its text or the diagnostic saying
/// why it could not be read. Diagnostics of a library carry the library's
/// name in `file`.
pub fn analyze_documents(
    main: &Document,
    libraries: &[Result<Document, Diagnostic>],
    limits: &Limits,
) -> Analysis {
    analyze_documents_with(main, libraries, limits, &mut |_| {})
}

/// How far a long analysis has got, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The bundle and its libraries are read: this many bytes, into this
    /// bundle (evaluation comes next: a caller may hand on its
    /// observations meanwhile).
    Read {
        /// Bytes read.
        bytes: usize,
        /// What they hold.
        bundle: &'a Bundle,
    },
    /// Rules have run over `done` of `of` observations.
    Evaluated {
        /// Observations gone through.
        done: usize,
        /// All of them.
        of: usize,
    },
}

/// [`analyze_documents`], telling `progress` how far it has got.
pub fn analyze_documents_with(
    main: &Document,
    libraries: &[Result<Document, Diagnostic>],
    limits: &Limits,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Analysis {
    let (bundle, diagnostics) = load_documents(main, libraries, limits);
    let bytes = main.text.len()
        + libraries
            .iter()
            .filter_map(|l| l.as_ref().ok())
            .map(|l| l.text.len())
            .sum::<usize>();
    progress(Progress::Read {
        bytes,
        bundle: &bundle,
    });
    finish_with(bundle, diagnostics, limits, None, &mut |done, of| {
        progress(Progress::Evaluated { done, of })
    })
}

/// Like [`analyze_documents`], without evaluating: the bundle and its
/// libraries loaded and checked, every load diagnostic, and no findings
/// or verdicts. What `whoserves validate` runs; it costs the load alone.
/// The limit on evaluation work is only met by evaluating, so only
/// [`analyze_documents`] reports it.
pub fn validate_documents(
    main: &Document,
    libraries: &[Result<Document, Diagnostic>],
    limits: &Limits,
) -> Analysis {
    let (bundle, diagnostics) = load_documents(main, libraries, limits);
    let load_diagnostics = diagnostics.len();
    Analysis {
        timeline: timeline(&bundle, None),
        bundle,
        diagnostics,
        limits: limits.clone(),
        load_diagnostics,
        ..Analysis::default()
    }
}

/// The bundle built on its libraries, and the diagnostics of loading them.
pub(crate) fn load_documents(
    main: &Document,
    libraries: &[Result<Document, Diagnostic>],
    limits: &Limits,
) -> (Bundle, Vec<Diagnostic>) {
    let mut base = Bundle::default();
    let mut diagnostics = Vec::new();
    // The size limit holds for the bundle and its libraries together.
    let mut total = main.text.len();
    for lib in libraries {
        let lib = match lib {
            Ok(lib) => lib,
            Err(d) => {
                diagnostics.push(d.clone());
                continue;
            }
        };
        total += lib.text.len();
        if total > limits.max_bytes {
            diagnostics.push(Diagnostic::error(
                Code::Include,
                "include",
                format!(
                    "{} makes the bundle and its libraries together more than the limit of {} bytes",
                    lib.name, limits.max_bytes
                ),
            ));
            continue;
        }
        let loaded = load_with(&lib.text, limits, &base);
        if !includes(&lib.text).is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Code::Include,
                    "include",
                    "a rule library cannot include other files; include them all from the bundle",
                )
                .in_file(&lib.name),
            );
        }
        diagnostics.extend(loaded.diagnostics.into_iter().map(|d| d.in_file(&lib.name)));
        base = loaded.bundle;
    }
    let Loaded {
        bundle,
        diagnostics: own,
    } = load_with(&main.text, limits, &base);
    let unread: Vec<&Diagnostic> = libraries.iter().filter_map(|l| l.as_ref().err()).collect();
    if unread.is_empty() {
        diagnostics.extend(own);
    } else {
        diagnostics.extend(without_cascade(own, &unread));
    }
    addresses_without_ranges(&bundle, &mut diagnostics);
    (bundle, diagnostics)
}

/// A bundle's diagnostics when some of its libraries could not be read:
/// the references to undeclared ids, which that failure explains, are
/// counted in one diagnostic instead of listed one by one.
fn without_cascade(own: Vec<Diagnostic>, unread: &[&Diagnostic]) -> Vec<Diagnostic> {
    let (cascade, mut kept): (Vec<Diagnostic>, Vec<Diagnostic>) = own
        .into_iter()
        .partition(|d| d.code == Code::UnknownRef && d.message.starts_with("unknown "));
    if cascade.is_empty() {
        return kept;
    }
    let mut ids: Vec<&str> = cascade
        .iter()
        .filter_map(|d| d.message.split('"').nth(1))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let shown: Vec<String> = ids.iter().take(8).map(|i| format!("\"{i}\"")).collect();
    let more = ids.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let places: Vec<&str> = unread.iter().map(|d| d.path.as_str()).collect();
    let first = &cascade[0];
    let mut summary = Diagnostic::error(
        Code::UnknownRef,
        "",
        format!(
            "{} reference{} to ids this bundle does not declare ({}{more}) are not listed one by one: they are probably declared in the library that could not be read ({}); fix that first",
            cascade.len(),
            if cascade.len() == 1 { "" } else { "s" },
            shown.join(", "),
            places.join(", ")
        ),
    );
    if let (Some(l), Some(c)) = (first.line, first.column) {
        summary = summary.at(l, c);
    }
    kept.insert(0, summary);
    kept
}

/// Loads, evaluates and judges a bundle: the one entry point the CLI and
/// the viewer share. Evaluation runs on the usable part even when there are
/// errors, so the CLI can still report; the viewer checks [`Analysis::has_errors`].
pub fn analyze(text: &str, limits: &Limits) -> Analysis {
    let Loaded {
        bundle,
        diagnostics,
    } = load(text, limits);
    let mut diagnostics = diagnostics;
    addresses_without_ranges(&bundle, &mut diagnostics);
    finish(bundle, diagnostics, limits, None)
}

/// A warning when a bundle records addresses (`dns.a`, `dns.aaaa`) but no
/// rule reads them: without a range library they attribute nothing, and
/// nothing else would say so.
fn addresses_without_ranges(bundle: &Bundle, diagnostics: &mut Vec<Diagnostic>) {
    use crate::model::Kind;
    let is_address = |k: Kind| matches!(k, Kind::DnsA | Kind::DnsAaaa);
    let n = bundle
        .observations
        .iter()
        .filter(|o| is_address(o.kind))
        .count();
    if n == 0 || bundle.rules.iter().any(|r| is_address(r.kind)) {
        return;
    }
    diagnostics.push(Diagnostic::warning(
        Code::Include,
        "observations",
        format!(
            "{n} dns.a/dns.aaaa observation{} attribute nothing: no rule reads addresses, and the shipped providers.json has none. Include a range library for the providers you expect, e.g. \"../rules/aws-2026-08-22.json\" (docs/rule-libraries.md lists them), or record ip.asn observations for the addresses",
            if n == 1 { "" } else { "s" }
        ),
    ));
}

/// Evaluates a loaded bundle as of `as_of` and judges its claims.
pub(crate) fn finish(
    bundle: Bundle,
    diagnostics: Vec<Diagnostic>,
    limits: &Limits,
    as_of: Option<Date>,
) -> Analysis {
    finish_with(bundle, diagnostics, limits, as_of, &mut |_, _| {})
}

/// [`finish`], with [`crate::engine::evaluate_with`]'s progress.
fn finish_with(
    bundle: Bundle,
    mut diagnostics: Vec<Diagnostic>,
    limits: &Limits,
    as_of: Option<Date>,
    progress: &mut dyn FnMut(usize, usize),
) -> Analysis {
    let load_diagnostics = diagnostics.len();
    let timeline = timeline(&bundle, as_of);
    let Evaluation {
        findings,
        unmatched,
        stopped,
        ..
    } = evaluate_with(&bundle, &timeline.active, limits, progress);
    let stop = match stopped {
        Some(Stop::Matches(n)) => Some(format!(
            "evaluation stopped after {n} rule matches, the limit; rules that broad attribute everything and show nothing"
        )),
        Some(Stop::Work(_)) => Some(format!(
            "evaluation stopped after {} units of work, the limit; rules the index cannot narrow (a top-level \"not\", a regex with no literal of {} or more characters) or very many candidates per observation cost too much",
            limits.max_work,
            crate::literals::MIN_LITERAL
        )),
        None => None,
    };
    if let Some(message) = stop {
        diagnostics.push(Diagnostic::error(Code::Limit, "rules", message));
    }
    let verdicts = verdict::verdicts(&bundle, &findings, &timeline);
    let unclaimed = verdict::unclaimed(&bundle, &findings);
    Analysis::assembled(
        bundle,
        diagnostics,
        load_diagnostics,
        timeline,
        findings,
        unmatched,
        verdicts,
        unclaimed,
        limits.clone(),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    const LIBRARY: &str = r#"{"format": "whoserves/1", "meta": {"title": "lib",
      "sources": [{"id": "docs", "title": "Provider docs", "url": "https://docs.example/mx"}]},
      "entities": [{"id": "mailco", "role": "provider", "name": "MailCo"}],
      "rules": [{"id": "mx-mailco", "provider": "mailco", "category": "email", "relationship": "direct",
        "match": {"kind": "dns.mx", "condition": {"domain_suffix": "mx.mailco.example"}},
        "explanation": "x", "references": ["https://docs.example/mx"], "examples": {"match": ["a.mx.mailco.example"]}}]}"#;

    fn doc(name: &str, text: &str) -> Document {
        Document {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_bundle_builds_on_an_included_library() {
        let main = r#"{"format": "whoserves/1", "include": ["lib.json"], "meta": {"title": "main"},
          "entities": [{"id": "firm", "role": "subject", "name": "Firm"}],
          "observations": [{"id": "o", "subject": "firm", "target": "firm.example", "kind": "dns.mx",
            "value": "x.mx.mailco.example", "observed_at": "2020-01-01", "source": "docs", "provenance": "synthetic"}],
          "claims": [{"id": "c", "subject": "firm", "provider": "mailco", "category": "email", "source": "docs"}]}"#;
        assert_eq!(includes(main), ["lib.json"]);
        let a = analyze_documents(
            &doc("main.json", main),
            &[Ok(doc("lib.json", LIBRARY))],
            &Limits::default(),
        );
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert_eq!(a.bundle.meta.title, "main");
        assert_eq!(a.verdicts[0].verdict, Verdict::Supported);
        // Without the library the same bundle does not resolve.
        assert!(analyze(main, &Limits::default()).has_errors());
    }

    #[test]
    fn an_entity_may_be_declared_again_only_alike() {
        let render = |main: &str| -> Vec<String> {
            let a = analyze_documents(
                &doc("main.json", main),
                &[Ok(doc("lib.json", LIBRARY))],
                &Limits::default(),
            );
            a.diagnostics
                .iter()
                .map(|d| d.render("main.json"))
                .collect()
        };
        // Alike: role, parent and country agree; the name may differ.
        let alike = r#"{"format": "whoserves/1", "include": ["lib.json"], "meta": {"title": "main"},
          "entities": [{"id": "mailco", "role": "provider", "name": "MailCo, Inc.", "country": "US"}]}"#;
        assert_eq!(render(alike), Vec::<String>::new());
        let a = analyze_documents(
            &doc("main.json", alike),
            &[Ok(doc("lib.json", LIBRARY))],
            &Limits::default(),
        );
        let mailco = a.bundle.entity("mailco").unwrap();
        assert_eq!(mailco.name, "MailCo", "the first declaration names it");
        assert_eq!(
            mailco.country.as_deref(),
            Some("US"),
            "the second fills the country"
        );
        assert_eq!(a.bundle.entities.len(), 1);
        let differs = r#"{"format": "whoserves/1", "include": ["lib.json"], "meta": {"title": "main"},
          "entities": [{"id": "x", "role": "provider", "name": "X"},
                       {"id": "mailco", "role": "subject", "name": "MailCo", "parent": "x"}]}"#;
        assert_eq!(
            render(differs),
            ["main.json:3:31: error[duplicate-id]: entities[1].id: entity \"mailco\" is already declared by an included library, differently: role \"subject\" here, \"provider\" there; parent \"x\" here, none there; a second declaration must agree on role, parent and country"]
        );
        // Within one document a repeat is still a duplicate.
        let twice = r#"{"format": "whoserves/1", "meta": {"title": "main"},
          "entities": [{"id": "a", "role": "provider", "name": "A"}, {"id": "a", "role": "provider", "name": "A"}]}"#;
        assert_eq!(render(twice).len(), 1);
        assert!(render(twice)[0].contains("duplicate id \"a\""));
    }

    #[test]
    fn library_diagnostics_name_the_library() {
        let lib = LIBRARY.replace("\"direct\"", "\"sometimes\"");
        let main = r#"{"format": "whoserves/1", "meta": {"title": "main"}}"#;
        let a = analyze_documents(
            &doc("main.json", main),
            &[Ok(doc("lib.json", &lib))],
            &Limits::default(),
        );
        assert!(
            a.diagnostics[0]
                .render("main.json")
                .starts_with("lib.json:"),
            "{:?}",
            a.diagnostics
        );
    }

    #[test]
    fn an_unread_library_is_reported_once_not_as_a_cascade() {
        let main = r#"{"format": "whoserves/1", "include": ["../rulez/lib.json"], "meta": {"title": "main",
            "sources": [{"id": "s", "title": "S"}]},
          "entities": [{"id": "firm", "role": "subject", "name": "Firm"}],
          "claims": [{"id": "c1", "subject": "firm", "provider": "mailco", "category": "email", "source": "s"},
                     {"id": "c2", "subject": "firm", "provider": "mailco", "category": "email", "source": "s"},
                     {"id": "c3", "subject": "firm", "provider": "mailco", "category": "email", "source": "s",
                      "status": "sometimes"}]}"#;
        let base = crate::include::Base::Dir("work".into());
        let inc = &crate::include::plan(main, &base)[0];
        let failed = inc.failed(&base, "No such file or directory");
        let a = analyze_documents(&doc("main.json", main), &[Err(failed)], &Limits::default());
        let rendered: Vec<String> = a
            .diagnostics
            .iter()
            .map(|d| d.render("main.json"))
            .collect();
        assert_eq!(rendered.len(), 3, "{rendered:#?}");
        assert!(rendered[0].contains("\"../rulez/lib.json\" could not be read (resolved against the bundle's folder work to work/../rulez/lib.json)"), "{}", rendered[0]);
        assert!(rendered[1].contains("3 references to ids this bundle does not declare (\"mailco\") are not listed one by one"), "{}", rendered[1]);
        assert!(
            rendered[1].starts_with("main.json:4:"),
            "located at the first: {}",
            rendered[1]
        );
        // The bundle's own mistakes are still listed.
        assert!(rendered[2].contains("unknown status"), "{}", rendered[2]);
    }

    #[test]
    fn addresses_without_a_range_library_are_named() {
        let main = r#"{"format": "whoserves/1", "meta": {"title": "m", "sources": [{"id": "s", "title": "S"}]},
          "entities": [{"id": "f", "role": "subject", "name": "F"}],
          "observations": [{"id": "o1", "subject": "f", "target": "f.example", "kind": "dns.a", "value": "192.0.2.1",
            "observed_at": "2020-01-01", "source": "s", "provenance": "synthetic"}]}"#;
        let a = analyze(main, &Limits::default());
        assert!(!a.has_errors());
        let w: Vec<&str> = a.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("1 dns.a/dns.aaaa observation attribute nothing"),
            "{}",
            w[0]
        );
        // It stays through a re-judgement at a date, once.
        let then = a.as_of(crate::date::parse_date("2020-06-01").ok());
        assert_eq!(then.diagnostics.len(), 1);
        // A rule that reads addresses silences it.
        let with_rule = main.replace(
            r#"{"id": "f", "role": "subject", "name": "F"}]"#,
            r#"{"id": "f", "role": "subject", "name": "F"}, {"id": "p", "role": "provider", "name": "P"}],
              "rules": [{"id": "a-p", "provider": "p", "category": "hosting", "relationship": "direct",
                "match": {"kind": "dns.a", "condition": {"cidr": {"prefixes": ["192.0.2.0/24"]}}},
                "explanation": "x", "references": ["https://p.example/ranges"], "examples": {"match": ["192.0.2.9"]}}]"#,
        );
        let a = analyze(&with_rule, &Limits::default());
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert_eq!(a.findings.len(), 1);
    }

    #[test]
    fn includes_must_be_relative_or_http() {
        let main = r#"{"format": "whoserves/1", "include": ["javascript:alert(1)", "/etc/passwd"], "meta": {"title": "m"}}"#;
        let messages: Vec<String> = analyze(main, &Limits::default())
            .diagnostics
            .iter()
            .map(|d| d.path.clone())
            .collect();
        assert_eq!(messages, ["include[0]", "include[1]"]);
    }
}
