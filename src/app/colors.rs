//! Colours: one per key (so a key is recognisable across partitions and strips), one per group
//! and per consumer. Hues are spread by the golden angle; lightness suits both themes.

/// CSS colour of a key id; null keys are grey.
pub fn key_color(key: Option<u32>) -> String {
    match key {
        None => "#8a94a6".to_string(),
        Some(k) => {
            let hue = (k as f64 * 137.508) % 360.0;
            format!("hsl({hue:.0} 62% 52%)")
        }
    }
}

/// Colour of the i-th group or consumer.
pub fn series_color(i: usize) -> String {
    const PALETTE: [&str; 8] = [
        "#2b6cb0", "#c05621", "#2f855a", "#b83280", "#6b46c1", "#0987a0", "#b7791f", "#c53030",
    ];
    PALETTE[i % PALETTE.len()].to_string()
}
