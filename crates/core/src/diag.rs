//! Diagnostics: what is wrong with a bundle, and where.
//!
//! A [`Diagnostic`] names its place twice: as a JSON path into the document
//! (`observations[12].kind`) and, where the text is known, as a 1-based
//! line and column. It renders like a compiler message:
//!
//! ```
//! use whoserves_core::diag::{Diagnostic, Severity};
//! let d = Diagnostic::error("observations[0].kind", "unknown observation kind \"dns.foo\"")
//!     .at(12, 5);
//! assert_eq!(
//!     d.render("bundle.json"),
//!     "bundle.json:12:5: error: observations[0].kind: unknown observation kind \"dns.foo\""
//! );
//! ```

use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The bundle is usable; the reader should know.
    Warning,
    /// The offending element was dropped; the bundle must not be shown as-is.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found while loading or validating a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// JSON path of the offending value; empty for the whole document.
    pub path: String,
    /// 1-based line, when the position in the text is known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the position is known.
    pub column: Option<usize>,
    /// A plain-language message.
    pub message: String,
    /// The file the diagnostic is in, when it is not the bundle itself
    /// (an included library).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            file: None,
        }
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Marks the diagnostic as belonging to `file` (an included library).
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        self
    }

    /// Renders as `file:line:col: severity: path: message`, leaving out the
    /// parts that are not known. `file` names the bundle; a diagnostic that
    /// belongs to an included library names that instead.
    pub fn render(&self, file: &str) -> String {
        let mut out = String::from(self.file.as_deref().unwrap_or(file));
        if let (Some(line), Some(col)) = (self.line, self.column) {
            out.push_str(&format!(":{line}:{col}"));
        }
        out.push_str(&format!(": {}: ", self.severity));
        if !self.path.is_empty() {
            out.push_str(&self.path);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }
}

/// Counts errors in a list of diagnostics.
pub fn error_count(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// A JSON path under construction: `rules[3].match.condition.all[1]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonPath(String);

impl JsonPath {
    /// The document root.
    pub fn root() -> Self {
        JsonPath(String::new())
    }

    /// The path of field `name` below this one.
    pub fn field(&self, name: &str) -> Self {
        if self.0.is_empty() {
            JsonPath(name.to_string())
        } else {
            JsonPath(format!("{}.{}", self.0, name))
        }
    }

    /// The path of element `index` below this one.
    pub fn index(&self, index: usize) -> Self {
        JsonPath(format!("{}[{}]", self.0, index))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_without_position_or_path() {
        let d = Diagnostic::error("", "not JSON");
        assert_eq!(d.render("x.json"), "x.json: error: not JSON");
    }

    #[test]
    fn paths_compose() {
        let p = JsonPath::root().field("rules").index(3).field("match");
        assert_eq!(p.as_str(), "rules[3].match");
    }

    #[test]
    fn error_count_ignores_warnings() {
        let ds = vec![Diagnostic::warning("a", "w"), Diagnostic::error("b", "e")];
        assert_eq!(error_count(&ds), 1);
    }
}
