//! The LaTeX that biblatex leaves in a BibTeX field, as plain Unicode text.
//!
//! biblatex already resolves accents (`\"o`, `{\"o}`, `\'e`, `\c{c}`), the letters `\ss`,
//! `\o`, `\ae`, `\l`, `\i` …, escaped characters (`\&`, `\%`, `\$`), dashes (`--`, `---`),
//! the `\text…` quotation marks and symbols, and protective braces (`{DNA}`). It passes every
//! other command through as `\name{argument}` or `\name `, and math as it is written. This
//! module does the rest: italic and bold commands and declarations (`\emph{…}`,
//! `\textbf{…}`, `{\em …}`) become the emphasis markers of [`super::rich`], other font
//! commands keep their words, `\url{…}` and `\href{…}{…}` their text, `~` becomes a no-break space, TeX's quote ligatures become quotation marks,
//! and math becomes text where a small table covers it (`$x^2$` → x², `$\alpha$` → α).
//! Any other command is left out and named, so that no `\foo` reaches the page.
//!
//! Everything here is a single pass with an explicit stack: the input decides how deeply
//! groups nest.

/// A field's text with the names of the commands that could not be converted.
#[derive(Debug, Default, PartialEq)]
pub struct Converted {
    pub text: String,
    pub unknown: Vec<String>,
}

/// Converts the chunks of a field as biblatex gives them.
pub fn chunks(chunks: &[biblatex::Spanned<biblatex::Chunk>]) -> Converted {
    let mut out = Converted::default();
    for c in chunks {
        match &c.v {
            biblatex::Chunk::Normal(s) | biblatex::Chunk::Verbatim(s) => {
                convert(s, false, &mut out)
            }
            biblatex::Chunk::Math(s) => convert(s, true, &mut out),
        }
    }
    out.text = tidy_spaces(&out.text);
    out
}

/// Converts a piece of text (a part of a name) as biblatex gives it.
pub fn text(s: &str) -> Converted {
    let mut out = Converted::default();
    convert(s, false, &mut out);
    out.text = tidy_spaces(&out.text);
    out
}

