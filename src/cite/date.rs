//! Dates of bibliography entries, in every form the input formats write them, checked and
//! brought into the one form the citation engine reads: `{"date-parts": [[year, month, day]]}`.
//!
//! hayagriva panics on a date range and on empty date parts, stores the year in 16 bits and
//! the month and day as `u8` after subtracting one; so nothing reaches it that is not a single
//! date with a year in 0–9999, a month in 1–12 and a day that exists in that month.

use crate::diag::Diagnostic;
use crate::source::Span;
use serde_json::Value as Json;

/// The CSL variables that hold dates.
pub const FIELDS: [&str; 6] = [
    "issued",
    "accessed",
    "original-date",
    "event-date",
    "submitted",
    "available-date",
];

/// One date as written: year, then month and day when given.
type Parts = Vec<i64>;

/// Why a written date could not be read.
enum Unreadable {
    /// Not a date at all.
    NotADate,
    /// A range whose first date cannot be read.
    Range,
    /// A date with only a literal text (`literal: in druk`).
    Literal(String),
}

/// How a field is written in the file, for the examples in the help texts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `issued: 2019`
    Csl,
    /// `year = {2019}`
    Bib,
}

impl Syntax {
    fn example(self, field: &str, value: &str) -> String {
        match self {
            Syntax::Csl => format!("`{field}: {value}`"),
            Syntax::Bib => format!("`{field} = {{{value}}}`"),
        }
    }
}

