//! The citation style cut down to the kinds of works and the fields a book's library has.
//!
//! APA's style chooses what to print by the type of a work at almost every step
//! (`<if type="article-journal article-magazine …" match="any">`) and by which fields it has
//! (`<if variable="container-title">`), and hayagriva evaluates every listed value of every
//! branch it passes, for every citation, each time by parsing the work's type again or looking
//! the field up by its name. A library has a handful of types and fields: a test for a type or
//! a field no work has is always false, so it is left out, and a branch that can then never
//! be taken goes with it. What remains takes the same branches for every work of the book, so
//! the output is the same; only the evaluation is shorter.

use std::collections::HashSet;

use hayagriva::citationberg::taxonomy::{Kind, StandardVariable, Variable};
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, IndependentStyle, LayoutRenderingElement, NamesChild,
};

/// What the works of a library have: their types and the names of their fields.
#[derive(Default)]
pub struct Present {
    pub kinds: HashSet<Kind>,
    pub fields: HashSet<String>,
}

impl Present {
    /// Whether a test of `var` can be true for some work. Only the work's own fields are
    /// judged: variables hayagriva computes (the year suffix, the citation label) or reads
    /// in another form (the short title) always count as present.
    fn may_have(&self, var: &Variable) -> bool {
        match var {
            Variable::Standard(
                StandardVariable::YearSuffix
                | StandardVariable::CitationLabel
                | StandardVariable::Title
                | StandardVariable::TitleShort,
            ) => true,
            Variable::Standard(s) => self.fields.contains(&s.to_string()),
            Variable::Name(n) => self.fields.contains(&n.to_string()),
            Variable::Date(d) => self.fields.contains(&d.to_string()),
            Variable::Number(_) | Variable::Page(_) => true,
        }
    }
}

/// Cuts the tests for absent kinds and fields out of every layout and macro of `style`.
pub fn specialise(style: &mut IndependentStyle, present: &Present) {
    elements(&mut style.citation.layout.elements, present);
    if let Some(b) = &mut style.bibliography {
        elements(&mut b.layout.elements, present);
    }
    for m in &mut style.macros {
        elements(&mut m.children, present);
    }
}

fn elements(v: &mut [LayoutRenderingElement], present: &Present) {
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

fn choose(c: &mut Choose, present: &Present) {
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

/// The branch without its tests for absent kinds and fields, or `None` if it can never be
/// taken.
fn specialised(b: &ChooseBranch, present: &Present) -> Option<ChooseBranch> {
    if b.type_.is_none() && b.variable.is_none() {
        return Some(b.clone());
    }
    // Each listed value is one test; a test for an absent kind or field is always false.
    let types = b.type_.clone().unwrap_or_default();
    let vars = b.variable.clone().unwrap_or_default();
    let kept_types: Vec<Kind> = types
        .iter()
        .copied()
        .filter(|t| present.kinds.contains(t))
        .collect();
    let kept_vars: Vec<Variable> = vars
        .iter()
        .copied()
        .filter(|v| present.may_have(v))
        .collect();
    let other_tests = usize::from(b.disambiguate.is_some())
        + b.is_numeric.as_ref().map_or(0, Vec::len)
        + b.is_uncertain_date.as_ref().map_or(0, Vec::len)
        + b.locator.as_ref().map_or(0, Vec::len)
        + b.position.as_ref().map_or(0, Vec::len);
    let dropped = kept_types.len() < types.len() || kept_vars.len() < vars.len();
    let mut out = b.clone();
    match b.match_ {
        // One false test makes the branch false.
        ChooseMatch::All if dropped => return None,
        ChooseMatch::All => {}
        // False tests change nothing, as long as some test is left.
        ChooseMatch::Any | ChooseMatch::None => {
            if kept_types.is_empty() && kept_vars.is_empty() && other_tests == 0 {
                // Any of only false tests: never; none of them: always, left as it is.
                return (b.match_ == ChooseMatch::None).then_some(out);
            }
            out.type_ = (!kept_types.is_empty()).then_some(kept_types);
            out.variable = (!kept_vars.is_empty()).then_some(kept_vars);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let present = Present {
            kinds: [Kind::Book, Kind::Report].into(),
            fields: ["DOI".to_string()].into(),
        };
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
        // A field no work has is a false test like an absent kind.
        let mut url = branch(&[Kind::Book], ChooseMatch::Any, false);
        url.variable = Some(vec![Variable::Standard(StandardVariable::URL)]);
        assert_eq!(
            specialised(&url, &present).map(|b| (b.type_, b.variable)),
            Some((Some(vec![Kind::Book]), None))
        );
        url.type_ = None;
        assert_eq!(specialised(&url, &present), None);
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
