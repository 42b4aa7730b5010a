//! One partition drawn as a strip of its newest records, coloured by key.
//!
//! Each cell stands for `per_cell` consecutive offsets: one record at low rates, a bucket at high
//! rates (then its opacity shows how full it is). Marks show the log start offset, the high
//! watermark, each follower's log end offset (ticks under the strip, orange when out of sync)
//! and each group's committed offset; a committed offset left of the window is an arrow at the
//! left edge. Segment boundaries are notches, the active segment is underlined once there are
//! several. Records that retention or the cleaner remove fade out where they were; offsets
//! compaction emptied stay as hollow cells. Hovering a cell shows its records' offsets, key,
//! producer id, epoch and sequence numbers; so do a tap on it, and, with the strip focused, the
//! arrow keys (Home and End for the oldest and newest record), spoken as they move.

use brokerlab_engine::view::ControlType;
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

/// (log start, last stable offset, high watermark, log end) of a partition in a snapshot, and
/// its followers' (broker, log end offset, in sync).
fn offsets(snap: &brokerlab_engine::Snapshot, topic: &str, partition: u32) -> (Bounds, Followers) {
    snap.topics
        .iter()
        .find(|t| t.name == topic)
        .and_then(|t| t.partitions.get(partition as usize))
        .map_or(((0, 0, 0, 0), Vec::new()), |p| {
            (
                (
                    p.log_start_offset,
                    p.last_stable_offset,
                    p.high_watermark,
                    p.log_end_offset,
                ),
                p.replica_states
                    .iter()
                    .filter(|r| !r.leader)
                    .map(|r| (r.broker, r.log_end_offset, r.in_isr))
                    .collect(),
            )
        })
}

/// (log start, last stable offset, high watermark, log end).
type Bounds = (i64, i64, i64, i64);
/// Followers' (broker, log end offset, in sync).
type Followers = Vec<(i32, i64, bool)>;

/// How long removed records take to fade out, in simulated ms.
const FADE_MS: u64 = 1_500;

/// What a strip remembers between draws to fade out records that vanished.
#[derive(Default)]
struct Memory {
    cells: Vec<brokerlab_engine::view::StripCell>,
    per_cell: u32,
    /// (offset, key, when it vanished).
    vanishing: Vec<(i64, Option<u32>, u64)>,
}

impl Memory {
    /// Notes cells that held records before and hold none now (same offsets), and forgets
    /// fades that are over.
    fn update(&mut self, cells: &[brokerlab_engine::view::StripCell], per_cell: u32, now: u64) {
        self.vanishing
            .retain(|v| now.saturating_sub(v.2) < FADE_MS && v.2 <= now);
        if self.per_cell == per_cell {
            for old in self
                .cells
                .iter()
                .filter(|c| c.records > 0 && c.control.is_none())
            {
                if let Some(new) = cells.iter().find(|c| c.offset == old.offset) {
                    if new.records == 0 && new.control.is_none() {
                        self.vanishing.push((old.offset, old.key, now));
                    }
                }
            }
        }
        self.cells = cells.to_vec();
        self.per_cell = per_cell;
    }
}

