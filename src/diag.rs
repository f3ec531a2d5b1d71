//! Diagnostics as data: every stage returns them, the CLI decides how to print them.

use crate::source::{SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found in a book. `code` is a stable machine name for CI filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// What the label under the caret says; empty for none.
    pub label: String,
    /// Secondary places, e.g. where a duplicated label was first defined.
    pub related: Vec<(Span, String)>,
    pub help: Option<String>,
    /// A file that has no span (a missing book.yaml, an unreadable folder).
    pub path: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            related: Vec::new(),
            help: None,
            path: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.related.push((span, note.into()));
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// `file`, 1-based line and column, when the diagnostic points into a source.
    pub fn location(&self, sources: &SourceMap) -> Option<(String, usize, usize)> {
        match self.span {
            Some(span) => {
                let f = sources.get(span.file);
                let (line, col) = f.line_col(span.start as usize);
                Some((f.name.clone(), line, col))
            }
            None => self.path.clone().map(|p| (p, 0, 0)),
        }
    }
}

/// How diagnostics are printed, chosen with `--message-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MessageFormat {
    /// rustc-like, with the source line and a caret
    #[default]
    Human,
    /// one line each: `file:line:col: error: message`
    Short,
    /// one JSON object per line, for CI
    Json,
}

/// Sorts diagnostics by file and position so output does not depend on thread timing.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        (
            d.span.map(|s| (s.file, s.start)),
            d.path.clone(),
            std::cmp::Reverse(d.severity),
            d.message.clone(),
        )
    });
}

/// Renders diagnostics in the chosen format. Colour only for human output on a terminal.
pub fn render(
    diags: &[Diagnostic],
    sources: &SourceMap,
    format: MessageFormat,
    color: bool,
) -> String {
    let mut out = String::new();
    for d in diags {
        match format {
            MessageFormat::Short => {
                let _ = write!(out, "{}", short(d, sources));
                out.push('\n');
            }
            MessageFormat::Json => {
                out.push_str(&json(d, sources));
                out.push('\n');
            }
            MessageFormat::Human => out.push_str(&human(d, sources, color)),
        }
    }
    out
}

pub fn short(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut s = match d.location(sources) {
        Some((file, 0, _)) => format!("{file}: "),
        Some((file, line, col)) => format!("{file}:{line}:{col}: "),
        None => String::new(),
    };
    let _ = write!(s, "{}: {}", d.severity.as_str(), d.message);
    if let Some(help) = &d.help {
        let _ = write!(s, " ({help})");
    }
    s
}

pub fn json(d: &Diagnostic, sources: &SourceMap) -> String {
    let (file, line, column) = match d.location(sources) {
        Some((f, l, c)) => (
            serde_json::Value::from(f),
            serde_json::Value::from(l),
            serde_json::Value::from(c),
        ),
        None => Default::default(),
    };
    let non_zero = |v: serde_json::Value| if v == 0 { serde_json::Value::Null } else { v };
    serde_json::json!({
        "severity": d.severity.as_str(),
        "code": d.code,
        "message": d.message,
        "file": file,
        "line": non_zero(line),
        "column": non_zero(column),
        "help": d.help,
    })
    .to_string()
}

fn human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut cd = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    }
    .with_code(d.code)
    .with_message(&d.message);
    let mut notes = Vec::new();
    if let Some(span) = d.span {
        let mut labels = vec![
            cs::Label::primary(span.file, span.start as usize..span.end as usize)
                .with_message(&d.label),
        ];
        for (s, note) in &d.related {
            labels.push(
                cs::Label::secondary(s.file, s.start as usize..s.end as usize).with_message(note),
            );
        }
        cd = cd.with_labels(labels);
    } else if let Some(p) = &d.path {
        notes.push(format!("in {p}"));
    }
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cd = cd.with_notes(notes);
    let config = term::Config::default();
    if color {
        let mut buf = term::termcolor::Buffer::ansi();
        let _ = term::emit_to_write_style(&mut buf, &config, sources, &cd);
        String::from_utf8_lossy(buf.as_slice()).into_owned()
    } else {
        let mut s = String::new();
        let _ = term::emit_to_string(&mut s, &config, sources, &cd);
        s
    }
}

/// Ranks candidates by edit distance so "did you mean" offers only close matches.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(wrong, c), c))
        .filter(|(d, c)| *d <= (wrong.len().max(c.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_labels_only() {
        let labels = ["sec-balansmodel", "sec-theorie", "fig-balansmodel"];
        assert_eq!(
            did_you_mean("sec-balansmodl", labels.iter().copied()),
            Some("sec-balansmodel")
        );
        assert_eq!(did_you_mean("sec-zzzzzzzz", labels.iter().copied()), None);
    }
}
