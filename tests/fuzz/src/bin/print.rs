//! Fuzzes book text through every stage, both PDFs included.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        druk_fuzz::run(data, true);
    });
}
