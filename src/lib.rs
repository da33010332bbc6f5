//! traffic_grapher: live graphs of Apache Traffic Server metrics.
//!
//! Samples flow one way: `source` reads raw records per host, `history` keeps them and
//! derives the plotted series, `render` paints a page into pixels, `display` puts the
//! pixels somewhere, and `app` owns time, keys and the current page.

pub mod app;
pub mod cli;
pub mod dashboard;
pub mod display;
pub mod history;
pub mod render;
pub mod source;
