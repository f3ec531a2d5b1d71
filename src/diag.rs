//! Diagnostics as data: every stage returns them, the CLI decides how to print them.

use crate::source::{FileId, SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use std::fmt::Write as _;
use std::ops::Range;

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
    match Excerpt::of(&cd, sources) {
        Some(excerpt) => {
            cd.labels = excerpt.labels(&cd.labels);
            emit(&cd, &excerpt, color)
        }
        None => emit(&cd, sources, color),
    }
}

fn emit<'f, F: codespan_reporting::files::Files<'f, FileId = FileId>>(
    cd: &cs::Diagnostic<FileId>,
    files: &'f F,
    color: bool,
) -> String {
    let config = term::Config::default();
    if color {
        let mut buf = term::termcolor::Buffer::ansi();
        let _ = term::emit_to_write_style(&mut buf, &config, files, cd);
        String::from_utf8_lossy(buf.as_slice()).into_owned()
    } else {
        let mut s = String::new();
        let _ = term::emit_to_string(&mut s, &config, files, cd);
        s
    }
}

/// The most characters of a source line a diagnostic shows; longer lines (a minified
/// bibliography is one line of megabytes) are shown as a window around each place the
/// diagnostic points at, with `…` where text is left out.
const SHOWN_CHARS: usize = 120;
/// How much of the window comes before the place pointed at.
const SHOWN_BEFORE: usize = 40;

/// The lines a diagnostic shows, each cut down to [`SHOWN_CHARS`] around its labels, as a
/// source of its own for codespan-reporting: line numbers and columns are the file's.
struct Excerpt<'a> {
    sources: &'a SourceMap,
    files: Vec<(FileId, View)>,
}

#[derive(Default)]
struct View {
    text: String,
    lines: Vec<ViewLine>,
}

struct ViewLine {
    /// The line's 0-based index in the file.
    index: usize,
    /// Where it is in the view's text, with its line end.
    range: Range<usize>,
    pieces: Vec<Piece>,
}

/// A part of a line that is shown.
struct Piece {
    /// Its bytes in the file.
    real: Range<usize>,
    /// Where it starts in the view's text.
    at: usize,
    /// The 1-based column of its first character in the file.
    column: usize,
}

