//! One partition drawn as a strip of its newest records, coloured by key.
//!
//! Each cell stands for `per_cell` consecutive offsets: one record at low rates, a bucket at high
//! rates (then its opacity shows how full it is). Marks show the log start offset, the high
//! watermark and each group's committed offset; a committed offset left of the window is an
//! arrow at the left edge. Hovering a cell shows its records' offsets, key, producer id, epoch
//! and sequence numbers.

use brokerlab_engine::log::ControlType;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::app::{colors, PlaygroundContext};

/// Cells in a strip.
pub const CELLS: usize = 48;
const HEIGHT: f64 = 26.0;
/// Logical drawing width; CSS stretches the canvas to its column, so drawing never has to read
/// the layout (reading `clientWidth` every frame for every strip forced a reflow each time).
const WIDTH: f64 = 480.0;

#[derive(Clone, PartialEq)]
pub struct Mark {
    pub offset: i64,
    pub color: String,
    pub label: String,
}

#[derive(Properties, PartialEq)]
pub struct StripProps {
    pub topic: AttrValue,
    pub partition: u32,
    pub per_cell: u32,
    pub marks: Vec<Mark>,
    pub dark: bool,
}

/// (log start, last stable offset, high watermark, log end) of a partition in a snapshot.
fn offsets(snap: &brokerlab_engine::Snapshot, topic: &str, partition: u32) -> (i64, i64, i64, i64) {
    snap.topics
        .iter()
        .find(|t| t.name == topic)
        .and_then(|t| t.partitions.get(partition as usize))
        .map_or((0, 0, 0, 0), |p| {
            (
                p.log_start_offset,
                p.last_stable_offset,
                p.high_watermark,
                p.log_end_offset,
            )
        })
}

#[component]
pub fn PartitionStrip(props: &StripProps) -> Html {
    // The fast context: strips move every frame, unlike the panels around them.
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let (log_start, lso, high_watermark, log_end) =
        offsets(&state.snapshot, &props.topic, props.partition);
    let window_start = log_end - props.per_cell as i64 * CELLS as i64;
    let canvas = use_node_ref();
    let hover = use_state(|| None::<usize>);
    {
        let canvas = canvas.clone();
        let sim = state.sim.clone();
        let topic = props.topic.clone();
        let (partition, hw, end, per_cell, dark) = (
            props.partition,
            high_watermark,
            log_end,
            props.per_cell,
            props.dark,
        );
        let marks = props.marks.clone();
        let hovered = *hover;
        use_effect_with(
            (
                end,
                hw,
                lso,
                log_start,
                per_cell,
                marks.clone(),
                dark,
                hovered,
            ),
            move |_| {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    let cells = sim.borrow().strip(&topic, partition, end, CELLS, per_cell);
                    let offsets = Offsets {
                        log_start,
                        lso,
                        hw,
                        end,
                    };
                    draw(&el, &cells, offsets, per_cell, &marks, dark, hovered);
                }
            },
        );
    }
    let onmousemove = {
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(target) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlCanvasElement>().ok())
            else {
                return;
            };
            let w = target.client_width().max(1) as f64;
            let i = ((e.offset_x() as f64 / w) * CELLS as f64).floor() as usize;
            hover.set(Some(i.min(CELLS - 1)));
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let label = {
        let mut s = format!(
            "{}-{}: log start offset {}, high watermark {}, log end offset {}",
            props.topic, props.partition, log_start, high_watermark, log_end
        );
        for m in &props.marks {
            s.push_str(&format!(", {} {}", m.label, m.offset));
        }
        s
    };
    let tooltip = hover.and_then(|i| {
        let from = window_start + i as i64 * props.per_cell as i64;
        if from < log_start.max(0) || from >= log_end {
            return None;
        }
        let recs = state.sim.borrow().records(&props.topic, props.partition, from, 3.min(props.per_cell as usize));
        let first = recs.first()?.clone();
        let last_offset = (from + props.per_cell as i64 - 1).min(log_end - 1);
        let key = first.key.clone().map_or("null".to_string(), |k| format!("\"{k}\""));
        let head = if props.per_cell == 1 {
            format!("offset {}", first.offset)
        } else {
            format!("offsets {from} to {last_offset}")
        };
        let body = match first.control {
            Some(ControlType::Commit) => "COMMIT marker (control batch)".to_string(),
            Some(ControlType::Abort) => "ABORT marker (control batch)".to_string(),
            None => {
                let value = first.value.clone().unwrap_or_else(|| "null".into());
                let value: String = value.chars().take(40).collect();
                format!("key {key} · value {value}")
            }
        };
        let producer = if first.producer_id >= 0 {
            format!(
                "producer id {} · epoch {} · sequence {} · batch at {}",
                first.producer_id, first.producer_epoch, first.sequence, first.batch_base_offset
            )
        } else {
            format!("non-idempotent · batch at {}", first.batch_base_offset)
        };
        Some(html! {
            <div class="strip-tip" role="tooltip">
                <strong>{ head }</strong>
                <span>{ body }</span>
                <span class="muted">{ producer }</span>
                if let Some(p) = &first.producer { <span class="muted">{ format!("from {p}") }</span> }
            </div>
        })
    });
    html! {
        <div class="strip" role="img" aria-label={label}>
            <canvas ref={canvas} height={HEIGHT.to_string()} {onmousemove} {onmouseleave}></canvas>
            { tooltip.unwrap_or_default() }
        </div>
    }
}

