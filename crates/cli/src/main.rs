//! `whoserves`: the command line over whoserves-core.
//!
//! A thin shell: it reads files and prints. Every verdict comes from
//! `whoserves_core::analyze_documents`, the function the viewer calls too,
//! and the core plans which files a bundle includes.
//!
//! Output is inert: every text that came from a bundle (titles, names,
//! ids, values, messages quoting them) is printed through
//! [`whoserves_core::text::inert`], so no control character or
//! bidirectional override from a bundle reaches the terminal, and `--json`
//! escapes the ones `serde_json` leaves raw.
//!
//! Exit codes: 0 clean, 1 diagnostics with errors (or failing rule
//! examples), 2 usage error (including an unreadable file).

mod collect;
mod export;
mod import;
mod read;
mod sign;

use clap::{Parser, Subcommand};
use read::{read_bundle_file, ReadError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use whoserves_core::include::{plan, Base};
use whoserves_core::model::{format_date, Date};
use whoserves_core::text::{inert, inert_json};
use whoserves_core::verdict::Verdict as V;
use whoserves_core::{
    analyze_documents, Analysis, Code, Document, Limits, Report, Severity, Verdict,
};

#[derive(Parser)]
#[command(
    name = "whoserves",
    version,
    about = "Check who serves whom: collect evidence, validate bundles and judge their claims"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the bundle's diagnostics like a compiler: file:line:col: severity[code]: path: message.
    /// Loads and checks without evaluating, so it costs the load alone;
    /// `check` evaluates too, and reports when evaluation hits its work limit.
    Validate {
        /// The bundle (JSON).
        file: PathBuf,
    },
    /// Print every claim with its verdict, what the negatives rest on, the
    /// unclaimed findings and the observations no rule matched.
    Check {
        /// The bundle (JSON).
        file: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Judge the bundle as of this date (YYYY-MM-DD): later observations
        /// are left out and earlier readings of the same thing superseded.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        as_of: Option<Date>,
    },
    /// Export the graph as the viewer draws it: svg (a standalone image
    /// with the source credit), gexf (Gephi), ftm (FollowTheMoney JSON
    /// lines), csv (edges), findings-csv or findings-json (the
    /// observations behind each edge). A bundle with errors is not exported.
    Export(export::ExportArgs),
    /// Make a minisign key pair for signing bundles: NAME.pub and NAME.key
    /// (encrypted with $WHOSERVES_KEY_PASSWORD when it is set).
    Keygen(sign::KeygenArgs),
    /// Sign a bundle file: writes BUNDLE.minisig (minisign, Ed25519).
    Sign(sign::SignArgs),
    /// Check a bundle's signature against trusted public keys, and the
    /// SHA-256 of every library it pins. Exit 0 only when both hold.
    Verify(sign::VerifyArgs),
    /// Run every rule's match and no-match examples.
    TestRules {
        /// The bundle (JSON).
        file: PathBuf,
    },
    /// Print the JSON Schema of the bundle format.
    Schema,
    /// Make rule libraries and tables from other people's data: providers'
    /// IP range files, Wappalyzer-format fingerprints, IP → AS datasets.
    #[command(subcommand)]
    Import(import::Import),
    /// Collect evidence for a bundle's firms (or a CSV of subject,domain):
    /// DNS, IP origins, TLS issuers, home-page headers and scripts,
    /// registrars and, with --at, archived home pages. Writes a bundle
    /// `whoserves check` can judge at once.
    Collect(collect::CollectArgs),
    /// Merge bundles: observations by id (the same fact seen the same day
    /// is kept once), entities, claims and sources where new.
    Merge {
        /// The bundles; the first one's title and claims lead.
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Write the merged bundle here.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Look IPs up in a table written by `whoserves import asn`, as
    /// `collect --asn TABLE` does.
    Asn {
        /// The table.
        table: PathBuf,
        /// The addresses.
        #[arg(required = true)]
        ips: Vec<String>,
    },
}

pub(crate) fn parse_date_arg(s: &str) -> Result<Date, String> {
    whoserves_core::date::parse_date(s)
}

/// A reader that stops early (`whoserves check x.json | head`) closes the
/// pipe; Rust ignores SIGPIPE, so the next print would panic. Restore the
/// default: the process ends quietly, as other Unix tools do.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default, once, before
    // any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}

/// mimalloc: loading and checking allocate many small strings, which
/// glibc's allocator serves and frees more slowly (the throughput bench
/// runs under the same allocator).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Schema => {
            print!("{}", whoserves_core::wire::json_schema());
            ExitCode::SUCCESS
        }
        Command::Validate { file } => with_bundle_loaded(&file, |a, name| {
            print_diagnostics(a, name, |_| true);
            let (e, w) = counts(a);
            println!("{}: {e} error(s), {w} warning(s)", inert(name));
            exit_for(a)
        }),
        Command::Check { file, json, as_of } => with_bundle(&file, |a, name| {
            let dated;
            let a = match as_of {
                Some(d) => {
                    dated = a.as_of(Some(d));
                    &dated
                }
                None => a,
            };
            if json {
                match serde_json::to_string_pretty(&Report::new(a)) {
                    Ok(s) => println!("{}", inert_json(&s)),
                    Err(e) => {
                        let e = e.to_string();
                        eprintln!("whoserves: cannot serialise the report: {}", inert(&e));
                        return ExitCode::from(1);
                    }
                }
            } else {
                print_diagnostics(a, name, |_| true);
                print_check(a);
            }
            exit_for(a)
        }),
        Command::TestRules { file } => with_bundle(&file, test_rules),
        Command::Export(args) => export::export(args),
        Command::Keygen(args) => sign::keygen(args),
        Command::Sign(args) => sign::sign(args),
        Command::Verify(args) => sign::verify_cmd(args),
        Command::Import(cmd) => import::run(cmd),
        Command::Collect(args) => collect::collect(args),
        Command::Merge { files, output } => collect::merge(&files, &output),
        Command::Asn { table, ips } => collect::asn(&table, &ips),
    }
}

