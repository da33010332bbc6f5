//! Puts frames somewhere: PNG files (an indexed encoding over the theme's fixed
//! palette). Terminal protocols and the window come in their own modules.

pub mod palette;
pub mod png;
pub mod sixel;
pub mod term;
