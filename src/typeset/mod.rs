//! The print engine: a flow of styled blocks in, positioned pages out.
//!
//! It imports nothing from the other stages so that it can be tested on its own.

pub mod flow;
pub mod hyphenate;
pub mod linebreak;
pub mod fonts;
pub mod shape;
pub mod document;
pub mod report;
mod context;
mod frag;
mod paragraph;
mod pagebuild;
