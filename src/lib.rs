//! druk: a publishing pipeline from Markdown sources to EPUB 3 and print PDF.

pub mod pdf;
pub mod typeset;