#[component]
pub fn PartitionStrip(props: &StripProps) -> Html {
    // The fast context: strips move every frame, unlike the panels around them.
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let ((log_start, lso, high_watermark, log_end), followers) =
        offsets(&state.snapshot, &props.topic, props.partition);
    let memory = use_mut_ref(Memory::default);
    let now = state.snapshot.time;
    // Redraw as fades progress, and only then.
    let fade_tick = if memory.borrow().vanishing.is_empty() {
        0
    } else {
        now / 50 + 1
    };
    let window_start = log_end - props.per_cell as i64 * CELLS as i64;
    let canvas = use_node_ref();
    let hover = use_state(|| None::<usize>);
    {
        let canvas = canvas.clone();
        let sim = state.timeline.clone();
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
        let memory = memory.clone();
        let followers = followers.clone();
        use_effect_with(
            (
                (end, hw, lso, log_start),
                per_cell,
                marks.clone(),
                followers.clone(),
                dark,
                hovered,
                fade_tick,
            ),
            move |_| {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    let cells = sim
                        .borrow()
                        .sim()
                        .strip(&topic, partition, end, CELLS, per_cell);
                    let mut memory = memory.borrow_mut();
                    memory.update(&cells, per_cell, now);
                    let fading: Vec<(i64, Option<u32>, f64)> = memory
                        .vanishing
                        .iter()
                        .map(|&(o, k, at)| {
                            (o, k, 1.0 - now.saturating_sub(at) as f64 / FADE_MS as f64)
                        })
                        .collect();
                    let offsets = Offsets {
                        log_start,
                        lso,
                        hw,
                        end,
                    };
                    let extras = Extras {
                        followers: &followers,
                        fading: &fading,
                    };
                    draw(
                        &el, &cells, offsets, per_cell, &marks, dark, hovered, extras,
                    );
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
    // A tap picks the cell under it, as hovering does.
    let onclick = onmousemove.clone();
    // The cells holding the oldest and the newest record in the window.
    let first_cell =
        ((log_start.max(0) - window_start).max(0) / props.per_cell.max(1) as i64) as usize;
    let first_cell = first_cell.min(CELLS - 1);
    let onkeydown = {
        let hover = hover.clone();
        Callback::from(move |e: KeyboardEvent| {
            let at = (*hover).unwrap_or(CELLS - 1);
            let next = match e.key().as_str() {
                "ArrowLeft" => at.saturating_sub(1).max(first_cell),
                "ArrowRight" => (at + 1).min(CELLS - 1),
                "Home" => first_cell,
                "End" => CELLS - 1,
                _ => return,
            };
            e.prevent_default();
            hover.set(Some(next));
        })
    };
    // Focus starts on the newest record; leaving puts the inspector away.
    let onfocus = {
        let hover = hover.clone();
        Callback::from(move |_: FocusEvent| {
            if hover.is_none() {
                hover.set(Some(CELLS - 1));
            }
        })
    };
    let onblur = {
        let hover = hover.clone();
        Callback::from(move |_: FocusEvent| hover.set(None))
    };
    let label = {
        let mut s = format!(
            "{}-{}: log start offset {}, high watermark {}, log end offset {}",
            props.topic, props.partition, log_start, high_watermark, log_end
        );
        for (b, leo, in_sync) in &followers {
            s.push_str(&format!(
                ", follower on broker {b} at {leo}{}",
                if *in_sync { "" } else { " (out of sync)" }
            ));
        }
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
        let recs = state.timeline.borrow().sim().records(&props.topic, props.partition, from, 3.min(props.per_cell as usize));
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
        <div class="strip" role="group" tabindex="0" data-own-keys="true" aria-label={label}
            aria-description="Left and right arrows inspect the records" {onkeydown} {onfocus} {onblur}>
            <canvas ref={canvas} height={(HEIGHT as u32).to_string()} {onmousemove} {onmouseleave} {onclick} aria-hidden="true"></canvas>
            <div class="strip-live" aria-live="polite">{ tooltip.unwrap_or_default() }</div>
        </div>
    }
}

/// Marks beyond the partition's own offsets.
struct Extras<'a> {
    /// Followers' (broker, log end offset, in sync).
    followers: &'a [(i32, i64, bool)],
    /// Records fading out: (offset, key, opacity left).
    fading: &'a [(i64, Option<u32>, f64)],
}

/// The offsets a strip marks.
#[derive(Clone, Copy)]
struct Offsets {
    log_start: i64,
    lso: i64,
    hw: i64,
    end: i64,
}

#[allow(clippy::too_many_arguments)]
fn draw(
    el: &HtmlCanvasElement,
    cells: &[brokerlab_engine::view::StripCell],
    offsets: Offsets,
    per_cell: u32,
    marks: &[Mark],
    dark: bool,
    hovered: Option<usize>,
    extras: Extras<'_>,
) {
    let Offsets {
        log_start,
        lso,
        hw,
        end,
    } = offsets;
    let css_w = WIDTH;
    // The screen's own pixel density (capped at 2): drawing more pixels than it shows only costs
    // raster time for every strip on every frame.
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 2.0);
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
    let (empty, deleted, line, empty_line) = if dark {
        ("#262c37", "#1a1f27", "#e6e9ef", "#4a5263")
    } else {
        ("#e9ecf1", "#f4f5f7", "#1d2330", "#b8c0cc")
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
            let below_start = c.offset + per <= log_start;
            let written = c.offset + per <= end;
            if below_start || !written {
                ctx.set_fill_style_str(if below_start { deleted } else { empty });
                ctx.fill_rect(x, top, w, h);
            } else {
                // Written once, removed by the cleaner: a hollow cell keeps the offset's place.
                ctx.set_stroke_style_str(empty_line);
                ctx.stroke_rect(x + 1.0, top + 1.0, w - 2.0, h - 2.0);
            }
            if let Some(&(_, key, alpha)) = extras.fading.iter().find(|f| f.0 == c.offset) {
                colors::with_key_style(key, |style| set_fill_style(&ctx, style));
                ctx.set_global_alpha(alpha.clamp(0.0, 1.0));
                ctx.fill_rect(x, top, w, h);
                ctx.set_global_alpha(1.0);
            }
            continue;
        }
        colors::with_key_style(c.key, |style| set_fill_style(&ctx, style));
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
    // Segments: a notch where each starts (unless they are too many to tell apart), the
    // active one underlined.
    let notches = cells
        .iter()
        .filter(|c| c.segment_start && c.offset > log_start)
        .count();
    for (i, c) in cells.iter().enumerate() {
        let x = i as f64 * cw;
        if c.active_segment {
            ctx.set_fill_style_str(if dark { "#7f9cf5" } else { "#3b5bdb" });
            ctx.fill_rect(x, HEIGHT - 2.0, cw, 2.0);
        }
        if c.segment_start && c.offset > log_start && notches <= CELLS / 4 {
            ctx.set_fill_style_str(line);
            ctx.fill_rect(x - 0.75, top - 3.0, 1.5, h + 5.0);
        }
    }
    // Followers' log end offsets: ticks under the strip, orange when out of sync.
    for &(_, leo, in_sync) in extras.followers {
        if leo <= start || leo > end {
            continue;
        }
        let x = x_of(leo).min(css_w - 1.0);
        ctx.set_fill_style_str(if in_sync { "#718096" } else { "#dd6b20" });
        ctx.begin_path();
        ctx.move_to(x, HEIGHT - 6.0);
        ctx.line_to(x - 4.0, HEIGHT);
        ctx.line_to(x + 4.0, HEIGHT);
        ctx.close_path();
        ctx.fill();
    }
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

/// `fillStyle` from a JS string already made: web-sys deprecated the `JsValue` setter in favour
/// of typed ones, but only this one skips re-decoding the colour's UTF-8 on every call.
#[allow(deprecated)]
fn set_fill_style(ctx: &CanvasRenderingContext2d, style: &wasm_bindgen::JsValue) {
    ctx.set_fill_style(style);
}
