//! A small line chart of a history (lag over time), in SVG.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::decimal::fixed;
use crate::app::format;

#[derive(Properties, PartialEq)]
pub struct SparklineProps {
    pub values: Rc<Vec<u64>>,
    pub interval_ms: u64,
    pub color: AttrValue,
    pub label: AttrValue,
}

const W: f64 = 180.0;
const H: f64 = 36.0;

#[component]
pub fn Sparkline(props: &SparklineProps) -> Html {
    let v = &props.values;
    let max = v.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = v.len().max(2);
    let points: String = v
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let x = i as f64 / (n - 1) as f64 * W;
            let y = H - 2.0 - (y as f64 / max) * (H - 4.0);
            format!("{},{} ", fixed(x, 1), fixed(y, 1))
        })
        .collect();
    let span_s = v.len() as u64 * props.interval_ms / 1000;
    let aria = format!(
        "{}: last {} s, now {}, peak {}",
        props.label,
        span_s,
        format::count(v.last().copied().unwrap_or(0)),
        format::count(max as u64)
    );
    html! {
        <svg class="sparkline" viewBox={format!("0 0 {} {}", W as u32, H as u32)} width={(W as u32).to_string()} height={(H as u32).to_string()} role="img" aria-label={aria} preserveAspectRatio="none">
            <polyline points={points} fill="none" stroke={props.color.clone()} stroke-width="2" vector-effect="non-scaling-stroke" />
        </svg>
    }
}