/// The date of `field` of the entry `key` as CSL-JSON date parts, or `None` (with a
/// diagnostic at `span`) when it cannot be printed.
pub fn normalize(
    value: &Json,
    field: &str,
    key: &str,
    span: Span,
    syntax: Syntax,
    diags: &mut Vec<Diagnostic>,
) -> Option<Json> {
    let ex = |v: &str| syntax.example(field, v);
    let key = &super::library::shown(key);
    let dates = match read(value) {
        Ok(dates) => dates,
        Err(Unreadable::NotADate) => {
            diags.push(
                Diagnostic::error(
                    "bibliography-date",
                    format!(
                        "`{field}` of `{key}` is not a date: `{}`",
                        super::library::shown(&written(value))
                    ),
                )
                .at(span)
                .help(format!("write {} or {}", ex("2019"), ex("2019-03-01"))),
            );
            return None;
        }
        Err(Unreadable::Range) => {
            diags.push(
                Diagnostic::error(
                    "bibliography-date",
                    format!("`{field}` of `{key}` is a date range druk cannot read"),
                )
                .at(span)
                .help(format!(
                    "write a single date: {} or {}",
                    ex("2019"),
                    ex("2019-03-01")
                )),
            );
            return None;
        }
        Err(Unreadable::Literal(text)) => {
            diags.push(
                Diagnostic::warning(
                    "bibliography-date",
                    format!(
                        "`{field}` of `{key}` is the text `{}`, not a date; the work is printed without it",
                        super::library::shown(&text)
                    ),
                )
                .at(span)
                .help(format!("write the date as {} or {}", ex("2019"), ex("2019-03-01"))),
            );
            return None;
        }
    };
    let mut first = dates.into_iter();
    let mut date = first.next()?;
    let rest = first.count();
    let &year = date.first()?;
    if !(0..=9999).contains(&year) {
        diags.push(
            Diagnostic::error(
                "bibliography-date",
                format!("`{field}` of `{key}` has the year {year}, outside 0–9999"),
            )
            .at(span)
            .help(format!(
                "write a year of four digits at most: {}",
                ex("2019")
            )),
        );
        return None;
    }
    if let Some(&month) = date.get(1)
        && !(1..=12).contains(&month)
    {
        diags.push(
            Diagnostic::warning(
                "bibliography-date",
                format!(
                    "`{field}` of `{key}` has the month {month}; the work is printed with the year {year} only"
                ),
            )
            .at(span)
            .help("a month is a number from 1 to 12"),
        );
        date.truncate(1);
    }
    if let (Some(&month), Some(&day)) = (date.get(1), date.get(2))
        && !(1..=days_in(year, month)).contains(&day)
    {
        diags.push(
            Diagnostic::warning(
                "bibliography-date",
                format!(
                    "`{field}` of `{key}` has the day {day}, which month {month} of {year} does not have; the day is left out"
                ),
            )
            .at(span)
            .help(format!("that month has {} days", days_in(year, month))),
        );
        date.truncate(2);
    }
    if rest > 0 {
        let shown = date
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("-");
        diags.push(
            Diagnostic::warning(
                "bibliography-date-range",
                format!(
                    "`{field}` of `{key}` is a date range; it is printed as its first date, {shown}"
                ),
            )
            .at(span)
            .help(format!(
                "the citation engine prints single dates: write {} to say so",
                ex(&shown)
            )),
        );
    }
    let mut out = serde_json::json!({ "date-parts": [date] });
    // What else a CSL date object says that the engine reads.
    if let Some(obj) = value.as_object() {
        for extra in ["circa", "season"] {
            if let Some(v) = obj.get(extra) {
                out[extra] = v.clone();
            }
        }
    }
    Some(out)
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The dates a value holds: one, or two for a range.
fn read(value: &Json) -> Result<Vec<Parts>, Unreadable> {
    match value {
        Json::Number(n) => n
            .as_i64()
            .map(|y| vec![vec![y]])
            .ok_or(Unreadable::NotADate),
        Json::String(s) => text(s).ok_or(Unreadable::NotADate),
        // pandoc-citeproc's YAML: `issued: [{year: 2019, month: 3}]`, two for a range.
        Json::Array(list) if !list.is_empty() && list.iter().all(Json::is_object) => list
            .iter()
            .map(|d| {
                let part = |k: &str| d.get(k).map(number).transpose();
                let year = part("year")?.ok_or(Unreadable::NotADate)?;
                let mut parts = vec![year];
                if let Some(month) = part("month")? {
                    parts.push(month);
                    if let Some(day) = part("day")? {
                        parts.push(day);
                    }
                }
                Ok(parts)
            })
            .collect(),
        // citationberg writes a date as its bare date parts: `[[1992], [1994]]`.
        Json::Array(_) => parts_list(value),
        Json::Object(obj) => {
            if let Some(parts) = obj.get("date-parts") {
                parts_list(parts)
            } else if let Some(raw) = obj.get("raw") {
                let raw = raw.as_str().ok_or(Unreadable::NotADate)?;
                match text(raw) {
                    Some(dates) => Ok(dates),
                    None if raw.contains('/') => Err(Unreadable::Range),
                    None => Err(Unreadable::NotADate),
                }
            } else if let Some(literal) = obj.get("literal") {
                Err(Unreadable::Literal(written(literal)))
            } else {
                Err(Unreadable::NotADate)
            }
        }
        _ => Err(Unreadable::NotADate),
    }
}

/// `[[2019, 3, 1]]` or `[[1992], [1994]]`; parts may be strings (`["2019", "3"]`), and empty
/// strings are left out, as in citeproc-js.
fn parts_list(value: &Json) -> Result<Vec<Parts>, Unreadable> {
    let list = value.as_array().ok_or(Unreadable::NotADate)?;
    let dates: Vec<Parts> = list
        .iter()
        .map(|d| {
            let parts = d.as_array().ok_or(Unreadable::NotADate)?;
            parts
                .iter()
                .filter(|p| p.as_str() != Some(""))
                .map(number)
                .collect::<Result<Parts, _>>()
        })
        .collect::<Result<_, _>>()?;
    if dates.is_empty() || dates.iter().any(|d| d.is_empty() || d.len() > 3) {
        return Err(Unreadable::NotADate);
    }
    Ok(dates)
}

fn number(v: &Json) -> Result<i64, Unreadable> {
    match v {
        Json::Number(n) => n.as_i64().ok_or(Unreadable::NotADate),
        Json::String(s) => s.trim().parse().map_err(|_| Unreadable::NotADate),
        _ => Err(Unreadable::NotADate),
    }
}

/// `2019`, `2019-03`, `2019-03-01`, and a range of two such dates split by `/` (EDTF, as
/// Pandoc writes it) or by an en dash (BibTeX's `--`); a trailing `~` or `?` (approximate, uncertain) is allowed.
fn text(s: &str) -> Option<Vec<Parts>> {
    let dates: Option<Vec<Parts>> = s
        .trim()
        .split(['/', '–'])
        .take(3)
        .map(|d| {
            let d = d.trim().trim_end_matches(['~', '?']);
            // A year before the common era (`-50`) is read, to be reported as out of range.
            let (sign, d) = match d.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, d),
            };
            let mut parts: Option<Parts> = d
                .split('-')
                .map(|p| {
                    (!p.is_empty() && p.len() <= 18 && p.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| p.parse().ok())
                        .flatten()
                })
                .collect();
            if let Some(year) = parts.as_mut().and_then(|p| p.first_mut()) {
                *year *= sign;
            }
            parts.filter(|p| (1..=3).contains(&p.len()))
        })
        .collect();
    // `2010-2012` is a range of years, not a year and a month.
    let dates = match dates {
        Some(d) if d.len() == 1 && d[0].len() == 2 && d[0][1] >= 1000 => {
            Some(vec![vec![d[0][0]], vec![d[0][1]]])
        }
        d => d,
    };
    dates.filter(|d| (1..=2).contains(&d.len()))
}

