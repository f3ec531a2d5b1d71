//! The citation style cut down to the kinds of works and the fields a book's library has.
//!
//! APA's style chooses what to print by the type of a work at almost every step
//! (`<if type="article-journal article-magazine …" match="any">`) and by which fields it has
//! (`<if variable="container-title">`), and hayagriva evaluates every listed value of every
//! branch it passes, for every citation, each time by parsing the work's type again or looking
//! the field up by its name. A library has a handful of types and fields: a test for a type or
//! a field no work has is always false, so it is left out, and a branch that can then never
//! be taken goes with it. A choice left with no branch that depends on the work (none can be
//! taken, or the first that can is always taken) is replaced by the elements it always
//! renders. What remains takes the same branches for every work of the book, so the output
//! is the same; only the evaluation is shorter.

use std::collections::HashSet;

use hayagriva::citationberg::taxonomy::{Kind, StandardVariable, Variable};
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, ElseBranch, IndependentStyle, LayoutRenderingElement,
    NamesChild,
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

fn elements(v: &mut Vec<LayoutRenderingElement>, present: &Present) {
    let mut out = Vec::with_capacity(v.len());
    for mut e in v.drain(..) {
        match &mut e {
            LayoutRenderingElement::Group(g) => elements(&mut g.children, present),
            LayoutRenderingElement::Names(n) => {
                for c in &mut n.children {
                    if let NamesChild::Substitute(s) = c {
                        elements(&mut s.children, present);
                    }
                }
            }
            LayoutRenderingElement::Choose(c) => {
                if let Some(taken) = choose(c, present) {
                    // A choice that always takes the same branch is that branch: a choice
                    // renders its branch's elements among its neighbours, with their
                    // delimiter, as if they stood there.
                    out.extend(taken);
                    continue;
                }
            }
            LayoutRenderingElement::Text(_)
            | LayoutRenderingElement::Date(_)
            | LayoutRenderingElement::Number(_)
            | LayoutRenderingElement::Label(_) => {}
        }
        out.push(e);
    }
    *v = out;
}

/// Cuts the branches of `c` that can never be taken and those after one that always is.
/// Returns the elements it always renders if that no longer depends on the work (those of
/// the `else`, or none, when no branch can be taken).
fn choose(c: &mut Choose, present: &Present) -> Option<Vec<LayoutRenderingElement>> {
    let mut kept: Vec<ChooseBranch> = Vec::new();
    let mut always: Option<Vec<LayoutRenderingElement>> = None;
    for b in std::iter::once(&c.if_).chain(&c.else_if) {
        match specialised(b, present) {
            Branch::Never => {}
            Branch::Sometimes(b) => kept.push(b),
            Branch::Always => {
                always = Some(b.children.clone());
                break;
            }
        }
    }
    let mut otherwise = match always {
        Some(children) => Some(children),
        None => c.otherwise.as_ref().map(|o| o.children.clone()),
    };
    if let Some(o) = &mut otherwise {
        elements(o, present);
    }
    if kept.is_empty() {
        return Some(otherwise.unwrap_or_default());
    }
    for b in &mut kept {
        elements(&mut b.children, present);
    }
    c.if_ = kept.remove(0);
    c.else_if = kept;
    match (&mut c.otherwise, otherwise) {
        (Some(o), Some(children)) => o.children = children,
        (None, Some(children)) => {
            // An always-taken branch becomes the `else`.
            c.otherwise = Some(ElseBranch { children });
        }
        _ => {}
    }
    None
}

/// What a branch comes to once the tests for absent kinds and fields are out.
#[derive(Debug, PartialEq)]
enum Branch {
    Never,
    Always,
    Sometimes(ChooseBranch),
}