/// The offsets a strip marks.
#[derive(Clone, Copy)]
struct Offsets {
    log_start: i64,
    lso: i64,
    hw: i64,
    end: i64,
}

fn draw(
    el: &HtmlCanvasElement,
    cells: &[brokerlab_engine::sim::snapshot::StripCell],
    offsets: Offsets,
    per_cell: u32,
    marks: &[Mark],
    dark: bool,
    hovered: Option<usize>,
) {
    let Offsets {
        log_start,
        lso,
        hw,
        end,
    } = offsets;
    let css_w = WIDTH;
    let dpr = 2.0;
    let (pw, ph) = ((css_w * dpr).round() as u32, (HEIGHT * dpr).round() as u32);
    if el.width() != pw {
        el.set_width(pw);
    }
    if el.height() != ph {
        el.set_height(ph);
    }
    let Some(ctx) = el
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, css_w, HEIGHT);
    let cw = css_w / CELLS as f64;
    let (empty, deleted, line) = if dark {
        ("#262c37", "#1a1f27", "#e6e9ef")
    } else {
        ("#e9ecf1", "#f4f5f7", "#1d2330")
    };
    let per = per_cell.max(1) as i64;
    let start = end - per * CELLS as i64;
    let top = 6.0;
    let h = HEIGHT - top - 2.0;
    for (i, c) in cells.iter().enumerate() {
        let x = i as f64 * cw;
        let w = (cw - 1.0).max(1.0);
        if let Some(ct) = c.control {
            // A transaction marker: a tall bar, green COMMIT or red ABORT.
            ctx.set_fill_style_str(if ct == ControlType::Commit {
                "#2f855a"
            } else {
                "#c53030"
            });
            ctx.fill_rect(x + w * 0.2, top - 4.0, (w * 0.6).max(2.0), h + 6.0);
            continue;
        }
        if c.records == 0 {
            ctx.set_fill_style_str(if c.offset + per <= log_start {
                deleted
            } else {
                empty
            });
            ctx.fill_rect(x, top, w, h);
            continue;
        }
        colors::with_key_color(c.key, |color| ctx.set_fill_style_str(color));
        ctx.set_global_alpha(if c.aborted {
            0.35
        } else {
            (0.35 + 0.65 * c.records as f64 / per as f64).min(1.0)
        });
        ctx.fill_rect(x, top, w, h);
        ctx.set_global_alpha(1.0);
        if c.open {
            // Open transaction: dashed outline until its marker arrives.
            let _ = ctx.set_line_dash(&js_sys::Array::of2(&2.0.into(), &2.0.into()));
            ctx.set_stroke_style_str(line);
            ctx.stroke_rect(x + 0.5, top + 0.5, w - 1.0, h - 1.0);
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        }
        if c.aborted {
            // Aborted: struck through, still there for read_uncommitted readers.
            ctx.set_stroke_style_str(line);
            ctx.set_line_width(1.5);
            ctx.begin_path();
            ctx.move_to(x, top + h / 2.0);
            ctx.line_to(x + w, top + h / 2.0);
            ctx.stroke();
            ctx.set_line_width(1.0);
        }
    }
    if let Some(i) = hovered {
        ctx.set_stroke_style_str(line);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(i as f64 * cw, top - 1.0, cw, h + 2.0);
        ctx.set_line_width(1.0);
    }
    let x_of = |o: i64| ((o - start) as f64 / per as f64) * cw;
    // Log start offset, when it is inside the window: a thin grey line.
    if log_start > start && log_start < end {
        ctx.set_fill_style_str(if dark { "#6b7485" } else { "#9aa3b2" });
        ctx.fill_rect(x_of(log_start) - 0.5, top, 1.0, h);
    }
    // Last stable offset, when an open transaction holds it below the high watermark.
    if lso < hw && lso > start {
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &2.0.into()));
        ctx.set_stroke_style_str("#b83280");
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(x_of(lso), 0.0);
        ctx.line_to(x_of(lso), HEIGHT);
        ctx.stroke();
        ctx.set_line_width(1.0);
        let _ = ctx.set_line_dash(&js_sys::Array::new());
    }
    // High watermark (below the log end once replication lags).
    if hw < end && hw > start {
        ctx.set_stroke_style_str(line);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(x_of(hw), 0.0);
        ctx.line_to(x_of(hw), HEIGHT);
        ctx.stroke();
        ctx.set_line_width(1.0);
    }
    for m in marks {
        ctx.set_fill_style_str(&m.color);
        if m.offset < start {
            // Left of the window: an arrow at the edge.
            ctx.begin_path();
            ctx.move_to(0.0, HEIGHT / 2.0 + 2.0);
            ctx.line_to(8.0, top);
            ctx.line_to(8.0, HEIGHT - 2.0);
            ctx.close_path();
            ctx.fill();
            continue;
        }
        let x = x_of(m.offset.min(end)).min(css_w - 2.0);
        ctx.fill_rect(x - 1.0, 0.0, 3.0, HEIGHT);
        ctx.begin_path();
        ctx.move_to(x - 5.0, 0.0);
        ctx.line_to(x + 5.0, 0.0);
        ctx.line_to(x, 6.0);
        ctx.close_path();
        ctx.fill();
    }
}
