//! Knuth–Plass total-fit line breaking on abstract boxes, glue and penalties.
//!
//! This module knows nothing about fonts: a paragraph arrives as widths, so the algorithm
//! is tested on fixed-width boxes. It chooses the set of breakpoints that minimises the
//! sum of *demerits* over the whole paragraph, rather than filling each line greedily.
//!
//! The costs (names as in TeX, values in [`Justification`]):
//!
//! * **badness** of a line: how far its glue must stretch or shrink, `100·r³` where `r`
//!   is the adjustment ratio (stretch used ÷ stretch available). 0 is perfect, 100 means
//!   the glue is stretched by exactly its stretchability, 10 000 stands for "infinitely
//!   bad". A line whose glue would have to shrink by more than its shrinkability is
//!   *overfull* and is never chosen unless nothing else is possible.
//! * **line penalty** is added to the badness before squaring, so every extra line costs
//!   something and the algorithm does not make lines for nothing.
//! * **penalties** on breakpoints (hyphens, explicit hyphens) are squared and added.
//! * **double-hyphen demerits** for two hyphenated lines in a row, **final-hyphen
//!   demerits** for a hyphen on the second-to-last line, and a hard limit on the number of
//!   consecutive hyphenated lines.
//! * **fitness classes** (tight, decent, loose, very loose) and **adjacent demerits** when
//!   neighbouring lines differ by more than one class, so a tight line is not followed by
//!   a loose one (the grey of the page stays even).
//! * **looseness** asks for a solution with more or fewer lines than the optimum.
//! * a **minimum last line**: the final line must be at least `last_line_min` wide.
//!
//! Breaking runs as a *tolerance ladder*, like TeX: first without hyphenation and a strict
//! tolerance, then with hyphenation, then with emergency stretch added to every line, and
//! finally a pass that accepts anything (reporting overfull lines rather than failing).

use crate::typeset::flow::Justification;

/// "Infinite" penalty: a break here is forbidden (positive) or forced (negative).
pub const INFINITY: f64 = 10_000.0;

/// Widths are sums of glyph advances; a line that is wider than its measure by less than
/// this (pt) fits, so rounding in the sums never makes a line overfull.
const FIT_SLACK: f64 = 1e-6;

/// Badness of a line that cannot stretch at all but is too short.
const INF_BAD: f64 = 10_000.0;

/// One element of a paragraph as the line breaker sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Unbreakable material of fixed width.
    Box { width: f64 },
    /// A space. `fil` is infinitely stretchable glue (the `\parfillskip` of the last line);
    /// glue is a breakpoint when it follows a box and disappears at a line break.
    Glue {
        width: f64,
        stretch: f64,
        shrink: f64,
        fil: f64,
    },
    /// A possible breakpoint with a cost. `width` is added to the line if the break is
    /// taken (the hyphen). `flagged` marks hyphen breaks for the double-hyphen rules;
    /// `hyphenation` marks breaks found by hyphenation, which the first pass ignores.
    Penalty {
        width: f64,
        cost: f64,
        flagged: bool,
        hyphenation: bool,
    },
}

impl Item {
    pub fn glue(width: f64, stretch: f64, shrink: f64) -> Item {
        Item::Glue {
            width,
            stretch,
            shrink,
            fil: 0.0,
        }
    }

    pub fn penalty(width: f64, cost: f64, flagged: bool) -> Item {
        Item::Penalty {
            width,
            cost,
            flagged,
            hyphenation: false,
        }
    }

    fn is_box(&self) -> bool {
        matches!(self, Item::Box { .. })
    }
}

/// Parameters of one pass of the ladder.
#[derive(Clone, Copy, Debug)]
struct Pass {
    /// Largest acceptable badness.
    threshold: f64,
    /// Whether hyphenation breakpoints may be used.
    hyphenate: bool,
    /// Extra stretch added to every line (pt).
    emergency: f64,
    /// Accept overfull lines when nothing else is possible, and ignore the minimum last line.
    last_resort: bool,
}

/// Which pass of the ladder produced the breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PassKind {
    /// No hyphenation, `pretolerance`.
    First,
    /// Hyphenation, `tolerance`.
    Second,
    /// Hyphenation, `tolerance` and emergency stretch.
    Emergency,
    /// Anything goes; some line is overfull or a rule had to be broken.
    LastResort,
}

