//! The source map: every file druk reads, so that any span prints as `file:line:col`.

use std::path::PathBuf;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
}

/// One source file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user: relative to the working directory when the
    /// book folder was given relatively, so that terminals can open it.
    pub name: String,
    /// The path relative to the book folder (`hoofdstukken/01.md`), stable across machines.
    pub rel: String,
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// The number of characters before every [`CHAR_BLOCK`]-th byte, made the first time a
    /// column is asked for far into a line: a minified file is one line, and counting a
    /// column from the line's start for each of its thousands of diagnostics was quadratic.
    char_blocks: std::sync::OnceLock<Vec<u64>>,
}

/// See [`SourceFile::char_blocks`].
const CHAR_BLOCK: usize = 4096;

/// The characters in UTF-8 bytes: every byte that does not continue a sequence starts one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(name: String, rel: String, path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name,
            rel,
            path,
            text,
            line_starts,
            char_blocks: std::sync::OnceLock::new(),
        }
    }

    /// Byte offset of a 1-based line and 1-based byte column, as comrak reports them.
    pub fn offset(&self, line: usize, byte_col: usize) -> usize {
        let Some(start) = line.checked_sub(1).and_then(|l| self.line_starts.get(l)) else {
            return self.text.len();
        };
        let offset = (start + byte_col.saturating_sub(1)).min(self.text.len());
        // Never point into the middle of a UTF-8 sequence.
        let mut o = offset;
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and 1-based column counted in characters, as rustc prints them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.line_starts[line];
        (line + 1, self.chars_between(start, offset) + 1)
    }

    /// The number of characters from byte `from` to byte `to` (`from <= to`).
    pub fn chars_between(&self, from: usize, to: usize) -> usize {
        let bytes = self.text.as_bytes();
        let to = to.min(bytes.len());
        let from = from.min(to);
        if to - from <= 2 * CHAR_BLOCK {
            return chars_in(&bytes[from..to]);
        }
        let blocks = self.char_blocks.get_or_init(|| {
            let mut before = 0u64;
            bytes
                .chunks(CHAR_BLOCK)
                .map(|block| {
                    let at = before;
                    before += chars_in(block) as u64;
                    at
                })
                .collect()
        });
        let before = |at: usize| {
            let block = at / CHAR_BLOCK;
            blocks.get(block).copied().unwrap_or(0) as usize
                + chars_in(&bytes[block * CHAR_BLOCK..at])
        };
        before(to) - before(from)
    }

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }
}

/// All files of one build. Files are added during loading only, so ids are stable.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Finds the first occurrence of `needle` at or after `from` in a file and returns its span;
    /// used where a parser reports only where a node starts, not where a word inside it is.
    pub fn find(&self, file: FileId, from: usize, needle: &str) -> Option<Span> {
        let text = &self.get(file).text;
        let from = from.min(text.len());
        let from = (0..=from).rev().find(|&i| text.is_char_boundary(i))?;
        text[from..]
            .find(needle)
            .map(|i| Span::new(file, from + i, from + i + needle.len()))
    }
}

impl<'a> codespan_reporting::files::Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|f| f.name.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|f| f.text.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let f = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(match f.line_starts.binary_search(&byte_index) {
            Ok(l) => l,
            Err(l) => l - 1,
        })
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        let f = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        let start = *f.line_starts.get(line_index).ok_or(
            codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: f.line_starts.len() - 1,
            },
        )?;
        let end = f
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(f.text.len());
        Ok(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a".into(), "a".into(), "a".into(), "ab\nçé x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "çé " is 5 bytes, 3 characters.
        assert_eq!(f.line_col(8), (2, 4));
        assert_eq!(f.offset(2, 6), 8);
    }

    #[test]
    fn columns_far_into_a_long_line_are_counted_from_the_block_index() {
        let line = "é".repeat(30_000) + "x" + &"ab".repeat(20_000);
        let f = SourceFile::new("a".into(), "a".into(), "a".into(), format!("kop\n{line}\n"));
        let x = 4 + 60_000;
        assert_eq!(&f.text[x..x + 1], "x");
        assert_eq!(f.line_col(x), (2, 30_001));
        assert_eq!(f.line_col(x + 1 + 40_000), (2, 70_002));
        assert_eq!(f.line_col(f.text.len()), (3, 1));
    }
}
