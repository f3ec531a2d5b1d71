//! Aligning two token sequences: which tokens of the manuscript are found, in order, in an
//! edition.
//!
//! Patience diff: tokens that occur once in both sides are anchors, the longest run of them
//! in the same order is kept, and the stretches between anchors are aligned the same way,
//! down to stretches small enough for an exact longest common subsequence. Where a stretch
//! has no token unique on both sides, its rarest common token anchors it. This is near
//! linear on whole books, and it never pairs a word with a far-away word that merely looks
//! the same, which is what makes a missing or moved paragraph stand out.

use std::collections::HashMap;

/// Largest stretch (cells of the table) aligned exactly.
const EXACT_LIMIT: usize = 2_000_000;

/// The pairs (index in `a`, index in `b`) of equal tokens in the alignment, increasing in
/// both. Tokens `u32::MAX - k` (placeholders) never match.
pub fn diff(a: &[u32], b: &[u32]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    diff_with(a, b, &mut out);
    out
}

fn diff_with(a: &[u32], b: &[u32], out: &mut Vec<(usize, usize)>) {
    let mut stack = vec![(0, a.len(), 0, b.len())];
    while let Some((mut a0, mut a1, mut b0, mut b1)) = stack.pop() {
        while a0 < a1 && b0 < b1 && a[a0] == b[b0] && !placeholder(a[a0]) {
            out.push((a0, b0));
            a0 += 1;
            b0 += 1;
        }
        while a0 < a1 && b0 < b1 && a[a1 - 1] == b[b1 - 1] && !placeholder(a[a1 - 1]) {
            a1 -= 1;
            b1 -= 1;
            out.push((a1, b1));
        }
        if a0 == a1 || b0 == b1 {
            continue;
        }
        // Occurrences: (count in a, last index in a, count in b, last index in b).
        let mut occ: HashMap<u32, (u32, usize, u32, usize)> = HashMap::new();
        for (i, &t) in a.iter().enumerate().take(a1).skip(a0) {
            if !placeholder(t) {
                let e = occ.entry(t).or_insert((0, 0, 0, 0));
                e.0 += 1;
                e.1 = i;
            }
        }
        for (j, &t) in b.iter().enumerate().take(b1).skip(b0) {
            if let Some(e) = occ.get_mut(&t) {
                e.2 += 1;
                e.3 = j;
            }
        }
        let mut unique: Vec<(usize, usize)> = occ
            .values()
            .filter(|e| e.0 == 1 && e.2 == 1)
            .map(|e| (e.1, e.3))
            .collect();
        let anchors = if !unique.is_empty() {
            unique.sort_unstable();
            longest_increasing(&unique)
        } else if (a1 - a0) * (b1 - b0) <= EXACT_LIMIT {
            out.extend(
                lcs(&a[a0..a1], &b[b0..b1])
                    .into_iter()
                    .map(|(i, j)| (i + a0, j + b0)),
            );
            continue;
        } else {
            // The rarest common token, its occurrences paired in order.
            let Some((&t, _)) = occ
                .iter()
                .filter(|(_, e)| e.2 > 0)
                .min_by_key(|(t, e)| (e.0 + e.2, **t))
            else {
                continue;
            };
            let ia = (a0..a1).filter(|&i| a[i] == t);
            let jb = (b0..b1).filter(|&j| b[j] == t);
            ia.zip(jb).collect()
        };
        let (mut pa, mut pb) = (a0, b0);
        for (i, j) in anchors {
            stack.push((pa, i, pb, j));
            out.push((i, j));
            pa = i + 1;
            pb = j + 1;
        }
        stack.push((pa, a1, pb, b1));
    }
    out.sort_unstable();
}

fn placeholder(t: u32) -> bool {
    t >= u32::MAX - 1_000_000
}

/// The longest subsequence of `v` (sorted by first) increasing in second.
fn longest_increasing(v: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut tails: Vec<usize> = Vec::new(); // index into v of the smallest tail of each length
    let mut prev: Vec<Option<usize>> = vec![None; v.len()];
    for (k, &(_, y)) in v.iter().enumerate() {
        let pos = tails.partition_point(|&t| v[t].1 < y);
        if pos > 0 {
            prev[k] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut k = tails.last().copied();
    while let Some(i) = k {
        out.push(v[i]);
        k = prev[i];
    }
    out.reverse();
    out
}

/// An exact longest common subsequence.
fn lcs(a: &[u32], b: &[u32]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut t = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * w + j] = if a[i] == b[j] && !placeholder(a[i]) {
                t[(i + 1) * w + j + 1] + 1
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] && !placeholder(a[i]) {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<u32> {
        s.split(' ')
            .map(|w| w.bytes().map(u32::from).sum())
            .collect()
    }

    #[test]
    fn a_dropped_and_a_moved_word_are_unmatched() {
        let a = ids("een twee drie vier vijf zes zeven");
        let b = ids("een drie vier vijf twee zes zeven");
        let m = diff(&a, &b);
        assert_eq!(m.len(), 6, "{m:?}");
        assert!(!m.iter().any(|&(i, _)| i == 1), "twee moved: {m:?}");
    }
}