/// What happens when a group closes.
enum Closer {
    /// Nothing: the braces just go.
    Nothing,
    /// Put this text.
    Put(&'static str),
    /// Leave out what the group held (a URL whose text follows, a sorting key, a space).
    Drop(usize),
    /// What the group held, raised or lowered if every character can be.
    Script(usize, Script),
    /// The numerator of `\frac`: a slash follows it.
    Numerator,
}

#[derive(Clone, Copy)]
enum Script {
    Sup,
    Sub,
}

/// Commands whose argument is set in italics.
const ITALIC_ARGUMENT: &[&str] = &["emph", "textit", "textsl", "mkbibemph", "mkbibitalic"];
/// Commands whose argument is set in bold.
const BOLD_ARGUMENT: &[&str] = &["textbf", "mkbibbold"];
/// Declarations that set the rest of their group in italics or bold.
const ITALIC_DECLARATION: &[&str] = &["em", "it", "sl", "itshape", "slshape"];
const BOLD_DECLARATION: &[&str] = &["bf", "bfseries"];

/// Other font commands, and commands whose argument is kept as it is.
const KEEP_ARGUMENT: &[&str] = &[
    "textsc",
    "texttt",
    "textrm",
    "textsf",
    "textup",
    "textmd",
    "textnormal",
    "uppercase",
    "lowercase",
    "MakeUppercase",
    "MakeLowercase",
    "mbox",
    "hbox",
    "text",
    "url",
    "nolinkurl",
    "path",
    "foreignlanguage",
    "hyphenation",
    "mathrm",
    "mathit",
    "mathbf",
    "mathsf",
    "mathtt",
    "mathcal",
    "mathbb",
    "mathnormal",
    "operatorname",
    "boldsymbol",
    "bm",
];

/// Commands whose argument is not text.
const DROP_ARGUMENT: &[&str] = &[
    "href", "noopsort", "hspace", "vspace", "hskip", "vskip", "label", "index", "kern",
];

/// Font declarations (`{\em …}`, `{\bfseries …}`) and commands that print nothing.
const NOTHING: &[&str] = &[
    "sc",
    "rm",
    "sf",
    "tt",
    "up",
    "md",
    "scshape",
    "upshape",
    "mdseries",
    "normalfont",
    "rmfamily",
    "sffamily",
    "ttfamily",
    "relax",
    "protect",
    "newblock",
    "noindent",
    "nobreak",
    "/",
    "@",
    "!",
    "-",
    "left",
    "right",
    "big",
    "Big",
    "bigl",
    "bigr",
    "displaystyle",
    "textstyle",
];

/// Commands that print one character or a few, in text and in math.
fn symbol(name: &str, math: bool) -> Option<&'static str> {
    Some(match name {
        "ij" => "ĳ",
        "IJ" => "Ĳ",
        "j" => "ȷ",
        "ldots" | "dots" | "cdots" | "textellipsis" => "…",
        "euro" | "texteuro" | "EUR" => "€",
        "textdegree" | "degree" | "circ" if math || name != "circ" => "°",
        "texttimes" | "times" => "×",
        "textmu" => "µ",
        "textcopyright" => "©",
        "textperthousand" => "‰",
        "textonehalf" => "½",
        "textminus" => "−",
        "textpm" | "pm" => "±",
        "cdot" | "textperiodcentered" => "·",
        "," => "\u{202F}",
        ";" | ":" | " " | ">" | "quad" | "qquad" | "space" => " ",
        "\\" | "newline" | "linebreak" => " ",
        "%" => "%",
        "&" => "&",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "neq" | "ne" => "≠",
        "approx" => "≈",
        "sim" => "∼",
        "infty" => "∞",
        "to" | "rightarrow" => "→",
        "leftarrow" | "gets" => "←",
        "Rightarrow" => "⇒",
        "partial" => "∂",
        "in" => "∈",
        "prime" => "′",
        "ell" => "ℓ",
        "sqrt" => "√",
        "mid" => "|",
        "lbrace" | "{" => "{",
        "rbrace" | "}" => "}",
        "_" => "_",
        "#" => "#",
        "$" => "$",
        _ => return greek(name),
    })
}

fn greek(name: &str) -> Option<&'static str> {
    const GREEK: &[(&str, &str)] = &[
        ("alpha", "α"),
        ("beta", "β"),
        ("gamma", "γ"),
        ("delta", "δ"),
        ("epsilon", "ϵ"),
        ("varepsilon", "ε"),
        ("zeta", "ζ"),
        ("eta", "η"),
        ("theta", "θ"),
        ("vartheta", "ϑ"),
        ("iota", "ι"),
        ("kappa", "κ"),
        ("lambda", "λ"),
        ("mu", "μ"),
        ("nu", "ν"),
        ("xi", "ξ"),
        ("pi", "π"),
        ("varpi", "ϖ"),
        ("rho", "ρ"),
        ("varrho", "ϱ"),
        ("sigma", "σ"),
        ("varsigma", "ς"),
        ("tau", "τ"),
        ("upsilon", "υ"),
        ("phi", "ϕ"),
        ("varphi", "φ"),
        ("chi", "χ"),
        ("psi", "ψ"),
        ("omega", "ω"),
        ("Gamma", "Γ"),
        ("Delta", "Δ"),
        ("Theta", "Θ"),
        ("Lambda", "Λ"),
        ("Xi", "Ξ"),
        ("Pi", "Π"),
        ("Sigma", "Σ"),
        ("Upsilon", "Υ"),
        ("Phi", "Φ"),
        ("Psi", "Ψ"),
        ("Omega", "Ω"),
    ];
    GREEK.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

/// A character raised (`sup`) or lowered, where Unicode (and the house fonts) have it.
pub fn raise(c: char, sup: bool) -> Option<char> {
    scripted(c, if sup { Script::Sup } else { Script::Sub })
}