impl<'a> Excerpt<'a> {
    /// An excerpt when one of the diagnostic's lines is too long to show whole, else `None`
    /// (the lines are then shown as they are).
    fn of(cd: &cs::Diagnostic<FileId>, sources: &'a SourceMap) -> Option<Excerpt<'a>> {
        // The lines codespan-reporting shows of a label: its first few and its last two.
        let mut wanted: Vec<(FileId, usize, Vec<usize>)> = Vec::new();
        for l in &cd.labels {
            let f = sources.get(l.file_id);
            let line_of = |at: usize| match f.line_starts().binary_search(&at) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            let (first, last) = (line_of(l.range.start), line_of(l.range.end));
            let lines =
                (first..=last.min(first + 4)).chain(last.saturating_sub(2).max(first)..=last);
            for line in lines {
                let points: Vec<usize> = [l.range.start, l.range.end]
                    .into_iter()
                    .filter(|&p| line_of(p) == line)
                    .collect();
                match wanted.iter_mut().find(|w| w.0 == l.file_id && w.1 == line) {
                    Some(w) => w.2.extend(points),
                    None => wanted.push((l.file_id, line, points)),
                }
            }
        }
        let too_long = wanted.iter().any(|(file, line, _)| {
            let f = sources.get(*file);
            let (start, end) = line_bounds(f, *line);
            end - start > SHOWN_CHARS && f.text[start..end].chars().nth(SHOWN_CHARS).is_some()
        });
        if !too_long {
            return None;
        }
        wanted.sort_by_key(|w| (w.0, w.1));
        let mut files: Vec<(FileId, View)> = Vec::new();
        for (file, line, points) in wanted {
            if files.last().is_none_or(|(f, _)| *f != file) {
                files.push((file, View::default()));
            }
            let Some((_, view)) = files.last_mut() else {
                continue;
            };
            view.push_line(sources.get(file), line, points);
        }
        Some(Excerpt { sources, files })
    }

    fn view(&self, file: FileId) -> Option<&View> {
        self.files.iter().find(|(f, _)| *f == file).map(|(_, v)| v)
    }

    /// The labels with their ranges moved into the excerpt.
    fn labels(&self, labels: &[cs::Label<FileId>]) -> Vec<cs::Label<FileId>> {
        labels
            .iter()
            .map(|l| {
                let mut l = l.clone();
                if let Some(view) = self.view(l.file_id) {
                    let f = self.sources.get(l.file_id);
                    let start = view.place(f, l.range.start);
                    let end = view.place(f, l.range.end).max(start);
                    l.range = start..end;
                }
                l
            })
            .collect()
    }
}

/// A line's bytes without its line end.
fn line_bounds(f: &crate::source::SourceFile, line: usize) -> (usize, usize) {
    let starts = f.line_starts();
    let start = starts.get(line).copied().unwrap_or(f.text.len());
    let end = starts.get(line + 1).copied().unwrap_or(f.text.len());
    let text = &f.text[start..end];
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    (start, start + text.len())
}

impl View {
    fn push_line(&mut self, f: &crate::source::SourceFile, line: usize, mut points: Vec<usize>) {
        let (start, end) = line_bounds(f, line);
        let text = &f.text;
        // The byte `n` characters before or after `at`, within the line.
        let back = |at: usize, n: usize| {
            text[start..at]
                .char_indices()
                .rev()
                .nth(n.saturating_sub(1))
                .map_or(start, |(i, _)| start + i)
        };
        let ahead = |at: usize, n: usize| {
            text[at..end]
                .char_indices()
                .nth(n)
                .map_or(end, |(i, _)| at + i)
        };
        let mut windows: Vec<Range<usize>> = Vec::new();
        if text[start..end].chars().nth(SHOWN_CHARS).is_none() {
            windows.push(start..end);
        } else {
            if points.is_empty() {
                points.push(start);
            }
            points.sort_unstable();
            for p in points {
                let p = p.clamp(start, end);
                let from = back(p, SHOWN_BEFORE);
                let to = ahead(p, SHOWN_CHARS - SHOWN_BEFORE);
                match windows.last_mut() {
                    Some(w) if from <= w.end => w.end = w.end.max(to),
                    _ => windows.push(from..to),
                }
            }
        }
        let line_start = self.text.len();
        let mut pieces = Vec::new();
        for (n, w) in windows.iter().enumerate() {
            let cut_before = if n == 0 { w.start > start } else { true };
            if cut_before {
                self.text.push_str(if n == 0 { "…" } else { " … " });
            }
            pieces.push(Piece {
                real: w.clone(),
                at: self.text.len(),
                column: f.line_col(w.start).1,
            });
            self.text.push_str(&text[w.clone()]);
        }
        if windows.last().is_some_and(|w| w.end < end) {
            self.text.push('…');
        }
        self.text.push('\n');
        self.lines.push(ViewLine {
            index: line,
            range: line_start..self.text.len(),
            pieces,
        });
    }

    /// Where a byte of the file is in the view: in its piece, or at the edge of the nearest.
    fn place(&self, f: &crate::source::SourceFile, real: usize) -> usize {
        let line = match f.line_starts().binary_search(&real) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let Some(l) = self.lines.iter().find(|l| l.index == line) else {
            return self.text.len();
        };
        let mut place = l.pieces.first().map_or(l.range.start, |p| p.at);
        for p in &l.pieces {
            if real < p.real.start {
                break;
            }
            place = p.at + (real.min(p.real.end) - p.real.start);
        }
        place
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'_> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.sources.name(id)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.view(id).map_or("", |v| v.text.as_str()))
    }