/// A value as the user wrote it, for a message.
fn written(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn norm(v: Json) -> (Option<Json>, Vec<String>) {
        let mut diags = Vec::new();
        let out = normalize(
            &v,
            "issued",
            "k",
            Span::new(FileId(0), 0, 0),
            Syntax::Csl,
            &mut diags,
        );
        (out, diags.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn every_written_form_becomes_date_parts() {
        let want = serde_json::json!({ "date-parts": [[2019, 3, 1]] });
        for v in [
            serde_json::json!("2019-03-01"),
            serde_json::json!({ "date-parts": [[2019, 3, 1]] }),
            serde_json::json!({ "date-parts": [["2019", "3", "1"]] }),
            serde_json::json!({ "raw": "2019-03-01" }),
            serde_json::json!([{ "year": 2019, "month": 3, "day": 1 }]),
            serde_json::json!([[2019, 3, 1]]),
        ] {
            assert_eq!(norm(v.clone()), (Some(want.clone()), vec![]), "{v}");
        }
        assert_eq!(
            norm(serde_json::json!(1992)).0,
            Some(serde_json::json!({ "date-parts": [[1992]] }))
        );
        assert_eq!(
            norm(serde_json::json!({ "date-parts": [["1992", ""]], "circa": true })).0,
            Some(serde_json::json!({ "date-parts": [[1992]], "circa": true }))
        );
    }

    #[test]
    fn out_of_range_and_malformed_dates_are_reported_not_passed_on() {
        for (v, msg) in [
            (
                serde_json::json!(10000),
                "has the year 10000, outside 0–9999",
            ),
            (serde_json::json!(-44), "has the year -44, outside 0–9999"),
            (serde_json::json!("-50"), "has the year -50, outside 0–9999"),
            (serde_json::json!("99999-01-01"), "outside 0–9999"),
            (serde_json::json!({ "date-parts": [[]] }), "is not a date"),
            (serde_json::json!({ "date-parts": [] }), "is not a date"),
            (
                serde_json::json!({ "date-parts": [[1, 2, 3, 4]] }),
                "is not a date",
            ),
            (serde_json::json!("2019-xx"), "is not a date"),
            (serde_json::json!("99999999999999999999"), "is not a date"),
            (serde_json::json!(true), "is not a date"),
            (serde_json::json!(1.5), "is not a date"),
            (
                serde_json::json!({ "raw": "nooit/ooit" }),
                "date range druk cannot read",
            ),
            (
                serde_json::json!({ "literal": "in druk" }),
                "is the text `in druk`",
            ),
        ] {
            let (out, msgs) = norm(v.clone());
            assert_eq!(out, None, "{v}");
            assert!(msgs.len() == 1 && msgs[0].contains(msg), "{v}: {msgs:?}");
        }
    }

    #[test]
    fn impossible_months_and_days_are_dropped_with_a_warning() {
        let (out, msgs) = norm(serde_json::json!("2019-13-01"));
        assert_eq!(out, Some(serde_json::json!({ "date-parts": [[2019]] })));
        assert!(msgs[0].contains("month 13"), "{msgs:?}");
        let (out, msgs) = norm(serde_json::json!("2019-02-29"));
        assert_eq!(out, Some(serde_json::json!({ "date-parts": [[2019, 2]] })));
        assert!(msgs[0].contains("day 29"), "{msgs:?}");
        assert_eq!(
            norm(serde_json::json!("2020-02-29")).0,
            Some(serde_json::json!({ "date-parts": [[2020, 2, 29]] }))
        );
        let (out, msgs) = norm(serde_json::json!({ "date-parts": [[2019, 0]] }));
        assert_eq!(out, Some(serde_json::json!({ "date-parts": [[2019]] })));
        assert_eq!(msgs.len(), 1);
    }

    #[test]
    fn a_range_keeps_its_first_date() {
        for v in [
            serde_json::json!("1992/1994"),
            serde_json::json!("1992-1994"),
            serde_json::json!("1992–1994"),
            serde_json::json!({ "raw": "1992/1994" }),
            serde_json::json!([{ "year": 1992 }, { "year": 1994 }]),
            serde_json::json!({ "date-parts": [[1992], [1994]] }),
        ] {
            let (out, msgs) = norm(v.clone());
            assert_eq!(
                out,
                Some(serde_json::json!({ "date-parts": [[1992]] })),
                "{v}"
            );
            assert!(msgs[0].contains("date range"), "{msgs:?}");
        }
    }
}