/// The chosen breakpoints: item indices, the last one being the final forced break.
#[derive(Clone, Debug, PartialEq)]
pub struct Breaks {
    pub positions: Vec<usize>,
    pub pass: PassKind,
}

/// Everything the breaker needs besides the items.
#[derive(Clone, Debug)]
pub struct Measure<'a> {
    /// Width of line `i`; the last entry repeats for all further lines.
    pub widths: &'a [f64],
    /// Minimum width of the last line's content (ignored for one-line paragraphs).
    pub last_line_min: f64,
    /// Emergency stretch in pt for the third pass.
    pub emergency_stretch: f64,
}

impl Measure<'_> {
    fn width(&self, line: usize) -> f64 {
        match self.widths.get(line) {
            Some(w) => *w,
            None => self.widths.last().copied().unwrap_or(0.0),
        }
    }
}

/// Breaks a paragraph into lines. `items` should end with a forced break (a penalty of
/// `-INFINITY`), normally preceded by fil glue; the result always has at least one line.
pub fn break_lines(items: &[Item], measure: &Measure, costs: &Justification) -> Breaks {
    let has_hyphens = items.iter().any(|i| {
        matches!(
            i,
            Item::Penalty {
                hyphenation: true,
                ..
            }
        )
    });
    let ladder = [
        (
            PassKind::First,
            Pass {
                threshold: costs.pretolerance,
                hyphenate: false,
                emergency: 0.0,
                last_resort: false,
            },
        ),
        (
            PassKind::Second,
            Pass {
                threshold: costs.tolerance,
                hyphenate: true,
                emergency: 0.0,
                last_resort: false,
            },
        ),
        (
            PassKind::Emergency,
            Pass {
                threshold: costs.tolerance,
                hyphenate: true,
                emergency: measure.emergency_stretch,
                last_resort: false,
            },
        ),
    ];
    for (kind, pass) in ladder {
        // Without hyphenation points the second pass would repeat the first with a
        // larger tolerance; that is still worth doing, so only skip identical passes.
        if kind == PassKind::Second && !has_hyphens && costs.tolerance <= costs.pretolerance {
            continue;
        }
        if kind == PassKind::Emergency && measure.emergency_stretch <= 0.0 {
            continue;
        }
        if let Some(positions) = run_pass(items, measure, costs, pass) {
            return Breaks {
                positions,
                pass: kind,
            };
        }
    }
    let pass = Pass {
        threshold: INF_BAD,
        hyphenate: true,
        emergency: measure.emergency_stretch,
        last_resort: true,
    };
    let positions = run_pass(items, measure, costs, pass)
        .unwrap_or_else(|| vec![items.len().saturating_sub(1)]);
    Breaks {
        positions,
        pass: PassKind::LastResort,
    }
}

/// A feasible breakpoint reached by some sequence of lines.
#[derive(Clone, Debug)]
struct Node {
    /// Item index of the break; `None` for the start of the paragraph.
    pos: Option<usize>,
    /// Where the next line starts (see [`line_start`]).
    start: usize,
    /// Number of lines set up to this break.
    line: usize,
    fitness: u8,
    /// Consecutive hyphenated lines ending here.
    streak: usize,
    flagged: bool,
    demerits: f64,
    prev: Option<usize>,
}

/// Running sums over the items, so the width of any stretch is two subtractions.
struct Sums {
    width: Vec<f64>,
    stretch: Vec<f64>,
    shrink: Vec<f64>,
    fil: Vec<f64>,
}

impl Sums {
    fn new(items: &[Item]) -> Sums {
        let n = items.len();
        let mut s = Sums {
            width: Vec::with_capacity(n + 1),
            stretch: Vec::with_capacity(n + 1),
            shrink: Vec::with_capacity(n + 1),
            fil: Vec::with_capacity(n + 1),
        };
        let (mut w, mut y, mut z, mut f) = (0.0, 0.0, 0.0, 0.0);
        for item in items {
            s.width.push(w);
            s.stretch.push(y);
            s.shrink.push(z);
            s.fil.push(f);
            match item {
                Item::Box { width } => w += width,
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                    fil,
                } => {
                    w += width;
                    y += stretch;
                    z += shrink;
                    f += fil;
                }
                Item::Penalty { .. } => {}
            }
        }
        s.width.push(w);
        s.stretch.push(y);
        s.shrink.push(z);
        s.fil.push(f);
        s
    }
}

