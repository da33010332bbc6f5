//! The terminal: image protocols, detection, the text renderer, and a guard that puts
//! the terminal back as it was on every way out.

pub mod detect;
pub mod guard;
pub mod images;
pub mod text;

pub use detect::Protocol;