/// The branch without its tests for absent kinds and fields: never taken, always taken
/// (every test it had is false and it asks for none of them), or still depending on the work.
fn specialised(b: &ChooseBranch, present: &Present) -> Branch {
    if b.type_.is_none() && b.variable.is_none() {
        return Branch::Sometimes(b.clone());
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
        ChooseMatch::All if dropped => return Branch::Never,
        ChooseMatch::All => {}
        // False tests change nothing, as long as some test is left.
        ChooseMatch::Any | ChooseMatch::None => {
            if kept_types.is_empty() && kept_vars.is_empty() && other_tests == 0 {
                // Any of only false tests: never; none of them: always.
                return match b.match_ {
                    ChooseMatch::None => Branch::Always,
                    _ => Branch::Never,
                };
            }
            out.type_ = (!kept_types.is_empty()).then_some(kept_types);
            out.variable = (!kept_vars.is_empty()).then_some(kept_vars);
        }
    }
    Branch::Sometimes(out)
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

    /// The branch's kept tests, if it still depends on the work.
    fn kept(b: Branch) -> Option<ChooseBranch> {
        match b {
            Branch::Sometimes(b) => Some(b),
            _ => None,
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
            kept(specialised(&any, &present)).and_then(|b| b.type_),
            Some(vec![Kind::Book])
        );
        // Any of only absent kinds: never taken.
        let never = branch(
            &[Kind::LegalCase, Kind::Legislation],
            ChooseMatch::Any,
            false,
        );
        assert_eq!(specialised(&never, &present), Branch::Never);
        // … unless another test can make it true.
        let with_variable = branch(&[Kind::LegalCase], ChooseMatch::Any, true);
        let b = kept(specialised(&with_variable, &present)).expect("kept");
        assert_eq!((b.type_, b.variable.is_some()), (None, true));
        // A field no work has is a false test like an absent kind.
        let mut url = branch(&[Kind::Book], ChooseMatch::Any, false);
        url.variable = Some(vec![Variable::Standard(StandardVariable::URL)]);
        assert_eq!(
            kept(specialised(&url, &present)).map(|b| (b.type_, b.variable)),
            Some((Some(vec![Kind::Book]), None))
        );
        url.type_ = None;
        assert_eq!(specialised(&url, &present), Branch::Never);
        // All: one absent kind makes it false.
        assert_eq!(
            specialised(
                &branch(&[Kind::Book, Kind::Map], ChooseMatch::All, false),
                &present
            ),
            Branch::Never
        );
        let all = branch(&[Kind::Book], ChooseMatch::All, false);
        assert_eq!(specialised(&all, &present), Branch::Sometimes(all.clone()));
        // None of only absent kinds is always true.
        let none = branch(&[Kind::Map], ChooseMatch::None, false);
        assert_eq!(specialised(&none, &present), Branch::Always);
        let none = branch(&[Kind::Map, Kind::Book], ChooseMatch::None, false);
        assert_eq!(
            kept(specialised(&none, &present)).and_then(|b| b.type_),
            Some(vec![Kind::Book])
        );
    }

    fn text(term: &str) -> LayoutRenderingElement {
        LayoutRenderingElement::Text(hayagriva::citationberg::Text {
            target: hayagriva::citationberg::TextTarget::Value {
                val: term.to_string(),
            },
            formatting: Default::default(),
            affixes: Default::default(),
            display: None,
            quotes: false,
            strip_periods: false,
            text_case: None,
        })
    }

    fn with(mut b: ChooseBranch, children: Vec<LayoutRenderingElement>) -> ChooseBranch {
        b.children = children;
        b
    }

    #[test]
    fn choices_that_no_longer_depend_on_the_work_become_their_branch() {
        let present = Present {
            kinds: [Kind::Book].into(),
            fields: HashSet::new(),
        };
        let choice = |if_, else_if, otherwise: Option<Vec<LayoutRenderingElement>>| {
            LayoutRenderingElement::Choose(Choose {
                if_,
                else_if,
                otherwise: otherwise.map(|children| ElseBranch { children }),
            })
        };
        let mut v = vec![
            text("a"),
            // No branch can be taken: the else.
            choice(
                with(
                    branch(&[Kind::Map], ChooseMatch::Any, false),
                    vec![text("map")],
                ),
                vec![],
                Some(vec![text("else")]),
            ),
            // None without an else: nothing.
            choice(
                with(
                    branch(&[Kind::Map], ChooseMatch::Any, false),
                    vec![text("map")],
                ),
                vec![],
                None,
            ),
            // The first branch that is always taken, after none that can be.
            choice(
                with(
                    branch(&[Kind::Map], ChooseMatch::Any, false),
                    vec![text("map")],
                ),
                vec![with(
                    branch(&[Kind::Map], ChooseMatch::None, false),
                    vec![text("always")],
                )],
                Some(vec![text("else")]),
            ),
            text("z"),
        ];
        elements(&mut v, &present);
        assert_eq!(v, vec![text("a"), text("else"), text("always"), text("z")]);

        // A branch that can be taken stays a choice; an always-taken one after it is its else.
        let mut v = vec![choice(
            with(
                branch(&[Kind::Book], ChooseMatch::Any, false),
                vec![text("book")],
            ),
            vec![
                with(
                    branch(&[Kind::Map], ChooseMatch::None, false),
                    vec![text("always")],
                ),
                with(
                    branch(&[Kind::Book], ChooseMatch::All, false),
                    vec![text("unreached")],
                ),
            ],
            Some(vec![text("else")]),
        )];
        elements(&mut v, &present);
        let [LayoutRenderingElement::Choose(c)] = &v[..] else {
            panic!("{v:?}");
        };
        assert_eq!(c.if_.children, vec![text("book")]);
        assert!(c.else_if.is_empty());
        assert_eq!(
            c.otherwise.as_ref().map(|o| o.children.clone()),
            Some(vec![text("always")])
        );
    }
}
