//! The citation style cut down to the kinds of works a book cites.
//!
//! APA's style chooses what to print by the type of a work at almost every step
//! (`<if type="article-journal article-magazine …" match="any">`), and hayagriva tests every
//! listed type of every branch it passes, for every citation, each time by parsing the work's
//! type again. A book cites a handful of types: a test for a type none of its works has is
//! always false, so it is left out, and a branch that can then never be taken goes with it.
//! What remains takes the same branches for every work of the book, so the output is the
//! same; only the evaluation is shorter.

use std::collections::HashSet;

use hayagriva::citationberg::taxonomy::Kind;
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, IndependentStyle, LayoutRenderingElement, NamesChild,
};

/// Cuts the tests for absent kinds out of every layout and macro of `style`.
pub fn specialise(style: &mut IndependentStyle, present: &HashSet<Kind>) {
    elements(&mut style.citation.layout.elements, present);
    if let Some(b) = &mut style.bibliography {
        elements(&mut b.layout.elements, present);
    }
    for m in &mut style.macros {
        elements(&mut m.children, present);
    }
}

fn elements(v: &mut [LayoutRenderingElement], present: &HashSet<Kind>) {
    for e in v {
        match e {
            LayoutRenderingElement::Group(g) => elements(&mut g.children, present),
            LayoutRenderingElement::Names(n) => {
                for c in &mut n.children {
                    if let NamesChild::Substitute(s) = c {
                        elements(&mut s.children, present);
                    }
                }
            }
            LayoutRenderingElement::Choose(c) => choose(c, present),
            LayoutRenderingElement::Text(_)
            | LayoutRenderingElement::Date(_)
            | LayoutRenderingElement::Number(_)
            | LayoutRenderingElement::Label(_) => {}
        }
    }
}

fn choose(c: &mut Choose, present: &HashSet<Kind>) {
    let mut kept: Vec<ChooseBranch> = std::iter::once(&c.if_)
        .chain(&c.else_if)
        .filter_map(|b| specialised(b, present))
        .collect();
    // A choice none of whose branches can be taken keeps its first one as it was (a
    // choice needs one): it is still never taken.
    if !kept.is_empty() {
        c.if_ = kept.remove(0);
        c.else_if = kept;
    }
    for b in std::iter::once(&mut c.if_).chain(&mut c.else_if) {
        elements(&mut b.children, present);
    }
    if let Some(e) = &mut c.otherwise {
        elements(&mut e.children, present);
    }
}

/// The branch without its tests for absent kinds, or `None` if it can never be taken.
fn specialised(b: &ChooseBranch, present: &HashSet<Kind>) -> Option<ChooseBranch> {
    let Some(types) = &b.type_ else {
        return Some(b.clone());
    };
    // Each listed value is one test; a type test is true only for works of that type.
    let other_tests = usize::from(b.disambiguate.is_some())
        + b.is_numeric.as_ref().map_or(0, Vec::len)
        + b.is_uncertain_date.as_ref().map_or(0, Vec::len)
        + b.locator.as_ref().map_or(0, Vec::len)
        + b.position.as_ref().map_or(0, Vec::len)
        + b.variable.as_ref().map_or(0, Vec::len);
    let kept: Vec<Kind> = types
        .iter()
        .copied()
        .filter(|t| present.contains(t))
        .collect();
    let mut out = b.clone();
    match b.match_ {
        // One false test makes the branch false.
        ChooseMatch::All if kept.len() < types.len() => return None,
        ChooseMatch::All => {}
        // False tests change nothing, as long as some test is left.
        ChooseMatch::Any | ChooseMatch::None => {
            if kept.is_empty() && other_tests == 0 {
                // Any of only false tests: never; none of them: always, left as it is.
                return (b.match_ == ChooseMatch::None).then_some(out);
            }
            out.type_ = (!kept.is_empty()).then_some(kept);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayagriva::citationberg::taxonomy::{StandardVariable, Variable};

    fn branch(types: &[Kind], match_: ChooseMatch, variable: bool) -> ChooseBranch {
        ChooseBranch {
            disambiguate: None,
            is_numeric: None,
            is_uncertain_date: None,
            locator: None,
            position: None,
            type_: Some(types.to_vec()),
            variable: variable.then(|| vec![Variable::Standard(StandardVariable::DOI)]),
            match_,
            children: Vec::new(),
        }
    }

    #[test]
    fn tests_for_absent_kinds_go_and_branches_that_cannot_match_with_them() {
        let present: HashSet<Kind> = [Kind::Book, Kind::Report].into();
        let any = branch(&[Kind::ArticleJournal, Kind::Book], ChooseMatch::Any, false);
        assert_eq!(
            specialised(&any, &present).and_then(|b| b.type_),
            Some(vec![Kind::Book])
        );
        // Any of only absent kinds: never taken.
        let never = branch(
            &[Kind::LegalCase, Kind::Legislation],
            ChooseMatch::Any,
            false,
        );
        assert_eq!(specialised(&never, &present), None);
        // … unless another test can make it true.
        let with_variable = branch(&[Kind::LegalCase], ChooseMatch::Any, true);
        let b = specialised(&with_variable, &present).expect("kept");
        assert_eq!((b.type_, b.variable.is_some()), (None, true));
        // All: one absent kind makes it false.
        assert_eq!(
            specialised(
                &branch(&[Kind::Book, Kind::Map], ChooseMatch::All, false),
                &present
            ),
            None
        );
        let all = branch(&[Kind::Book], ChooseMatch::All, false);
        assert_eq!(specialised(&all, &present), Some(all.clone()));
        // None of only absent kinds is always true: left as it is.
        let none = branch(&[Kind::Map], ChooseMatch::None, false);
        assert_eq!(specialised(&none, &present), Some(none.clone()));
        let none = branch(&[Kind::Map, Kind::Book], ChooseMatch::None, false);
        assert_eq!(
            specialised(&none, &present).and_then(|b| b.type_),
            Some(vec![Kind::Book])
        );
    }
}
