//! The fuzzer's seeds and every input it ever found a crash or hang with (tests/fuzz/found),
//! run again on each test run, without AFL++: a crash fixed once stays fixed.

#[path = "../fuzz/src/lib.rs"]
mod book;

use crate::common::*;

#[test]
fn every_seed_and_every_input_that_once_failed_goes_through() {
    let mut inputs: Vec<std::path::PathBuf> = ["tests/fuzz/seeds", "tests/fuzz/found"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "book"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "{inputs:?}");
    for (i, path) in inputs.iter().enumerate() {
        let data = std::fs::read(path).unwrap();
        // Every fourth one through the PDFs too: they are the slow part.
        let print = i % 4 == 0 || path.parent().is_some_and(|p| p.ends_with("found"));
        let result = std::panic::catch_unwind(|| book::run(&data, print));
        assert!(result.is_ok(), "{} panicked", path.display());
    }
}
