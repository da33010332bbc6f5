//! Puts frames somewhere: PNG files (an indexed encoding over the theme's fixed
//! palette), Sixel, the terminal protocols (`term`) and the desktop window (`window`).

pub mod palette;
pub mod png;
pub mod sixel;
pub mod term;
pub mod window;