    fn line_index(
        &'a self,
        id: FileId,
        at: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let view = self
            .view(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        let n = view.lines.partition_point(|l| l.range.start <= at);
        Ok(view.lines.get(n.saturating_sub(1)).map_or(0, |l| l.index))
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let view = self
            .view(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(match view.lines.iter().find(|l| l.index == line_index) {
            Some(l) => l.range.clone(),
            // A line inside a long label that is not shown.
            None => view.text.len()..view.text.len(),
        })
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        at: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let view = self
            .view(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        let Some(l) = view.lines.iter().find(|l| l.index == line_index) else {
            return Ok(1);
        };
        let Some(p) = l
            .pieces
            .iter()
            .rev()
            .find(|p| p.at <= at)
            .or(l.pieces.first())
        else {
            return Ok(1);
        };
        let within = at.clamp(p.at, p.at + p.real.len());
        Ok(p.column + view.text[p.at..within].chars().count())
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
    use crate::source::SourceFile;

    /// A minified file of one megabyte: one line.
    fn long_line() -> (SourceMap, Span) {
        let mut sources = SourceMap::default();
        let text = format!(
            "[{}{{\"id\":\"hier\"}}{}]\n",
            "{\"id\":\"x\"},".repeat(80_000),
            ",{}".repeat(60_000)
        );
        let at = text.find("hier").unwrap();
        let file = sources.add(SourceFile::new(
            "b.json".into(),
            "b.json".into(),
            "b.json".into(),
            text,
        ));
        (sources, Span::new(file, at, at + 4))
    }

    #[test]
    fn a_diagnostic_on_a_megabyte_line_prints_a_window_of_it() {
        let (sources, span) = long_line();
        assert!(sources.get(span.file).text.len() > 1_000_000);
        let d = Diagnostic::warning(
            "unused-reference",
            "`hier` is in the bibliography but never cited",
        )
        .at(span)
        .related(Span::new(span.file, 10, 12), "first defined here")
        .help("cite it");
        let col = format!(":1:{}", span.start + 1);
        for format in [
            MessageFormat::Human,
            MessageFormat::Short,
            MessageFormat::Json,
        ] {
            for color in [false, true] {
                let out = render(std::slice::from_ref(&d), &sources, format, color);
                assert!(out.len() < 1024, "{format:?}: {} bytes:\n{out}", out.len());
                if format != MessageFormat::Json {
                    assert!(out.contains(&col), "{format:?}: {out}");
                }
            }
        }
        let out = render(&[d], &sources, MessageFormat::Human, false);
        assert!(out.contains(&format!("┌─ b.json{col}")), "{out}");
        assert!(out.contains(" … {\"id\":\"x\"},{\"id\":\"x\"},"), "{out}");
        assert!(out.contains("{},{}…\n"), "{out}");
        assert!(out.contains("{\"id\":\"hier\"},{},{}"), "{out}");
        // The caret stands under the word.
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines.iter().position(|l| l.starts_with("1 │")).unwrap();
        let col = lines[shown].find("hier").unwrap();
        let carets = lines[shown + 1];
        assert_eq!(
            carets
                .find('^')
                .map(|c| lines[shown][..col].chars().count() == carets[..c].chars().count()),
            Some(true),
            "{out}"
        );
    }

    #[test]
    fn short_lines_are_shown_whole_as_before() {
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new(
            "a.md".into(),
            "a.md".into(),
            "a.md".into(),
            "# Een\n\nZie @sec-x.\n".into(),
        ));
        let d =
            Diagnostic::error("unknown-label", "unknown label @sec-x").at(Span::new(file, 12, 18));
        let cd =
            cs::Diagnostic::<FileId>::error().with_labels(vec![cs::Label::primary(file, 12..18)]);
        assert!(Excerpt::of(&cd, &sources).is_none());
        let out = render(&[d], &sources, MessageFormat::Human, false);
        assert!(out.contains("3 │ Zie @sec-x."), "{out}");
    }

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
