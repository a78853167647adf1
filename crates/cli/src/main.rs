//! `whoserves`: the command line over whoserves-core.
//!
//! A thin shell: it reads files and prints. Every verdict comes from
//! `whoserves_core::analyze`, the function the viewer calls too.
//!
//! Exit codes: 0 clean, 1 diagnostics with errors (or failing rule
//! examples), 2 usage error (including an unreadable file).

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use whoserves_core::diag::Severity;
use whoserves_core::engine::run_examples;
use whoserves_core::{
    analyze_documents, includes, Analysis, Diagnostic, Document, Limits, Verdict,
};

#[derive(Parser)]
#[command(
    name = "whoserves",
    version,
    about = "Check who serves whom: validate evidence bundles and judge their claims"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the bundle's diagnostics like a compiler: file:line:col: severity: path: message.
    Validate {
        /// The bundle (JSON).
        file: PathBuf,
    },
    /// Print every claim with its verdict and evidence count, then the unclaimed findings.
    Check {
        /// The bundle (JSON).
        file: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run every rule's match and no-match examples.
    TestRules {
        /// The bundle (JSON).
        file: PathBuf,
    },
    /// Print the JSON Schema of the bundle format.
    Schema,
}

fn main() -> ExitCode {
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
        Command::Validate { file } => with_bundle(&file, |a, name| {
            print_diagnostics(a, name);
            let (e, w) = counts(a);
            println!("{name}: {e} error(s), {w} warning(s)");
            exit_for(a)
        }),
        Command::Check { file, json } => with_bundle(&file, |a, name| {
            if json {
                match serde_json::to_string_pretty(&a.report()) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("whoserves: cannot serialise the report: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print_diagnostics(a, name);
                print_check(a);
            }
            exit_for(a)
        }),
        Command::TestRules { file } => with_bundle(&file, |a, name| {
            print_diagnostics_filtered(a, name, |p| !p.contains(".examples."));
            let mut failed = 0;
            let mut total = 0;
            for rule in &a.bundle.rules {
                let results = run_examples(rule);
                let bad: Vec<_> = results.iter().filter(|r| !r.passed).collect();
                total += results.len();
                failed += bad.len();
                let status = if bad.is_empty() { "ok" } else { "FAILED" };
                println!("rule {} ({} examples) ... {status}", rule.id, results.len());
                for r in bad {
                    let list = if r.must_match { "match" } else { "no_match" };
                    println!("    examples.{list}[{}]: {}", r.index, r.message);
                }
            }
            let overlaps = whoserves_core::lint::overlaps(&a.bundle);
            for o in &overlaps {
                println!(
                    "warning: overlap: example \"{}\" of rule {} ({}) is also matched by rule {} ({})",
                    o.example, o.rule, o.provider, o.other_rule, o.other_provider
                );
            }
            println!(
                "test-rules: {} rules, {} examples, {} passed, {} failed, {} overlaps",
                a.bundle.rules.len(),
                total,
                total - failed,
                failed,
                overlaps.len()
            );
            let load_errors = a
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && !d.path.contains(".examples."))
                .count();
            if failed > 0 || load_errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }),
    }
}

/// Why a file could not be read as text.
enum ReadError {
    /// The file could not be opened or read.
    Io(String),
    /// The bytes are not UTF-8.
    NotText(String),
}

/// Reads a file as UTF-8 text.
fn read_text(file: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(file)
        .map_err(|e| ReadError::Io(format!("cannot read {}: {e}", file.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::NotText(format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads the bundle and the rule libraries it includes (paths relative to
/// the bundle), then analyses them with the core.
fn with_bundle(file: &Path, f: impl FnOnce(&Analysis, &str) -> ExitCode) -> ExitCode {
    let name = file.display().to_string();
    let text = match read_text(file) {
        Ok(t) => t,
        Err(ReadError::NotText(m)) => {
            println!("{name}: error: {m}");
            return ExitCode::from(1);
        }
        Err(ReadError::Io(m)) => {
            eprintln!("whoserves: {m}");
            return ExitCode::from(2);
        }
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut libraries = Vec::new();
    let mut problems = Vec::new();
    for (i, inc) in includes(&text).into_iter().enumerate() {
        if inc.contains("://") {
            problems.push(Diagnostic::error(
                format!("include[{i}]"),
                format!(
                    "the CLI reads local files only; download {inc} and include it by its path"
                ),
            ));
            continue;
        }
        let path = dir.join(&inc);
        match read_text(&path) {
            Ok(text) => libraries.push(Document {
                name: path.display().to_string(),
                text,
            }),
            Err(ReadError::Io(m) | ReadError::NotText(m)) => {
                problems.push(Diagnostic::error(format!("include[{i}]"), m))
            }
        }
    }
    let main = Document {
        name: name.clone(),
        text,
    };
    let mut analysis = analyze_documents(&main, &libraries, &Limits::default());
    problems.append(&mut analysis.diagnostics);
    analysis.diagnostics = problems;
    f(&analysis, &name)
}

fn counts(a: &Analysis) -> (usize, usize) {
    let e = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (e, a.diagnostics.len() - e)
}

fn exit_for(a: &Analysis) -> ExitCode {
    if a.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_diagnostics(a: &Analysis, name: &str) {
    print_diagnostics_filtered(a, name, |_| true);
}

fn print_diagnostics_filtered(a: &Analysis, name: &str, keep: impl Fn(&str) -> bool) {
    for d in a.diagnostics.iter().filter(|d| keep(&d.path)) {
        println!("{}", d.render(name));
    }
}

/// Pads `s` to `width` characters (not bytes).
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}

fn print_check(a: &Analysis) {
    let report = a.report();
    println!("{}", report.title);
    if let Some(b) = &report.banner {
        println!("NOTE: {b}");
    }
    println!();
    let rows: Vec<Vec<String>> = report
        .claims
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.subject_name.clone(),
                c.provider_name.clone(),
                c.category.clone().unwrap_or_else(|| "-".into()),
                c.verdict.label().to_string(),
                c.status.to_string(),
                c.evidence.to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "claim", "subject", "provider", "category", "verdict", "status", "evidence",
        ],
        &rows,
    );
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
    println!("\nunclaimed findings: {}", report.unclaimed.len());
    if !report.unclaimed.is_empty() {
        let rows: Vec<Vec<String>> = report
            .unclaimed
            .iter()
            .map(|f| {
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
}
