//! Fuzzes book text through load, parse, resolve, citations, EPUB and web edition.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        druk_fuzz::run(data, false);
    });
}
