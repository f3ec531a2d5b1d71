//! Error fixtures: tests/errors/<name>/book is a broken book; `expected` holds the command line,
//! the exit code and the exact short diagnostics.
//!
//! ```text
//! args: check --message-format short
//! exit: 1
//! ---
//! book/h/01.md:5:5: error: unknown label @sec-balansmodl (did you mean @sec-balansmodel?)
//! ```

use crate::common::*;

fn check_error_fixture(name: &str) {
    let dir = root().join("tests/errors").join(name);
    let spec_path = dir.join("expected");
    let spec = std::fs::read_to_string(&spec_path).unwrap_or_default();
    let (head, _) = spec
        .split_once("---\n")
        .unwrap_or(("args: check --message-format short\nexit: 1\n", ""));
    let args: Vec<String> = head
        .lines()
        .find_map(|l| l.strip_prefix("args: "))
        .unwrap_or("check --message-format short")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let o = run(druk().current_dir(&dir).args(&args).arg("book"));
    let code = o.status.code().unwrap_or(-1);
    let actual = format!(
        "args: {}\nexit: {code}\n---\n{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    golden(&spec_path, &actual);
    assert!(
        code == 0 || code == 1,
        "content problems exit with 1, not {code}"
    );
}

macro_rules! error_fixtures {
    ($($name:ident => $dir:literal),* $(,)?) => {
        $(#[test] fn $name() { check_error_fixture($dir); })*
        const LISTED: &[&str] = &[$($dir),*];
    };
}

/// A fixture folder that is not listed above would never be checked.
#[test]
fn every_error_fixture_is_listed() {
    let mut missing: Vec<String> = std::fs::read_dir(root().join("tests/errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            root()
                .join("tests/errors")
                .join(n)
                .join("expected")
                .is_file()
        })
        .filter(|n| !LISTED.contains(&n.as_str()))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "add these to error_fixtures!: {missing:?}"
    );
}

error_fixtures! {
    unknown_label_suggests_the_near_label => "unknown-label",
    duplicate_label_points_at_both => "duplicate-label",
    missing_spelled_out_number_names_the_nearest => "missing-number",
    unknown_key_in_book_yaml => "unknown-key",
    unknown_key_in_a_chapter_entry => "unknown-chapter-key",
    missing_chapter_file_suggests_a_name => "missing-chapter",
    path_escaping_the_book_folder => "path-escape",
    malformed_yaml => "malformed-yaml",
    wrong_type_in_book_yaml => "wrong-type",
    bad_isbn_check_digit => "bad-isbn",
    ill_formed_raw_html => "raw-html",
    invalid_utf8_in_a_chapter => "invalid-utf8",
    all_problems_are_reported_together => "many-problems",
    table_too_wide_for_the_page_is_refused => "table-too-wide",
    syntax_of_other_tools_is_refused_at_its_place => "foreign-syntax",
    an_unclosed_div_and_a_stray_fence => "unclosed-div",
    pandoc_constructs_druk_does_not_implement => "pandoc-unsupported",
    unknown_citation_key_suggests_the_near_key => "unknown-citation",
    malformed_bibliography_file => "malformed-bibliography",
    missing_bibliography_file => "missing-bibliography",
    malformed_bibliography_entry => "malformed-entry",
    duplicate_reference_points_at_the_second_definition => "duplicate-reference",
    date_range_is_printed_as_its_first_date => "date-range",
    unused_reference_is_a_warning => "unused-reference",
    yaml_mapping_without_references_says_what_was_expected => "bibliography-without-references",
    pandoc_and_zotero_bibliographies_are_read => "pandoc-bibliography",
    dates_outside_0_to_9999_are_located_errors => "date-out-of-range",
    bibtex_crossref_and_string_cycles_are_located_errors => "bibtex-cycle",
    bibtex_latex_that_cannot_be_converted_is_named => "bibtex-latex",
    content_below_the_text_area_is_refused_at_its_line_and_page => "below-text-area",
    svg_with_a_script_is_refused_at_its_line => "svg-script",
    transparent_svg_is_refused_for_print => "svg-transparent",
    image_too_large_to_decode_is_refused_from_its_header => "image-too-large",
    gif_is_refused_at_its_line => "gif-image",
    byte_order_marks_are_accepted_with_positions_after_them => "bom",
    a_byte_order_mark_before_the_first_key_of_book_yaml => "bom-yaml",
    book_yaml_numbers_out_of_range => "number-ranges",
    book_yaml_numbers_out_of_range_in_block_style => "number-ranges-2",
    a_folder_listed_as_a_chapter => "chapter-folder",
    a_single_path_where_a_list_belongs => "not-a-list",
    a_file_listed_twice_is_shown_where_it_is_listed_again => "listed-twice",
    a_destination_with_a_space_is_text_and_a_warning => "spaced-destination",
    images_are_judged_by_their_bytes => "bad-images",
    links_that_lead_nowhere_are_errors => "broken-links",
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_book_folder_is_refused() {
    let dir = scratch("symlink-escape");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(dir.join("geheim.md"), "# Geheim\n").unwrap();
    std::os::unix::fs::symlink(dir.join("geheim.md"), book.join("link.md")).unwrap();
    std::fs::write(book.join("book.yaml"), "title: T\nchapters: [link.md]\n").unwrap();
    let o = run(druk()
        .current_dir(&dir)
        .args(["check", "--message-format", "short", "book"]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "book/book.yaml:2:12: error: `link.md` is a link to a file outside the book folder (copy the file into the book folder instead of linking to it)\n"
    );
}

#[test]
fn a_failed_build_keeps_the_previous_output() {
    let dir = scratch("keep-previous");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Bewaard\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(book.join("h/01.md"), "# Een\n\nGoed.\n").unwrap();
    let out = dir.join("out");
    let epub = build_epub(&book, &out);
    let before = std::fs::read(&epub).unwrap();
    std::fs::write(book.join("h/01.md"), "# Een\n\nZie @sec-nergens.\n").unwrap();
    let o = run(druk().args(["build", "-o"]).arg(&out).arg(&book));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&epub).unwrap(),
        before,
        "the previous EPUB is untouched"
    );
    assert_eq!(
        outputs(&out),
        ["bewaard.epub"],
        "no temporary files are left"
    );
}

#[test]
fn json_diagnostics_for_ci() {
    let dir = root().join("tests/errors/many-problems");
    let o = run(druk()
        .current_dir(&dir)
        .args(["check", "--message-format", "json", "book"]));
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["code"], "unknown-label");
    assert_eq!(lines[1]["file"], "book/h/01.md");
    assert_eq!(lines[1]["line"], 7);
    assert_eq!(lines[1]["column"], 5);
    assert_eq!(lines[1]["help"], "did you mean @sec-a?");
    assert_eq!(lines[3]["severity"], "warning");
}

#[test]
fn warnings_fail_only_under_deny_warnings() {
    let dir = root().join("tests/errors/missing-number");
    let o = run(druk().current_dir(&dir).args(["check", "book"]));
    assert_eq!(o.status.code(), Some(0));
    let o = run(druk()
        .current_dir(&dir)
        .args(["check", "--deny-warnings", "book"]));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn human_diagnostics_show_the_line_and_a_caret() {
    let dir = root().join("tests/errors/unknown-label");
    let o = run(druk().current_dir(&dir).args(["check", "book"]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("error[unknown-label]: unknown label @sec-balansmodl"),
        "{err}"
    );
    assert!(err.contains("┌─ book/h/01.md:5:5"), "{err}");
    assert!(err.contains("Zie @sec-balansmodl voor het model."), "{err}");
    assert!(err.contains("^^^^^^^^^^^^^^^"), "{err}");
    assert!(
        err.contains("help: did you mean @sec-balansmodel?"),
        "{err}"
    );
}

#[test]
fn unused_references_can_be_allowed() {
    let dir = root().join("tests/errors/unused-reference");
    let o = run(druk().current_dir(&dir).args([
        "check",
        "--deny-warnings",
        "--allow-unused-references",
        "book",
    ]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("never cited"), "{err}");
}
