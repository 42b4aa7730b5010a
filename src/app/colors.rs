//! Colours: one per key (so a key is recognisable across partitions and strips), one per group
//! and per consumer. Hues are spread by the golden angle; lightness suits both themes.

use std::cell::OnceCell;

/// Distinct key colours; keys beyond share them (the golden angle keeps neighbours apart).
const KEY_COLORS: usize = 360;

thread_local! {
    static PALETTE: OnceCell<Vec<String>> = const { OnceCell::new() };
}

/// CSS colour of a key id; null keys are grey. Strings are built once, not per cell and frame.
pub fn with_key_color<R>(key: Option<u32>, f: impl FnOnce(&str) -> R) -> R {
    match key {
        None => f("#8a94a6"),
        Some(k) => PALETTE.with(|p| {
            let p = p.get_or_init(|| {
                (0..KEY_COLORS)
                    .map(|i| format!("hsl({:.0} 62% 52%)", (i as f64 * 137.508) % 360.0))
                    .collect()
            });
            f(&p[k as usize % KEY_COLORS])
        }),
    }
}

pub fn key_color(key: Option<u32>) -> String {
    with_key_color(key, str::to_string)
}

/// Colour of the i-th group or consumer.
pub fn series_color(i: usize) -> String {
    const PALETTE: [&str; 8] = [
        "#2b6cb0", "#c05621", "#2f855a", "#b83280", "#6b46c1", "#0987a0", "#b7791f", "#c53030",
    ];
    PALETTE[i % PALETTE.len()].to_string()
}
