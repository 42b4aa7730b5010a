//! Decimal numbers for the page, written and read with integer arithmetic.
//!
//! Why not `format!("{:.1}", x)` and `str::parse::<f64>`: the standard library's float printing
//! (Grisu with a Dragon fallback) and parsing (Eisel-Lemire with its 10 KB table of powers of
//! five) are exact for every `f64` and cost ~25 KB of wasm that every visitor downloads. The page
//! shows a few digits of rates and averages and reads percentages and milliseconds typed into
//! forms, so rounding to a fixed number of places and exact decimal input up to 15 significant
//! digits is all it needs.

/// `x` rounded to `places` decimals (half away from zero), like `format!("{x:.places$}")` up to
/// ties. Non-finite values print as `–`.
pub fn fixed(x: f64, places: u32) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let scale = 10u64.pow(places.min(9));
    let n = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && n > 0 { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{n}");
    }
    let width = places.min(9) as usize;
    format!("{sign}{}.{:0width$}", n / scale, n % scale)
}

/// Like [`fixed`], without trailing zeros or a trailing point: `0.25`, `0.5`, `2`.
pub fn short(x: f64, places: u32) -> String {
    let s = fixed(x, places);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Powers of ten exact in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads a plain decimal (`12`, `-0.5`, `.25`, `+3.`); `None` for anything else, including
/// exponents and more than 15 significant digits, which no field here needs.
///
/// Exact: the digits form an integer below 2^53 and the result is that integer divided by a
/// power of ten below 10^22, both exact in `f64`, and IEEE division rounds correctly.
pub fn parse(text: &str) -> Option<f64> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut significant = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        if mantissa > 0 || b != b'0' {
            significant += 1;
        }
        mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if significant > 15 || frac.len() > 22 {
        return None;
    }
    let value = mantissa as f64 / POW10[frac.len()];
    Some(if negative { -value } else { value })
}
