//! Pandoc's fenced divs, read the way Pandoc reads them, before comrak parses the text.
//!
//! Pandoc closes the innermost open div at each closing fence (`:::`), whatever the fences'
//! lengths; comrak closes the first open directive whose fence is not longer than the closing
//! one, so `::: a`, `::: b`, `:::`, `:::` (nested divs with fences of one length, as Pandoc
//! and Quarto users write them) came out as two divs side by side, the second swallowing the
//! rest of the chapter. So the divs are matched here, line by line, and every fence is given
//! a length that makes comrak match them the same way: an outer div's fences are longer than
//! those of any div inside it. Only the colons of fence lines change; line numbers stay, so
//! every position comrak reports still points at the right line.
//!
//! A div that is never closed, and a closing fence that closes nothing, are reported here.

use std::borrow::Cow;

/// Stands in for `:` inside a div's info string while comrak parses: comrak refuses an opening
/// `:::` fence whose info string contains a colon (`title="Casus: Daan"`), and would then read
/// the closing fence as an opening one.
pub const COLON_STAND_IN: char = '\u{1f}';

/// What is wrong with the divs of a text, by byte offset of the fence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// An opening fence whose div is never closed.
    Unclosed(usize),
    /// A closing fence with no div open.
    ClosesNothing(usize),
}

/// The text for comrak and the problems found.
pub struct Prepared<'a> {
    pub text: Cow<'a, str>,
    pub problems: Vec<Problem>,
}

/// A fence line: where its colons start (byte offset in the text), how many there are, and
/// whether it opens a div.
struct Fence {
    at: usize,
    info_at: usize,
    line_end: usize,
    opens: bool,
}

/// The fence on `line` (which starts at `start` in the text), if it is one. Container prefixes
/// (block quote markers, the indentation of list items) are looked through.
fn fence(line: &str, start: usize) -> Option<Fence> {
    let mut i = 0;
    let b = line.as_bytes();
    loop {
        let spaces = b[i..].iter().take_while(|c| **c == b' ').count();
        if b.get(i + spaces) == Some(&b'>') {
            i += spaces + 1;
            continue;
        }
        i += spaces;
        break;
    }
    let colons = b[i..].iter().take_while(|c| **c == b':').count();
    if colons < 3 {
        return None;
    }
    let info = line[i + colons..].trim_end_matches(['\n', '\r']);
    Some(Fence {
        at: start + i,
        info_at: start + i + colons,
        line_end: start + line.trim_end_matches(['\n', '\r']).len(),
        opens: !info.trim().is_empty(),
    })
}

/// A fenced code block's opening (``` or ~~~, three or more), as (char, length).
fn code_fence(line: &str) -> Option<(u8, usize)> {
    let t = line.trim_start_matches([' ', '>']);
    let c = *t.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|b| *b == c).count();
    (n >= 3).then_some((c, n))
}

/// Matches the divs of `text` and returns it with fences comrak reads the same way.
pub fn prepare(text: &str) -> Prepared<'_> {
    if !text.contains(":::") {
        return Prepared {
            text: Cow::Borrowed(text),
            problems: Vec::new(),
        };
    }
    let mut fences: Vec<Fence> = Vec::new();
    // Per fence, the div it belongs to; per div, its height (0 for one with no div inside).
    let mut div_of: Vec<Option<usize>> = Vec::new();
    let mut heights: Vec<usize> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut problems = Vec::new();
    let mut code: Option<(u8, usize)> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        if let Some((c, n)) = code {
            if let Some((c2, n2)) = code_fence(line)
                && c2 == c
                && n2 >= n
                && line
                    .trim_start_matches([' ', '>'])
                    .trim_start_matches(c as char)
                    .trim()
                    .is_empty()
            {
                code = None;
            }
            continue;
        }
        if let Some(cf) = code_fence(line) {
            code = Some(cf);
            continue;
        }
        let Some(f) = fence(line, line_start) else {
            continue;
        };
        if f.opens {
            let div = heights.len();
            heights.push(0);
            open.push(div);
            div_of.push(Some(div));
        } else {
            match open.pop() {
                Some(div) => {
                    if let Some(&parent) = open.last() {
                        heights[parent] = heights[parent].max(heights[div] + 1);
                    }
                    div_of.push(Some(div));
                }
                None => {
                    problems.push(Problem::ClosesNothing(f.at));
                    div_of.push(None);
                }
            }
        }
        fences.push(f);
    }
    for div in open {
        let first = div_of
            .iter()
            .position(|d| *d == Some(div))
            .map(|i| fences[i].at)
            .unwrap_or(0);
        problems.push(Problem::Unclosed(first));
    }
    let mut out = String::with_capacity(text.len() + fences.len() * 2);
    let mut from = 0;
    for (f, div) in fences.iter().zip(&div_of) {
        out.push_str(&text[from..f.at]);
        match div {
            Some(d) => {
                out.extend(std::iter::repeat_n(':', 3 + heights[*d]));
                let info = &text[f.info_at..f.line_end];
                if f.opens {
                    out.push_str(&info.replace(':', &COLON_STAND_IN.to_string()));
                } else {
                    out.push_str(info);
                }
            }
            // A fence that closes nothing would open a div that swallows the rest: it is
            // reported, and blanked for comrak.
            None => out.extend(std::iter::repeat_n(' ', f.line_end - f.at)),
        }
        from = f.line_end;
    }
    out.push_str(&text[from..]);
    problems.sort_by_key(|p| match p {
        Problem::Unclosed(a) | Problem::ClosesNothing(a) => *a,
    });
    Prepared {
        text: Cow::Owned(out),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_length_fences_nest_as_in_pandoc() {
        let p = prepare("::: a\n::: b\nx\n:::\n:::\n\nna\n");
        assert_eq!(p.text, ":::: a\n::: b\nx\n:::\n::::\n\nna\n");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn longer_outer_fences_stay_nested() {
        let p = prepare(":::: a\n::: b\nx\n:::\n::::\n");
        assert_eq!(p.text, ":::: a\n::: b\nx\n:::\n::::\n");
    }

    #[test]
    fn fences_in_code_are_not_fences() {
        let p = prepare("```\n::: a\n```\n::: b\nx\n:::\n");
        assert_eq!(p.text, "```\n::: a\n```\n::: b\nx\n:::\n");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn unclosed_and_stray_fences_are_problems() {
        let p = prepare("::: a\nx\n");
        assert_eq!(p.problems, vec![Problem::Unclosed(0)]);
        let p = prepare("x\n\n:::\ny\n");
        assert_eq!(p.problems, vec![Problem::ClosesNothing(3)]);
        assert_eq!(p.text, "x\n\n   \ny\n");
    }

    #[test]
    fn colons_in_the_info_string_are_protected() {
        let p = prepare("::: {.kader title=\"Casus: Daan\"}\nx\n:::\n");
        assert!(p.text.starts_with(":::"));
        assert!(p.text.contains("Casus\u{1f} Daan"));
    }

    #[test]
    fn divs_in_block_quotes_are_seen() {
        let p = prepare("> ::: a\n> ::: b\n> x\n> :::\n> :::\n");
        assert_eq!(p.text, "> :::: a\n> ::: b\n> x\n> :::\n> ::::\n");
    }
}