/// Where the line after a break at `pos` begins: glue and penalties after a break vanish.
fn line_start(items: &[Item], pos: Option<usize>) -> usize {
    let mut i = match pos {
        None => return 0,
        Some(p) => p + 1,
    };
    while i < items.len() {
        match items[i] {
            Item::Glue { .. } => i += 1,
            Item::Penalty { cost, .. } if cost > -INFINITY => i += 1,
            _ => break,
        }
    }
    i
}

/// Fitness class from the adjustment ratio: 0 tight, 1 decent, 2 loose, 3 very loose.
fn fitness(ratio: f64) -> u8 {
    if ratio < -0.5 {
        0
    } else if ratio <= 0.5 {
        1
    } else if ratio <= 1.0 {
        2
    } else {
        3
    }
}

/// One pass of the algorithm; `None` when no feasible set of breaks exists.
fn run_pass(
    items: &[Item],
    measure: &Measure,
    costs: &Justification,
    pass: Pass,
) -> Option<Vec<usize>> {
    let n = items.len();
    if n == 0 {
        return Some(vec![]);
    }
    let sums = Sums::new(items);
    let mut nodes = vec![Node {
        pos: None,
        start: 0,
        line: 0,
        fitness: 1,
        streak: 0,
        flagged: false,
        demerits: 0.0,
        prev: None,
    }];
    let mut active: Vec<usize> = vec![0];
    // Widths are equal from this line on, so nodes beyond it differ only by demerits.
    let uniform_from = measure.widths.len().saturating_sub(1);
    // Best new node per class (fitness, hyphen streak, line class), in key order, and the
    // active nodes that can reach no further; reused from breakpoint to breakpoint.
    let mut best: Vec<((u8, usize, usize), Node)> = Vec::new();
    let mut dead: Vec<usize> = Vec::new();

    for b in 0..n {
        let (pen_width, pen_cost, flagged) = match items[b] {
            Item::Penalty {
                width,
                cost,
                flagged,
                hyphenation,
            } => {
                if cost >= INFINITY || (hyphenation && !pass.hyphenate) {
                    continue;
                }
                (width, cost, flagged)
            }
            Item::Glue { .. } if b > 0 && items[b - 1].is_box() => (0.0, 0.0, false),
            _ => continue,
        };
        let forced = pen_cost <= -INFINITY;
        let is_last = b == n - 1;
        let next_start = line_start(items, Some(b));
        best.clear();
        dead.clear();

        for (slot, &a) in active.iter().enumerate() {
            let node = &nodes[a];
            let start = node.start;
            if start > b {
                continue;
            }
            let natural = sums.width[b] - sums.width[start] + pen_width;
            let stretch = sums.stretch[b] - sums.stretch[start] + pass.emergency;
            let shrink = sums.shrink[b] - sums.shrink[start];
            let fil = sums.fil[b] - sums.fil[start];
            let target = measure.width(node.line);

            let (badness, ratio, overfull) = if natural < target {
                if fil > 0.0 {
                    (0.0, 0.0, false)
                } else if stretch <= 0.0 {
                    (INF_BAD, f64::INFINITY, false)
                } else {
                    let r = (target - natural) / stretch;
                    ((100.0 * r * r * r).min(INF_BAD), r, false)
                }
            } else if natural > target + FIT_SLACK {
                let excess = natural - target;
                if shrink <= 0.0 || excess > shrink + FIT_SLACK {
                    (INF_BAD, -f64::INFINITY, true)
                } else {
                    let r = excess / shrink;
                    ((100.0 * r * r * r).min(INF_BAD), -r, false)
                }
            } else {
                (0.0, 0.0, false)
            };

            if overfull || forced {
                dead.push(slot);
            }

            let mut feasible = !overfull && badness <= pass.threshold;
            let streak = if flagged { node.streak + 1 } else { 0 };
            // The hyphen limit holds in every pass; if it leaves no way through, the
            // artificial break below still ends the paragraph.
            if streak > costs.max_consecutive_hyphens {
                feasible = false;
            }
            if feasible && is_last && node.line > 0 && !pass.last_resort {
                // The last line's content (everything but the fil glue) must not be a
                // lonely syllable.
                let content = sums.width[b] - sums.width[start];
                if content < measure.last_line_min {
                    feasible = false;
                }
            }
            if !feasible {
                continue;
            }

            let class = fitness(ratio);
            let mut d = (costs.line_penalty + badness).powi(2);
            if pen_cost > 0.0 {
                d += pen_cost * pen_cost;
            } else if pen_cost > -INFINITY {
                d -= pen_cost * pen_cost;
            }
            if flagged && node.flagged {
                d += costs.double_hyphen_demerits;
            }
            if is_last && node.flagged {
                d += costs.final_hyphen_demerits;
            }
            if class.abs_diff(node.fitness) > 1 {
                d += costs.adjacent_demerits;
            }
            push_best(
                &mut best,
                node,
                a,
                (b, next_start),
                class,
                streak,
                flagged,
                d,
                costs.looseness,
                uniform_from,
            );
        }

        // The last-resort pass must never run out of lines: when every active node has
        // just become overfull, break anyway after the one that overflows least (the
        // latest), which is what TeX calls artificial demerits.
        if pass.last_resort && best.is_empty() && !dead.is_empty() && dead.len() == active.len() {
            let a = *active
                .iter()
                .max_by_key(|&&a| nodes[a].pos.map_or(0, |p| p + 1))
                .unwrap_or(&active[0]);
            let node = &nodes[a];
            let streak = if flagged { node.streak + 1 } else { 0 };
            let d = node.demerits;
            best.push((
                (1, streak, 0),
                Node {
                    pos: Some(b),
                    start: next_start,
                    line: node.line + 1,
                    fitness: 1,
                    streak,
                    flagged,
                    demerits: d,
                    prev: Some(a),
                },
            ));
        }

        for &slot in dead.iter().rev() {
            active.remove(slot);
        }
        for (_, node) in best.drain(..) {
            nodes.push(node);
            active.push(nodes.len() - 1);
        }
        if active.is_empty() {
            return None;
        }
    }

    // Every node still active ended at the final forced break.
    let finals: Vec<usize> = active
        .into_iter()
        .filter(|&a| nodes[a].pos == Some(n - 1))
        .collect();
    let optimum = *finals
        .iter()
        .min_by(|&&x, &&y| nodes[x].demerits.total_cmp(&nodes[y].demerits))?;
    let chosen = if costs.looseness == 0 {
        optimum
    } else {
        let wanted = nodes[optimum].line as i64 + costs.looseness as i64;
        *finals
            .iter()
            .min_by(|&&x, &&y| {
                let dx = (nodes[x].line as i64 - wanted).abs();
                let dy = (nodes[y].line as i64 - wanted).abs();
                dx.cmp(&dy)
                    .then(nodes[x].demerits.total_cmp(&nodes[y].demerits))
            })
            .unwrap_or(&optimum)
    };

    let mut positions = Vec::new();
    let mut cur = Some(chosen);
    while let Some(i) = cur {
        if let Some(p) = nodes[i].pos {
            positions.push(p);
        }
        cur = nodes[i].prev;
    }
    positions.reverse();
    Some(positions)
}

