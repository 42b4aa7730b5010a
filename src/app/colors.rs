//! Colours: one per key (so a key is recognisable across partitions and strips), one per group
//! and per consumer. Hues are spread by the golden angle; lightness suits both themes.

use std::cell::OnceCell;

use wasm_bindgen::JsValue;

/// Distinct key colours; keys beyond share them (the golden angle keeps neighbours apart).
const KEY_COLORS: usize = 360;

thread_local! {
    static PALETTE: OnceCell<Vec<String>> = const { OnceCell::new() };
    static STYLES: OnceCell<Vec<JsValue>> = const { OnceCell::new() };
}

/// Colour of null keys.
const NULL_KEY_COLOR: &str = "#8a94a6";

/// CSS colour of a key id; null keys are grey. Strings are built once, not per cell and frame.
pub fn with_key_color<R>(key: Option<u32>, f: impl FnOnce(&str) -> R) -> R {
    match key {
        None => f(NULL_KEY_COLOR),
        Some(k) => PALETTE.with(|p| {
            let p = p.get_or_init(|| {
                (0..KEY_COLORS)
                    .map(|i| format!("hsl({} 62% 52%)", (i as u64 * 137_508 + 500) / 1000 % 360))
                    .collect()
            });
            f(&p[k as usize % KEY_COLORS])
        }),
    }
}

/// The same colour as a JS string made once (index 0 for null keys): a canvas given it as
/// `fillStyle` takes it as is, where a `&str` is decoded from UTF-8 again on every call, for
/// every cell of every strip of every frame.
pub fn with_key_style<R>(key: Option<u32>, f: impl FnOnce(&JsValue) -> R) -> R {
    STYLES.with(|s| {
        let s = s.get_or_init(|| {
            std::iter::once(JsValue::from_str(NULL_KEY_COLOR))
                .chain((0..KEY_COLORS as u32).map(|k| with_key_color(Some(k), JsValue::from_str)))
                .collect()
        });
        f(&s[key.map_or(0, |k| 1 + k as usize % KEY_COLORS)])
    })
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
