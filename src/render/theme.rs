//! The earlier tool's dark theme, and one line style per host: dash patterns first,
//! then darker shades of them, so up to 16 hosts stay apart and more cycle widths.

pub const FIGURE_BG: [u8; 3] = [0x00, 0x00, 0x00];
pub const PLOT_BG: [u8; 3] = [0x1a, 0x1a, 0x1a];
pub const GRID: [u8; 3] = [0x55, 0x55, 0x55];
pub const AXES: [u8; 3] = [0x88, 0x88, 0x88];
pub const TEXT: [u8; 3] = [0xff, 0xff, 0xff];
pub const DIM_TEXT: [u8; 3] = [0xaa, 0xaa, 0xaa];
pub const ERROR: [u8; 3] = [0xff, 0x40, 0x40];
pub const MISSING: [u8; 3] = [0xff, 0x80, 0x80];

/// Dash patterns in multiples of the line width; empty = solid.
const PATTERNS: [&[f32]; 8] = [
    &[],
    &[4.0, 2.5],
    &[4.0, 2.0, 0.5, 2.0],
    &[0.5, 2.0],
    &[8.0, 2.5],
    &[4.0, 2.0, 0.5, 2.0, 0.5, 2.0],
    &[8.0, 2.0, 2.5, 2.0],
    &[0.5, 4.0],
];

pub const PATTERN_NAMES: [&str; 8] = [
    "solid",
    "dashed",
    "dash-dot",
    "dotted",
    "long dash",
    "dash-dot-dot",
    "long-short",
    "sparse dots",
];

#[derive(Debug, Clone, PartialEq)]
pub struct HostStyle {
    /// Dash array in pixels for the given base width; empty = solid.
    pub dash: Vec<f32>,
    pub width: f32,
    /// How much of the metric colour is kept (1 = full, lower = darker shade).
    pub shade: f32,
}

pub fn host_style(i: usize, base_width: f32) -> HostStyle {
    let pattern = PATTERNS[i % PATTERNS.len()];
    let round = i / PATTERNS.len();
    let shade = if round.is_multiple_of(2) { 1.0 } else { 0.55 };
    // A third round and beyond also differ in width.
    let width = base_width * if round >= 2 { 1.6 } else { 1.0 };
    HostStyle {
        dash: pattern.iter().map(|d| d * width).collect(),
        width,
        shade,
    }
}

/// `c` darkened to `shade` of its brightness (blended towards the plot background).
pub fn shaded(c: [u8; 3], shade: f32) -> [u8; 3] {
    let mix = |a: u8, b: u8| (a as f32 * shade + b as f32 * (1.0 - shade)).round() as u8;
    [
        mix(c[0], PLOT_BG[0]),
        mix(c[1], PLOT_BG[1]),
        mix(c[2], PLOT_BG[2]),
    ]
}