/// Runs every rule's examples: the rules that loaded and those left out
/// because their examples misbehave.
fn test_rules(a: &Analysis, name: &str) -> ExitCode {
    print_diagnostics(a, name, |c| c != Code::Example);
    let (mut failed, mut total) = (0, 0);
    let b = &a.bundle;
    for rule in b.rules.iter().chain(&b.rejected_rules) {
        let results = whoserves_core::engine::run_examples(rule);
        let bad: Vec<_> = results.iter().filter(|r| !r.passed).collect();
        total += results.len();
        failed += bad.len();
        let status = if bad.is_empty() { "ok" } else { "FAILED" };
        println!(
            "rule {} ({} examples) ... {status}",
            inert(&rule.id),
            results.len()
        );
        for r in bad {
            let list = if r.must_match { "match" } else { "no_match" };
            println!("    examples.{list}[{}]: {}", r.index, inert(&r.message));
        }
    }
    let overlaps = whoserves_core::lint::overlaps(b);
    for o in &overlaps {
        println!(
            "warning: overlap: example \"{}\" of rule {} ({}) is also matched by rule {} ({})",
            inert(&o.example),
            inert(&o.rule),
            inert(&o.provider),
            inert(&o.other_rule),
            inert(&o.other_provider)
        );
    }
    println!(
        "test-rules: {} rules, {} examples, {} passed, {} failed, {} overlaps",
        b.rules.len() + b.rejected_rules.len(),
        total,
        total - failed,
        failed,
        overlaps.len()
    );
    let load_errors = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code != Code::Example)
        .count();
    if failed > 0 || load_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads the bundle and the rule libraries the core plans for it, then
/// analyses them with the core.
pub(crate) fn with_bundle(file: &Path, f: impl FnOnce(&Analysis, &str) -> ExitCode) -> ExitCode {
    read_and(file, analyze_documents, f)
}

/// Like [`with_bundle`], loading and checking without evaluating
/// (`validate`: it costs the load alone).
fn with_bundle_loaded(file: &Path, f: impl FnOnce(&Analysis, &str) -> ExitCode) -> ExitCode {
    read_and(file, whoserves_core::validate_documents, f)
}

