//! druk: a publishing pipeline from Markdown sources to EPUB 3 and print PDF.

pub mod diag;
pub mod lang;
pub mod load;
pub mod model;
pub mod parse;
pub mod source;
pub mod typeset;
