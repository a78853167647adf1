//! Diagnostics: what is wrong with a bundle, and where.
//!
//! A [`Diagnostic`] names its place twice: as a JSON path into the document
//! (`observations[12].kind`) and, where the text is known, as a 1-based
//! line and column. It renders like a compiler message:
//!
//! ```
//! use whoserves_core::diag::{Code, Diagnostic};
//! let d = Diagnostic::error(Code::Keyword, "observations[0].kind", "unknown observation kind \"dns.foo\"")
//!     .at(12, 5);
//! assert_eq!(
//!     d.render("bundle.json"),
//!     "bundle.json:12:5: error[keyword]: observations[0].kind: unknown observation kind \"dns.foo\""
//! );
//! ```
//!
//! Every diagnostic carries a stable [`Code`], so programs tell classes
//! apart without reading messages. Rendering is inert: control characters
//! and bidirectional overrides that came from the bundle are escaped (see
//! [`crate::text::inert`]), so a message can never forge a line or move
//! the terminal's cursor.

use crate::text::inert;
use serde::Serialize;
use std::fmt;

/// The class of a diagnostic: stable, for programs (the CLI filters by it,
/// `--json` carries it). The rendered form shows it as `error[code]`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The text is not JSON, or not a JSON object.
    Json,
    /// The format tag is missing or unsupported.
    Format,
    /// An unknown or missing top-level section.
    Section,
    /// A field the format does not define.
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A value of the wrong JSON type.
    Type,
    /// An object names the same key twice.
    DuplicateKey,
    /// Two elements of a section share an id.
    DuplicateId,
    /// A reference to an entity, category, source or range set that does not exist (or was left out).
    UnknownRef,
    /// A reference to an entity of the wrong role.
    RoleMismatch,
    /// An unknown keyword: kind, role, relationship, provenance or status.
    Keyword,
    /// A regex that does not compile or is too large.
    Regex,
    /// An invalid CIDR prefix.
    Cidr,
    /// A value that is not valid for its kind or field (IP, AS number, country, header key).
    Value,
    /// An invalid date.
    Date,
    /// A URL that is not an absolute http(s) URL.
    Url,
    /// A rule's category that its observation kind cannot show.
    CategoryKind,
    /// A condition that cannot apply to its kind, or is empty.
    Condition,
    /// A rule example that does not behave as the rule says.
    Example,
    /// Entities whose parents form a cycle.
    ParentCycle,
    /// A limit was exceeded.
    Limit,
    /// A required text is empty.
    Empty,
    /// A problem with `include`.
    Include,
    /// A rule without a must-match example (warning).
    Untested,
    /// A rule without references to documentation (warning).
    Unreferenced,
    /// A corrected or withdrawn claim without a note (warning).
    StatusNote,
}

impl Code {
    /// The code as written in rendered diagnostics and JSON, e.g. `duplicate-id`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Json => "json",
            Code::Format => "format",
            Code::Section => "section",
            Code::UnknownField => "unknown-field",
            Code::MissingField => "missing-field",
            Code::Type => "type",
            Code::DuplicateKey => "duplicate-key",
            Code::DuplicateId => "duplicate-id",
            Code::UnknownRef => "unknown-ref",
            Code::RoleMismatch => "role-mismatch",
            Code::Keyword => "keyword",
            Code::Regex => "regex",
            Code::Cidr => "cidr",
            Code::Value => "value",
            Code::Date => "date",
            Code::Url => "url",
            Code::CategoryKind => "category-kind",
            Code::Condition => "condition",
            Code::Example => "example",
            Code::ParentCycle => "parent-cycle",
            Code::Limit => "limit",
            Code::Empty => "empty",
            Code::Include => "include",
            Code::Untested => "untested",
            Code::Unreferenced => "unreferenced",
            Code::StatusNote => "status-note",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable class of the problem.
    pub code: Code,
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
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
}

impl Diagnostic {
    /// An error of class `code` at `path`.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    /// A warning of class `code` at `path`.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// A diagnostic of `severity`.
    pub fn new(
        severity: Severity,
        code: Code,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
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

    /// Renders as `file:line:col: severity[code]: path: message`, leaving
    /// out the parts that are not known. `file` names the bundle; a
    /// diagnostic that belongs to an included library names that instead.
    /// The result is one line with no control characters: whatever came
    /// from the bundle is escaped.
    pub fn render(&self, file: &str) -> String {
        let mut out = inert(self.file.as_deref().unwrap_or(file)).into_owned();
        if let (Some(line), Some(col)) = (self.line, self.column) {
            out.push_str(&format!(":{line}:{col}"));
        }
        out.push_str(&format!(": {}[{}]: ", self.severity, self.code));
        if !self.path.is_empty() {
            out.push_str(&inert(&self.path));
            out.push_str(": ");
        }
        out.push_str(&inert(&self.message));
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
        let d = Diagnostic::error(Code::Json, "", "not JSON");
        assert_eq!(d.render("x.json"), "x.json: error[json]: not JSON");
    }

    #[test]
    fn rendering_is_one_inert_line() {
        let d = Diagnostic::error(
            Code::Keyword,
            "observations[0].kind",
            "unknown kind \"x\nt.json:1:1: error: forged\u{1b}[31m\"",
        );
        let r = d.render("t.json");
        assert_eq!(
            r,
            "t.json: error[keyword]: observations[0].kind: unknown kind \"x\\nt.json:1:1: error: forged\\x1b[31m\""
        );
        assert!(!r.chars().any(char::is_control));
    }

    #[test]
    fn paths_compose() {
        let p = JsonPath::root().field("rules").index(3).field("match");
        assert_eq!(p.as_str(), "rules[3].match");
    }

    #[test]
    fn error_count_ignores_warnings() {
        let ds = vec![
            Diagnostic::warning(Code::Untested, "a", "w"),
            Diagnostic::error(Code::Value, "b", "e"),
        ];
        assert_eq!(error_count(&ds), 1);
    }
}