/// Reads the bundle and its libraries, builds an [`Analysis`] with
/// `analyse`, and hands it to `f`.
fn read_and(
    file: &Path,
    analyse: fn(&Document, &[Result<Document, whoserves_core::Diagnostic>], &Limits) -> Analysis,
    f: impl FnOnce(&Analysis, &str) -> ExitCode,
) -> ExitCode {
    let limits = Limits::default();
    let name = file.display().to_string();
    let text = match read_bundle_file(file, limits.max_bytes) {
        Ok(t) => t,
        Err(ReadError::NotText(m)) => {
            println!("{}: error: {}", inert(&name), inert(&m));
            return ExitCode::from(1);
        }
        Err(ReadError::Io(m)) => {
            eprintln!("whoserves: {}", inert(&m));
            return ExitCode::from(2);
        }
    };
    let dir = file
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = Base::Dir(dir);
    let libraries: Vec<_> = plan(&text, &base)
        .into_iter()
        .filter(|inc| inc.skip.is_none())
        .map(|inc| {
            let target = inc.target.clone()?;
            read_bundle_file(Path::new(target.as_str()), limits.max_bytes)
                .map(|text| Document {
                    name: target.as_str().to_string(),
                    text,
                })
                .map_err(|(ReadError::Io(m) | ReadError::NotText(m))| inc.failed(&base, &m))
                .and_then(|doc| inc.check(&doc.text).map(|()| doc))
        })
        .collect();
    let main = Document {
        name: name.clone(),
        text,
    };
    let analysis = analyse(&main, &libraries, &limits);
    let code = f(&analysis, &name);
    // The process ends here: freeing a large analysis piece by piece only
    // delays the exit (the operating system takes the memory back whole).
    std::mem::forget(analysis);
    code
}

fn counts(a: &Analysis) -> (usize, usize) {
    let e = whoserves_core::diag::error_count(&a.diagnostics);
    (e, a.diagnostics.len() - e)
}