/// A character raised or lowered, where Unicode (and the house fonts) have it.
fn scripted(c: char, script: Script) -> Option<char> {
    const DIGITS_SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    const DIGITS_SUB: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    if let Some(d) = c.to_digit(10) {
        return Some(match script {
            Script::Sup => DIGITS_SUP[d as usize],
            Script::Sub => DIGITS_SUB[d as usize],
        });
    }
    let (from, to) = match script {
        Script::Sup => (
            "+-−=()abcdefghijklmnoprstuvwxyz ",
            "⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ ",
        ),
        Script::Sub => ("+-−=()aehijklmnoprstuvx ", "₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ "),
    };
    from.chars()
        .position(|f| f == c)
        .and_then(|i| to.chars().nth(i))
}

/// The command at the start of `rest` (after its backslash): a run of letters, or one other
/// character. Returns the name and the bytes it takes.
fn command_name(rest: &str) -> (&str, usize) {
    let letters = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters > 0 {
        return (&rest[..letters], letters);
    }
    match rest.chars().next() {
        Some(c) => (&rest[..c.len_utf8()], c.len_utf8()),
        None => ("", 0),
    }
}

fn convert(s: &str, math: bool, conv: &mut Converted) {
    let out = &mut conv.text;
    let mut closers: Vec<Closer> = Vec::new();
    // For the text outside any group and for every open group: the markers that close what
    // declarations (`\em`, `\bfseries`) opened in it, put where the group ends.
    let mut ends: Vec<String> = vec![String::new()];
    // A `^` or `_` waiting for the one character or group it applies to.
    let mut script: Option<Script> = None;
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        // The group or character a `^`/`_` applies to.
        if let Some(sc) = script.take() {
            match c {
                '{' => {
                    closers.push(Closer::Script(out.len(), sc));
                    ends.push(String::new());
                    i += 1;
                    continue;
                }
                '\\' => {
                    let (name, len) = command_name(&rest[1..]);
                    match (name, sc) {
                        ("prime", Script::Sup) => {
                            out.push('′');
                            i += 1 + len;
                        }
                        ("circ", Script::Sup) => {
                            out.push('°');
                            i += 1 + len;
                        }
                        // `^\alpha`: marked as plain text writes it; the command comes next.
                        _ => out.push(marker(sc)),
                    }
                    continue;
                }
                _ => {
                    match scripted(c, sc) {
                        Some(r) => out.push(r),
                        None => {
                            out.push(marker(sc));
                            out.push(c);
                        }
                    }
                    i += c.len_utf8();
                    continue;
                }
            }
        }
        match c {
            '\\' => {
                let (name, len) = command_name(&rest[1..]);
                i += 1 + len;
                if name.is_empty() {
                    continue;
                }
                // TeX skips the spaces after a command word; in math they are kept, as the
                // spacing TeX would put there.
                let word = name.bytes().all(|b| b.is_ascii_alphabetic());
                let mut after = i;
                if word && !math {
                    after += s[i..].bytes().take_while(|&b| b == b' ').count();
                }
                let has_arg = s[after..].starts_with('{');
                if has_arg {
                    i = after + 1;
                    let closer = match name {
                        "textsuperscript" | "textsu" => Closer::Script(out.len(), Script::Sup),
                        "textsubscript" => Closer::Script(out.len(), Script::Sub),
                        "enquote" | "mkbibquote" | "textquote" => {
                            out.push('“');
                            Closer::Put("”")
                        }
                        "sqrt" => {
                            out.push('√');
                            Closer::Nothing
                        }
                        "frac" | "tfrac" | "dfrac" => Closer::Numerator,
                        n if ITALIC_ARGUMENT.contains(&n) => {
                            out.push(super::rich::ITALIC.0);
                            Closer::Put("\u{206B}")
                        }
                        n if BOLD_ARGUMENT.contains(&n) => {
                            out.push(super::rich::BOLD.0);
                            Closer::Put("\u{206D}")
                        }
                        n if KEEP_ARGUMENT.contains(&n) => Closer::Nothing,
                        n if DROP_ARGUMENT.contains(&n) => Closer::Drop(out.len()),
                        n => {
                            match symbol(n, math) {
                                // `\ij{}`, `\euro{}`: the symbol and an empty group.
                                Some(sym) => out.push_str(sym),
                                None if NOTHING.contains(&n) => {}
                                None => unknown(&mut conv.unknown, n),
                            }
                            Closer::Nothing
                        }
                    };
                    closers.push(closer);
                    ends.push(String::new());
                } else {
                    i = after;
                    let declared = if ITALIC_DECLARATION.contains(&name) {
                        Some(super::rich::ITALIC)
                    } else if BOLD_DECLARATION.contains(&name) {
                        Some(super::rich::BOLD)
                    } else {
                        None
                    };
                    match symbol(name, math) {
                        Some(sym) => out.push_str(sym),
                        None if NOTHING.contains(&name) => {}
                        None if let Some((open, close)) = declared => {
                            out.push(open);
                            if let Some(end) = ends.last_mut() {
                                end.push(close);
                            }
                        }
                        None => unknown(&mut conv.unknown, name),
                    }
                }
                continue;
            }
            '{' => {
                closers.push(Closer::Nothing);
                ends.push(String::new());
            }
            '}' => match closers.pop() {
                None => {}
                Some(closer) => {
                    if ends.len() > 1
                        && let Some(end) = ends.pop()
                    {
                        out.push_str(&end);
                    }
                    close(closer, out, math);
                }
            },
            '^' if math => script = Some(Script::Sup),
            '_' if math => script = Some(Script::Sub),
            '~' => out.push('\u{A0}'),
            '`' if rest.starts_with("``") => {
                out.push('“');
                i += 1;
            }
            '`' => out.push('‘'),
            '\'' if rest.starts_with("''") => {
                out.push('”');
                i += 1;
            }
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    // A group left open (a `{` whose `}` went missing) keeps what it held; a pending `^`
    // keeps its mark; what declarations opened is closed.
    if let Some(sc) = script {
        out.push(marker(sc));
    }
    while let Some(closer) = closers.pop() {
        if ends.len() > 1
            && let Some(end) = ends.pop()
        {
            out.push_str(&end);
        }
        close(closer, out, math);
    }
    while let Some(end) = ends.pop() {
        out.push_str(&end);
    }
}

/// What a closing brace does for the group it closes.
fn close(closer: Closer, out: &mut String, math: bool) {
    match closer {
        Closer::Nothing => {}
        Closer::Put(text) => out.push_str(text),
        Closer::Drop(at) => out.truncate(at),
        Closer::Numerator => out.push('/'),
        Closer::Script(at, sc) => {
            let held: Option<String> = out[at..].chars().map(|c| scripted(c, sc)).collect();
            match held {
                Some(raised) => {
                    out.truncate(at);
                    out.push_str(&raised);
                }
                // Not every character has a raised form: the text stays as it is,
                // marked the way plain text writes it.
                None if math => out.insert(at, marker(sc)),
                None => {}
            }
        }
    }
}

fn marker(script: Script) -> char {
    match script {
        Script::Sup => '^',
        Script::Sub => '_',
    }
}

fn unknown(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// Spaces doubled or left at the ends where commands were taken out.
fn tidy_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The emphasis markers as `*italic*` and `**bold**`.
    pub(crate) fn marked(s: &str) -> String {
        s.replace(['\u{206A}', '\u{206B}'], "*")
            .replace(['\u{206C}', '\u{206D}'], "**")
    }

    /// A title as biblatex reads it, then converted, with its emphasis marked.
    fn title(tex: &str) -> (String, Vec<String>) {
        let src = format!("@book{{k, title = {{{tex}}}}}");
        let bib = biblatex::Bibliography::parse(&src).expect("biblatex reads it");
        let c = chunks(bib.get("k").and_then(|e| e.get("title")).expect("a title"));
        (marked(&c.text), c.unknown)
    }

    /// What biblatex 0.12 converts itself, so that a change in it is noticed here.
    #[test]
    fn biblatex_resolves_accents_letters_escapes_and_dashes() {
        let verbatim = |tex: &str| {
            let src = format!("@book{{k, title = {{{tex}}}}}");
            let bib = biblatex::Bibliography::parse(&src).unwrap();
            biblatex::ChunksExt::format_verbatim(bib.get("k").unwrap().get("title").unwrap())
        };
        assert_eq!(verbatim(r#"\"o {\"o} \'e \c{c} \v{s} \~n"#), "ö ö é ç š ñ");
        assert_eq!(verbatim(r"\ss \o \ae \L{} \AA"), "ßøæŁ Å");
        assert_eq!(verbatim(r"A \& B -- C --- D"), "A & B – C — D");
        assert_eq!(verbatim(r"{DNA} and {RNA}"), "DNA and RNA");
        // What it leaves: commands, ties, quote ligatures and math.
        assert_eq!(verbatim(r"\emph{Nature}"), r"\emph{Nature}");
        assert_eq!(verbatim(r"{\em Nature}"), r"\em Nature");
        assert_eq!(verbatim(r"a~b ``c''"), "a~b ``c''");
        assert_eq!(verbatim(r"$x^2$"), "$x^2$");
        assert_eq!(verbatim(r"\ij"), r"\ij ");
    }

    #[test]
    fn the_rest_of_latex_becomes_text() {
        for (tex, want) in [
            (
                r"\emph{Nature} and \textit{it} and \textbf{bold}",
                "*Nature* and *it* and **bold**",
            ),
            (r"{\em Nature} rest", "*Nature* rest"),
            (r"{\it x} {\bf y} {\sc z} {\itshape w}", "*x* **y** z *w*"),
            (r"A {\em B \textbf{C} D} E", "A *B **C** D* E"),
            (r"\emph{\textbf{nested} words}", "***nested** words*"),
            (
                r"$x^2$ and $\alpha$-decay and $H_2O$",
                "x² and α-decay and H₂O",
            ),
            (
                r"$E=mc^2$, $10^{-3}$, $x_{ij}$, $\beta^{\prime}$",
                "E=mc², 10⁻³, xᵢⱼ, β^′",
            ),
            (
                r"$\leq 5\times 10^{3}$ $\sqrt{2}$ $\frac{1}{2}$",
                "≤ 5× 10³ √2 1/2",
            ),
            (r"$37^\circ$C", "37°C"),
            (r"\url{https://example.org/a_b}", "https://example.org/a_b"),
            (r"\href{https://example.org}{de site}", "de site"),
            (r"A \& B -- C --- D~E", "A & B – C — D\u{a0}E"),
            (r"``Opvoeden'' in `t dorp", "“Opvoeden” in ‘t dorp"),
            (
                r#"\"o {\"o} \'e \c{c} \ss\ \o\ \ij\ {\ij}s \IJ{}mond"#,
                "ö ö é ç ß ø ĳ ĳs Ĳmond",
            ),
            (
                r"2\textsuperscript{nd} ed. CO\textsubscript{2}",
                "2ⁿᵈ ed. CO₂",
            ),
            (r"\enquote{Wat werkt?}", "“Wat werkt?”"),
            (r"{\noopsort{b}}Van Dam", "Van Dam"),
            (
                r"\emph{Title with \emph{Species} inside}",
                "*Title with *Species* inside*",
            ),
            (
                r"Proc.\ of 10\,000 \texteuro{} \ldots",
                "Proc. of 10\u{202f}000 € …",
            ),
            (r"{DNA} repair", "DNA repair"),
        ] {
            assert_eq!(title(tex), (want.to_string(), vec![]), "{tex}");
        }
    }

    #[test]
    fn unknown_commands_are_named_and_never_printed() {
        assert_eq!(
            title(r"\foo{bar} en \baz qux"),
            (
                "bar en qux".to_string(),
                vec!["foo".to_string(), "baz".to_string()]
            )
        );
        assert_eq!(
            title(r"$\aleph_0$"),
            ("₀".to_string(), vec!["aleph".to_string()])
        );
    }

    #[test]
    fn deep_groups_and_loose_braces_do_not_recurse_or_panic() {
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        assert_eq!(text(&deep).text, "x");
        assert_eq!(text("}}} a {{ b").text, "a b");
        assert_eq!(text("\\").text, "");
        assert_eq!(marked(&text("\\emph{open").text), "*open*");
        assert_eq!(marked(&text("{\\bf open").text), "**open**");
        let mut math = Converted::default();
        convert("x^", true, &mut math);
        assert_eq!(math.text, "x^");
    }
}