/// Records a candidate node for a break at `b` (the next line starting at `start`),
/// keeping only the cheapest per class.
#[allow(clippy::too_many_arguments)]
fn push_best(
    best: &mut Vec<((u8, usize, usize), Node)>,
    from: &Node,
    from_idx: usize,
    (b, start): (usize, usize),
    class: u8,
    streak: usize,
    flagged: bool,
    d: f64,
    looseness: i32,
    uniform_from: usize,
) {
    let line = from.line + 1;
    // Nodes that differ only in line number have the same future unless looseness asks
    // for a particular line count or the measure still varies per line.
    let line_key = if looseness != 0 {
        line
    } else {
        line.min(uniform_from)
    };
    let key = (class, streak, line_key);
    let total = from.demerits + d;
    let node = Node {
        pos: Some(b),
        start,
        line,
        fitness: class,
        streak,
        flagged,
        demerits: total,
        prev: Some(from_idx),
    };
    match best.binary_search_by(|(k, _)| k.cmp(&key)) {
        Ok(i) => {
            if total < best[i].1.demerits {
                best[i].1 = node;
            }
        }
        Err(i) => best.insert(i, (key, node)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a paragraph of fixed-width words: `w` is the width of each word; spaces are
    /// 1 ± (1, 0.5); hyphenation points are written as `|` inside a word (width 1 each
    /// side of the split is what the caller passes).
    fn words(spec: &[&str]) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, w) in spec.iter().enumerate() {
            if i > 0 {
                items.push(Item::glue(1.0, 1.0, 0.5));
            }
            let parts: Vec<&str> = w.split('|').collect();
            for (j, p) in parts.iter().enumerate() {
                if j > 0 {
                    items.push(Item::Penalty {
                        width: 1.0,
                        cost: 50.0,
                        flagged: true,
                        hyphenation: true,
                    });
                }
                items.push(Item::Box {
                    width: p.len() as f64,
                });
            }
        }
        items.push(Item::Penalty {
            width: 0.0,
            cost: INFINITY,
            flagged: false,
            hyphenation: false,
        });
        items.push(Item::Glue {
            width: 0.0,
            stretch: 0.0,
            shrink: 0.0,
            fil: 1.0,
        });
        items.push(Item::penalty(0.0, -INFINITY, false));
        items
    }

    fn lines(items: &[Item], breaks: &[usize]) -> Vec<String> {
        let mut out = Vec::new();
        let mut start = 0;
        for &b in breaks {
            let mut s = String::new();
            let mut i = start;
            while i < b {
                match &items[i] {
                    Item::Box { width } => s.push_str(&"x".repeat(*width as usize)),
                    Item::Glue { width, .. } if *width > 0.0 => s.push(' '),
                    _ => {}
                }
                i += 1;
            }
            if let Item::Penalty { width, .. } = items[b]
                && width > 0.0
            {
                s.push('-');
            }
            out.push(s);
            start = line_start(items, Some(b));
        }
        out
    }

    fn costs() -> Justification {
        Justification::default()
    }

    #[test]
    fn fits_everything_on_one_line_when_possible() {
        let items = words(&["aaa", "bb", "cccc"]);
        let m = Measure {
            widths: &[20.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert_eq!(b.positions, vec![items.len() - 1]);
        assert_eq!(b.pass, PassKind::First);
    }

    #[test]
    fn total_fit_beats_first_fit() {
        // Measure 10. First fit would put "aaaa bbbb" (9) on line 1, then "c dddddddd"
        // (10) and leave a loose remainder; total fit evens the lines out.
        let items = words(&["aaa", "bbb", "cc", "ddd", "eee", "ff"]);
        let m = Measure {
            widths: &[10.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        let l = lines(&items, &b.positions);
        // Each line must fit within the measure given shrink 0.5 per space.
        for line in &l {
            assert!(
                line.len() as f64 <= 10.0 + 0.5 * line.matches(' ').count() as f64,
                "{l:?}"
            );
        }
        assert_eq!(l, vec!["xxx xxx xx", "xxx xxx xx"]);
    }

    #[test]
    fn every_line_is_within_the_measure() {
        let spec: Vec<&str> = "aa bbb c dddd eee ff ggggg hh iii jjjj k ll mmm nnnn o pp qqq rrrr"
            .split(' ')
            .collect();
        let items = words(&spec);
        let m = Measure {
            widths: &[16.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert!(b.pass <= PassKind::Second);
        for line in lines(&items, &b.positions) {
            let spaces = line.matches(' ').count() as f64;
            assert!(line.len() as f64 - 0.5 * spaces <= 16.0, "{line}");
        }
    }

    #[test]
    fn hyphenates_only_when_the_first_pass_fails() {
        // Line of 10: "aaaa bbbbbbbb" cannot be set without a hyphen.
        let items = words(&["aaaa", "bbbb|bbbb", "cc"]);
        let m = Measure {
            widths: &[10.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert_eq!(b.pass, PassKind::Second);
        assert_eq!(lines(&items, &b.positions), vec!["xxxx xxxx-", "xxxx xx"]);
    }

    #[test]
    fn no_more_than_two_hyphenated_lines_in_a_row() {
        // Words that split evenly at width 6 tempt the breaker into hyphenating every line.
        let spec = [
            "aaa|aaa", "bbb|bbb", "ccc|ccc", "ddd|ddd", "eee|eee", "fff|fff",
        ];
        let items = words(&spec);
        let mut c = costs();
        c.double_hyphen_demerits = 0.0;
        c.final_hyphen_demerits = 0.0;
        c.hyphen_penalty = 0.0;
        let m = Measure {
            widths: &[10.0],
            last_line_min: 0.0,
            emergency_stretch: 5.0,
        };
        let b = break_lines(&items, &m, &c);
        let l = lines(&items, &b.positions);
        let mut streak = 0;
        for line in &l {
            if line.ends_with('-') {
                streak += 1;
                assert!(streak <= 2, "{l:?}");
            } else {
                streak = 0;
            }
        }
    }

    #[test]
    fn last_line_is_not_too_short() {
        let items = words(&["aaaa", "bbbb", "cccc", "dd"]);
        // Without the rule: "aaaa bbbb" / "cccc dd" or with measure 14 "aaaa bbbb cccc" / "dd".
        let m = Measure {
            widths: &[14.0],
            last_line_min: 4.0,
            emergency_stretch: 6.0,
        };
        let b = break_lines(&items, &m, &costs());
        let l = lines(&items, &b.positions);
        assert!(l.last().unwrap().len() >= 4, "{l:?}");
    }

    #[test]
    fn overfull_word_is_set_in_the_last_resort() {
        let items = words(&["aaa", "bbbbbbbbbbbbbbbbbbbb", "cc"]);
        let m = Measure {
            widths: &[10.0],
            last_line_min: 0.0,
            emergency_stretch: 2.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert_eq!(b.pass, PassKind::LastResort);
        assert_eq!(
            lines(&items, &b.positions),
            vec!["xxx", "xxxxxxxxxxxxxxxxxxxx", "xx"]
        );
    }

    #[test]
    fn forced_break_splits_lines() {
        let mut items = words(&["aa", "bb"]);
        let tail = words(&["cc"]);
        // Replace the final fil + forced break of the first part with a forced break.
        items.truncate(items.len() - 1);
        items.push(Item::penalty(0.0, -INFINITY, false));
        items.extend(tail);
        let m = Measure {
            widths: &[20.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert_eq!(lines(&items, &b.positions), vec!["xx xx", "xx"]);
    }

    #[test]
    fn looseness_adds_a_line() {
        let spec: Vec<&str> = "aa bbb cc ddd ee fff gg hhh ii jjj kk".split(' ').collect();
        let items = words(&spec);
        let m = Measure {
            widths: &[18.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let tight = break_lines(&items, &m, &costs());
        let mut c = costs();
        c.looseness = 1;
        c.pretolerance = 10_000.0;
        let loose = break_lines(&items, &m, &c);
        assert_eq!(loose.positions.len(), tight.positions.len() + 1);
    }

    #[test]
    fn exact_fit_without_shrink_is_not_overfull() {
        // A word split by a hyphenation point whose parts add up to the measure, give or
        // take rounding: it must be set whole in the first pass.
        let items = vec![
            Item::Box { width: 0.1 + 0.2 },
            Item::Penalty {
                width: 1.0,
                cost: 50.0,
                flagged: true,
                hyphenation: true,
            },
            Item::Box { width: 0.3 },
            Item::Glue {
                width: 0.0,
                stretch: 0.0,
                shrink: 0.0,
                fil: 1.0,
            },
            Item::penalty(0.0, -INFINITY, false),
        ];
        let m = Measure {
            widths: &[0.6],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        assert_eq!(b.pass, PassKind::First);
        assert_eq!(b.positions, vec![4]);
    }

    #[test]
    fn varying_measure_is_respected() {
        // A hanging first line: 6 wide, then 20.
        let items = words(&["aaaa", "bb", "cc", "dd", "eeee", "ff"]);
        let m = Measure {
            widths: &[6.0, 20.0],
            last_line_min: 0.0,
            emergency_stretch: 0.0,
        };
        let b = break_lines(&items, &m, &costs());
        let l = lines(&items, &b.positions);
        assert!(l[0].len() as f64 <= 6.5, "{l:?}");
    }
}