fn exit_for(a: &Analysis) -> ExitCode {
    if a.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the diagnostics whose code `keep` accepts. `render` makes them inert.
pub(crate) fn print_diagnostics(a: &Analysis, name: &str, keep: impl Fn(Code) -> bool) {
    // One write, not one per line: standard output flushes at each newline,
    // and a rule library can have thousands of warnings.
    let mut out = String::new();
    for d in a.diagnostics.iter().filter(|d| keep(d.code)) {
        out.push_str(&d.render(name));
        out.push('\n');
    }
    print!("{out}");
}

/// Prints a table; every cell is made inert first.
fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<std::borrow::Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| inert(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Built whole and written once (a table can have tens of thousands
    // of rows, and standard output flushes at each newline), each line
    // padded in place.
    let mut out =
        String::with_capacity((widths.iter().sum::<usize>() + 2 * widths.len()) * (rows.len() + 2));
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let start = out.len();
        for (i, (c, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(c);
            let n = c.chars().count();
            out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    line(&mut header.iter().copied());
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut rules.iter().map(String::as_str));
    for row in &rows {
        line(&mut row.iter().map(|c| c.as_ref()));
    }
    print!("{out}");
}

/// At most this many ids are listed in one line of the human output; the
/// rest are counted (`--json` lists them all).
const LISTED: usize = 20;

fn id_list(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(LISTED).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if ids.len() > LISTED {
        s.push_str(&format!(" and {} more", ids.len() - LISTED));
    }
    inert(&s).into_owned()
}

fn print_check(a: &Analysis) {
    let report = Report::new(a);
    println!("{}", inert(&report.title));
    if a.diagnostics
        .iter()
        .any(|d| d.code == Code::Limit && d.path == "rules")
    {
        println!("NOTE: evaluation stopped at a limit; the verdicts below are incomplete.");
    }
    if let Some(b) = &report.banner {
        println!("NOTE: {}", inert(b));
    }
    if let Some(d) = a.timeline.as_of {
        println!("as of {}", format_date(d));
    }
    println!();
    let dated = report.claims.iter().any(|c| c.then.is_some());
    let rows: Vec<Vec<String>> = report
        .claims
        .iter()
        .map(|c| {
            let verdict = match c.mark {
                Some(m) => format!("{} ({m})", c.verdict.label()),
                None => c.verdict.label().to_string(),
            };
            let mut row = vec![
                c.id.clone(),
                c.subject_name.clone(),
                c.provider_name.clone(),
                c.category.clone().unwrap_or_else(|| "-".into()),
            ];
            if dated {
                row.push(match &c.then {
                    Some(t) => match t.mark {
                        Some(m) => format!("{} ({m}) @{}", t.verdict.label(), t.as_of),
                        None => format!("{} @{}", t.verdict.label(), t.as_of),
                    },
                    None => "-".into(),
                });
            }
            row.extend([verdict, c.status.to_string(), c.evidence.to_string()]);
            row
        })
        .collect();
    let mut header = vec!["claim", "subject", "provider", "category"];
    if dated {
        header.push("then");
    }
    header.extend(["verdict", "status", "evidence"]);
    print_table(&header, &rows);
    if dated {
        println!(
            "\nthen: each dated claim judged on the evidence observed from {} days before its date to {} days after;\nverdict: on all the evidence in force{}.",
            whoserves_core::analysis::THEN_BEFORE_DAYS,
            whoserves_core::analysis::THEN_AFTER_DAYS,
            match a.timeline.as_of {
                Some(d) => format!(" as of {}", format_date(d)),
                None => ", whatever its date".to_string(),
            }
        );
    }
    let s = report.summary;
    let counts: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| format!("{} {}", s.get(*v), v.label()))
        .collect();
    println!("\n{} claims: {}", report.claims.len(), counts.join(", "));
    if s.no_evidence > 0 {
        println!(
            "note: \"no evidence\" means the bundle cannot tell, not that the claim is false."
        );
    }
    let marked = report.claims.iter().filter(|c| c.mark.is_some()).count();
    if marked > 0 {
        println!(
            "note: {marked} verdict(s) marked (synthetic) or (reported) stand on no first-hand observation."
        );
    }
    // Every verdict says why; the negatives say what they rest on.
    println!("\nreasons:");
    for c in &report.claims {
        println!("  {}: {}", inert(&c.id), inert(&c.reason));
        if matches!(c.verdict, V::NotFound | V::Contradicted) {
            let rests_on = &report.observation_sets[c.rests_on];
            let rules = &report.rule_sets[c.rules];
            println!("    rests on observations: {}", id_list(rests_on));
            if rules.is_empty() {
                println!("    rules that could have matched: none");
            } else {
                println!("    rules that could have matched: {}", id_list(rules));
            }
        }
    }
    println!("\nunclaimed findings: {}", report.unclaimed.len());
    if !report.unclaimed.is_empty() {
        let rows: Vec<Vec<String>> = report
            .unclaimed
            .iter()
            .map(|&i| {
                let f = &report.findings[i];
                vec![
                    f.subject_name.clone(),
                    f.provider_name.clone(),
                    f.category.clone(),
                    f.relationship.to_string(),
                    f.evidence.to_string(),
                    f.rules.join(", "),
                ]
            })
            .collect();
        print_table(
            &[
                "subject",
                "provider",
                "category",
                "relationship",
                "evidence",
                "rules",
            ],
            &rows,
        );
    }
    println!(
        "\nobservations no rule matched: {} of {} in force",
        report.unmatched.len(),
        report.in_force
    );
    if !report.unmatched.is_empty() {
        let rows: Vec<Vec<String>> = report
            .unmatched
            .iter()
            .map(|o| {
                let kind = match &o.key {
                    Some(k) => format!("{}[{k}]", o.kind),
                    None => o.kind.to_string(),
                };
                vec![
                    o.id.clone(),
                    o.subject.clone(),
                    o.target.clone(),
                    kind,
                    o.value.clone(),
                ]
            })
            .collect();
        print_table(
            &["observation", "subject", "target", "kind", "value"],
            &rows,
        );
    }
    if !report.absences.is_empty() {
        println!("\nlookups that found no record: {}", report.absences.len());
        let rows: Vec<Vec<String>> = report
            .absences
            .iter()
            .map(|x| {
                let why = match x.absent {
                    whoserves_core::model::Absent::NxDomain => "no such name (NXDOMAIN)",
                    whoserves_core::model::Absent::NoData => "no record (NODATA)",
                };
                vec![
                    x.id.clone(),
                    x.subject.clone(),
                    x.target.clone(),
                    x.kind.to_string(),
                    why.to_string(),
                ]
            })
            .collect();
        print_table(
            &["observation", "subject", "target", "kind", "found"],
            &rows,
        );
    }
    if !report.superseded.is_empty() {
        println!(
            "\nsuperseded by a later reading of the same subject, target and kind: {}",
            report.superseded.len()
        );
        for s in report.superseded.iter().take(LISTED) {
            println!("  {} by {}", inert(&s.observation), inert(&s.by));
        }
        if report.superseded.len() > LISTED {
            println!("  and {} more", report.superseded.len() - LISTED);
        }
    }
    if !report.later.is_empty() {
        println!(
            "\nobservations after the as-of date, left out: {}",
            report.later.len()
        );
    }
}
