//! `whoserves export`: the graph as the viewer draws it, in the formats
//! its export buttons give, from the same core code.

use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use whoserves_core::model::{format_date, Date};
use whoserves_core::text::inert;
use whoserves_core::view::{self, Filters};
use whoserves_core::Analysis;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A standalone SVG image: styles inline, title, legend, source credit and banner.
    Svg,
    /// GEXF 1.3, for Gephi, Gephi Lite and Sigma.js.
    Gexf,
    /// FollowTheMoney entities as JSON lines (Company, Sanction, UnknownLink).
    Ftm,
    /// One row per edge, as the viewer's "Export CSV".
    Csv,
    /// One row per observation and rule behind each edge.
    FindingsCsv,
    /// The findings with the bundle's title, banner and date, as JSON.
    FindingsJson,
}

/// Which layout the SVG uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// Two columns for small graphs, force-directed for large ones.
    Auto,
    /// Firms left, providers right.
    Columns,
    /// Force-directed, seeded.
    Force,
}

/// `whoserves export` arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bundle (JSON).
    pub file: PathBuf,
    /// The format.
    #[arg(long, value_enum, default_value = "svg")]
    pub format: Format,
    /// Judge the bundle as of this date (YYYY-MM-DD), as the viewer's "As of".
    #[arg(long, value_name = "DATE", value_parser = crate::parse_date_arg)]
    pub as_of: Option<Date>,
    /// The SVG's layout.
    #[arg(long, value_enum, default_value = "auto")]
    pub layout: LayoutArg,
    /// Write here instead of to standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The fonts an exported SVG carries inline (the viewer fetches the same file).
const SVG_FONTS: &str = include_str!("../../../public/fonts/svg-fonts.css");

/// The export of `a` (the whole graph, no filters) in `format`.
pub fn render(a: &Analysis, format: Format, layout: LayoutArg, as_of: Option<Date>) -> String {
    let g = view::build(a, &Filters::default());
    match format {
        Format::Svg => {
            let force = match layout {
                LayoutArg::Auto => None,
                LayoutArg::Columns => Some(false),
                LayoutArg::Force => Some(true),
            };
            let l = whoserves_core::layout::for_graph(&g, force);
            // The image says the date it shows, as the viewer's does.
            let title = match as_of {
                Some(d) => format!("{} (as of {})", a.bundle.meta.title, format_date(d)),
                None => a.bundle.meta.title.clone(),
            };
            view::graph_svg(a, &g, &l, &title, SVG_FONTS)
        }
        Format::Gexf => view::graph_gexf(a, &g),
        Format::Ftm => view::graph_ftm(a, &g),
        Format::Csv => view::to_csv(&view::rows(&g), a.bundle.meta.banner.as_deref()),
        Format::FindingsCsv => view::findings_csv(&view::finding_rows(a, &g)),
        Format::FindingsJson => {
            let date = as_of.map(format_date);
            view::findings_json(a, &g, date.as_deref(), "") + "\n"
        }
    }
}

/// Runs `whoserves export`.
pub fn export(args: ExportArgs) -> ExitCode {
    crate::with_bundle(&args.file, |a, name| {
        if a.has_errors() {
            crate::print_diagnostics(a, name, |_| true);
            eprintln!(
                "whoserves: {} has errors, so it is not exported; fix them first",
                inert(name)
            );
            return ExitCode::from(1);
        }
        let dated;
        let a = match args.as_of {
            Some(d) => {
                dated = a.as_of(Some(d));
                &dated
            }
            None => a,
        };
        let text = render(a, args.format, args.layout, args.as_of);
        let written = match &args.output {
            Some(path) => std::fs::write(path, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display())),
            None => {
                // On a terminal, text from the bundle is made inert like
                // everything else the CLI prints; a pipe or -o gets the
                // file byte for byte.
                use std::io::IsTerminal;
                let out = std::io::stdout();
                let shown = if out.is_terminal() {
                    text.lines().map(|l| inert(l) + "\n").collect()
                } else {
                    text
                };
                out.lock()
                    .write_all(shown.as_bytes())
                    .map_err(|e| format!("cannot write: {e}"))
            }
        };
        match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(m) => {
                eprintln!("whoserves: {}", inert(&m));
                ExitCode::from(2)
            }
        }
    })
}
