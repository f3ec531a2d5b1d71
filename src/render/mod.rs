//! render: the resolved book as output files. Each renderer reads the same [`crate::resolve::Book`].

pub mod epub;
pub mod html;
pub mod print;
pub mod xhtml;
