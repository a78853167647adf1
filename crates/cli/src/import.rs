//! `whoserves import`: reads the files, hands them to `whoserves-import`,
//! writes the result and says what was made and what was left out.

use crate::read::{read_bundle_file, ReadError};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use whoserves_core::text::inert;
use whoserves_import::{asn, ranges, wappalyzer};

/// Import inputs may be large (the ASN CSVs are tens of megabytes), but
/// not unbounded.
const MAX_INPUT: usize = 256 << 20;

#[derive(Subcommand)]
pub enum Import {
    /// A provider's published IP range file → a dated rule library.
    Ranges {
        /// Whose file it is.
        #[arg(long, value_parser = parse_from, value_name = "PROVIDER",
              help = "aws | cloudflare | google-cloud | google | azure | oracle | fastly | digitalocean")]
        from: ranges::From,
        /// The file (Cloudflare: ips-v4 and ips-v6 may both be given).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the library here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Publication date for files that carry none (Cloudflare, Fastly,
        /// DigitalOcean; Azure unless its file name has the date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        published: Option<String>,
        /// The last date the rules apply to, e.g. the day before the next
        /// publication. Without it they apply from publication on.
        #[arg(long, value_name = "YYYY-MM-DD")]
        valid_to: Option<String>,
        /// Where the file came from when not the official URL (an archive
        /// repository and commit); recorded in the library.
        #[arg(long, value_name = "TEXT")]
        fetched_from: Option<String>,
    },
    /// Wappalyzer-format technology files (a directory of *.json) → rules.
    Wappalyzer {
        /// The directory holding the technology files (e.g. src/technologies).
        dir: PathBuf,
        /// Write the library here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Also convert software (not providers) as weak `other` rules.
        #[arg(long)]
        all: bool,
    },
    /// An IP → AS dataset → a compact sorted table for `whoserves collect`.
    Asn {
        /// @ip-location-db/asn CSVs or RouteViews prefix2as files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the table here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// A line to keep in the table: its source, licence and the
        /// attribution it requires (repeatable).
        #[arg(long, value_name = "TEXT")]
        note: Vec<String>,
    },
    /// ZDNS JSON-lines output → observations of a bundle's subjects.
    Zdns {
        /// The ZDNS output (one JSON object per line).
        file: PathBuf,
        /// The bundle (or subject,domain CSV) whose subjects' domains the
        /// names are matched to; its entities and claims are kept.
        #[arg(long, value_name = "INPUT")]
        bundle: PathBuf,
        /// The record type of a single-module run (`zdns A`), when the
        /// output does not name it per result.
        #[arg(long, value_name = "TYPE")]
        r#type: Option<String>,
        /// A rule library to include (repeatable).
        #[arg(long, value_name = "PATH")]
        include: Vec<String>,
        /// Write the bundle here.
        #[arg(short, long)]
        output: PathBuf,
    },
}

fn parse_from(s: &str) -> Result<ranges::From, String> {
    ranges::From::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ranges::From::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "unknown provider \"{s}\"; expected one of {}",
            all.join(", ")
        )
    })
}

fn read(path: &Path) -> Result<String, String> {
    read_bundle_file(path, MAX_INPUT).map_err(|(ReadError::Io(m) | ReadError::NotText(m))| m)
}

fn write(output: Option<&Path>, text: &str) -> Result<(), String> {
    match output {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Runs an import; messages go to standard error, the result to `-o` or
/// standard output.
pub fn run(cmd: Import) -> ExitCode {
    if let Import::Zdns {
        file,
        bundle,
        r#type,
        include,
        output,
    } = cmd
    {
        return crate::collect::zdns(&file, &bundle, r#type.as_deref(), &output, &include);
    }
    let result = match cmd {
        Import::Zdns { .. } => unreachable!("handled above"),
        Import::Ranges {
            from,
            files,
            output,
            published,
            valid_to,
            fetched_from,
        } => (|| {
            let inputs = files
                .iter()
                .map(|f| {
                    Ok(ranges::Input {
                        name: f.display().to_string(),
                        text: read(f)?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let opts = ranges::Options {
                published,
                valid_to,
                fetched_from,
            };
            let imported = ranges::import(from, &inputs, &opts)?;
            for line in &imported.summary {
                eprintln!("{}", inert(line));
            }
            write(output.as_deref(), &imported.to_json())
        })(),
        Import::Wappalyzer { dir, output, all } => (|| {
            let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(format!("{} holds no .json technology files", dir.display()));
            }
            let files = names
                .iter()
                .map(|p| Ok((p.display().to_string(), read(p)?)))
                .collect::<Result<Vec<_>, String>>()?;
            let c = wappalyzer::convert(&files, &wappalyzer::Options { all })?;
            let converted: Vec<String> = c
                .converted
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            eprintln!(
                "{} technologies, {} rules ({})",
                c.technologies,
                c.bundle.rules.len(),
                converted.join(", ")
            );
            for (kind, n) in &c.out_of_scope {
                eprintln!("left out: {n} {kind} patterns of software, not providers (--all converts them)");
            }
            eprintln!("not converted: {} patterns", c.failures());
            for (reason, (n, examples)) in &c.failed {
                eprintln!("  {n} x {}", inert(reason));
                for e in examples {
                    eprintln!("      e.g. {}", inert(e));
                }
            }
            write(output.as_deref(), &c.to_json())
        })(),
        Import::Asn {
            files,
            output,
            note,
        } => (|| {
            let mut b = asn::Builder::default();
            for f in &files {
                let text = read(f)?;
                let name = f.display().to_string();
                // prefix2as is tab-separated; the ip-location-db CSVs are not.
                if text.lines().next().is_some_and(|l| l.contains('\t')) {
                    b.add_pfx2as(&name, &text)?;
                } else {
                    b.add_ip_location_db(&name, &text)?;
                }
            }
            let (rows, multi) = (b.rows, b.multi_origin);
            let table = b.finish(note);
            let (v4, v6) = table.len();
            eprintln!("{rows} rows read; table: {v4} IPv4 and {v6} IPv6 ranges");
            if multi > 0 {
                eprintln!("{multi} multi-origin prefixes: the first origin listed was taken");
            }
            write(output.as_deref(), &table.write())
        })(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => {
            eprintln!("whoserves: {}", inert(&m));
            ExitCode::from(1)
        }
    }
}
