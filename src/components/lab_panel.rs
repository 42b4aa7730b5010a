//! The throughput lab: sweeps one setting over a range with the rest of the session's setup
//! held, runs the engine headless for each point a few milliseconds at a time (so the page keeps
//! drawing), and plots throughput against p99 latency, with the points in a table beside the
//! chart and published reference figures as labelled lines.

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab_engine::{LabPoint, LabRun, LabSetting, Scenario};
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use super::drawer::Drawer;
use super::fields::{SelectField, TextField};
use crate::app::use_engine;

/// Published throughput figures (reference section 7.3), in MB/s, drawn as lines.
const REFERENCES: [(f64, &str); 4] = [
    (40.2, "Kreps 2014: 1 producer, 3x sync replication"),
    (78.3, "Kreps 2014: 1 producer, no replication"),
    (193.0, "Kreps 2014: 3 producers, 2 M records/s"),
    (605.0, "Confluent: peak throughput"),
];

/// The sweep in progress and the timer of its next slice, shared with that timer.
type Running = Rc<RefCell<Option<(LabRun, Option<Timeout>)>>>;

/// Wall-clock milliseconds the sweep's slices took, and the engine's speed over them
/// (records simulated per second of wall time).
#[derive(Clone, Copy, Default, PartialEq)]
struct Speed {
    wall_ms: f64,
    records: u64,
}

/// Wall-clock time one slice of the sweep may take before the page draws again.
const SLICE_MS: f64 = 12.0;

/// The base a sweep runs on: the session's setup if it has a producer with a load, otherwise
/// the built-in throughput lab scenario.
fn base(session: &Scenario) -> (Scenario, &'static str) {
    if session.producers.iter().any(|p| p.load.is_some()) {
        return (session.clone(), "this session's setup");
    }
    let lab = crate::app::scenarios::by_file("throughput-lab")
        .and_then(|f| Scenario::parse(f.json).ok())
        .unwrap_or_else(|| session.clone());
    (lab, "the throughput-lab scenario")
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Round numbers for an axis from 0 to `max`: the step and the top.
fn ticks(max: f64) -> (f64, f64) {
    let raw = (max / 4.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (step, (max / step).ceil() * step)
}

/// A sweep done before the current one: its setting and points, drawn as a curve of its own.
type Earlier = (String, Vec<LabPoint>);

fn chart(points: &[LabPoint], setting: &str, current: Option<&str>, earlier: &[Earlier]) -> Html {
    let (w, h, left, bottom, top, right) = (560.0, 280.0, 52.0, 40.0, 14.0, 16.0);
    let all = || {
        points
            .iter()
            .chain(earlier.iter().flat_map(|(_, p)| p.iter()))
    };
    let (x_step, max_x) = ticks(all().map(|p| p.mb_per_s).fold(10.0f64, f64::max) * 1.1);
    let (y_step, max_y) = ticks(all().map(|p| p.p99_ms as f64).fold(5.0f64, f64::max) * 1.1);
    // Latency spans orders of magnitude once a point saturates (ms against seconds): then the
    // axis is logarithmic, from 1 ms to the next power of ten, so the fast points stay apart.
    let low = all()
        .map(|p| p.p99_ms.max(1) as f64)
        .fold(f64::MAX, f64::min);
    let log = max_y / low.max(1.0) > 50.0;
    let decades = (max_y.log10().ceil()).max(1.0);
    let x = |v: f64| left + v / max_x * (w - left - right);
    let y = |v: f64| {
        let share = if log {
            v.max(1.0).log10() / decades
        } else {
            v / max_y
        };
        h - bottom - share * (h - bottom - top)
    };
    let y_ticks: Vec<f64> = if log {
        (0..=decades as i32).map(|d| 10f64.powi(d)).collect()
    } else {
        (0..=((max_y / y_step).round() as usize))
            .map(|i| i as f64 * y_step)
            .collect()
    };
    let curve = |points: &[LabPoint]| -> String {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x(p.mb_per_s),
                    y(p.p99_ms as f64)
                )
            })
            .collect()
    };
    let path = curve(points);
    let label = format!(
        "Throughput against p99 latency for {setting}: {}",
        points
            .iter()
            .map(|p| format!(
                "{} gives {:.1} MB/s at {} ms",
                p.value, p.mb_per_s, p.p99_ms
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let steps =
        |step: f64, max: f64| (0..=((max / step).round() as usize)).map(move |i| i as f64 * step);
    let shown: Vec<&(f64, &str)> = REFERENCES.iter().filter(|(v, _)| *v < max_x).collect();
    html! {
        <svg class="lab-chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={label}>
            { for steps(x_step, max_x).map(|v| html! {
                <g class="tick">
                    <line x1={x(v).to_string()} y1={(h - bottom).to_string()} x2={x(v).to_string()} y2={(h - bottom + 4.0).to_string()} />
                    <text x={x(v).to_string()} y={(h - bottom + 15.0).to_string()} text-anchor="middle">{ format!("{v}") }</text>
                </g>
            }) }
            { for y_ticks.iter().copied().map(|v| html! {
                <g class="tick">
                    <line class="grid" x1={left.to_string()} y1={y(v).to_string()} x2={(w - right).to_string()} y2={y(v).to_string()} />
                    <text x={(left - 6.0).to_string()} y={(y(v) + 4.0).to_string()} text-anchor="end">{ format!("{v}") }</text>
                </g>
            }) }
            <line class="axis" x1={left.to_string()} y1={(h - bottom).to_string()} x2={(w - right).to_string()} y2={(h - bottom).to_string()} />
            <line class="axis" x1={left.to_string()} y1={top.to_string()} x2={left.to_string()} y2={(h - bottom).to_string()} />
            <text class="axis-label" x={((w + left) / 2.0).to_string()} y={(h - 4.0).to_string()} text-anchor="middle">{"throughput (MB/s acknowledged)"}</text>
            <text class="axis-label" x="12" y={((h - bottom) / 2.0).to_string()} transform={format!("rotate(-90 12 {})", (h - bottom) / 2.0)} text-anchor="middle">{ if log { "p99 send → ack (ms, log scale)" } else { "p99 send → ack (ms)" } }</text>
            { for shown.iter().enumerate().map(|(i, (v, _))| html! {
                <g class="reference">
                    <line x1={x(*v).to_string()} y1={top.to_string()} x2={x(*v).to_string()} y2={(h - bottom).to_string()} />
                    <text x={(x(*v) - 3.0).to_string()} y={(top + 10.0).to_string()} text-anchor="end">{ format!("{}", i + 1) }</text>
                </g>
            }) }
            { for earlier.iter().map(|(name, pts)| {
                let last = pts.last();
                html! {
                    <g class="earlier">
                        <path class="curve" d={curve(pts)} />
                        { for pts.iter().map(|p| html! { <circle cx={x(p.mb_per_s).to_string()} cy={y(p.p99_ms as f64).to_string()} r="3" /> }) }
                        if let Some(p) = last {
                            <text x={(x(p.mb_per_s) + 6.0).to_string()} y={(y(p.p99_ms as f64) + 4.0).to_string()}>{ name.clone() }</text>
                        }
                    </g>
                }
            }) }
            <path class="curve" d={path} />
            { for points.iter().map(|p| {
                let now = current == Some(p.value.as_str());
                html! {
                    <g class={classes!("point", now.then_some("current"))}>
                        <circle cx={x(p.mb_per_s).to_string()} cy={y(p.p99_ms as f64).to_string()} r={if now { "6" } else { "4" }} />
                        <text x={(x(p.mb_per_s) - 8.0).to_string()} y={(y(p.p99_ms as f64) + 4.0).to_string()} text-anchor="end">
                            { if now { format!("{} (now)", p.value) } else { p.value.clone() } }
                        </text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// The published figures the chart draws, numbered as on the chart; those beyond it by value.
fn reference_legend(points: &[LabPoint], earlier: &[Earlier]) -> Html {
    let all = points
        .iter()
        .chain(earlier.iter().flat_map(|(_, p)| p.iter()));
    let (_, max_x) = ticks(all.map(|p| p.mb_per_s).fold(10.0f64, f64::max) * 1.1);
    let (shown, beyond): (Vec<_>, Vec<_>) = REFERENCES.iter().partition(|(v, _)| *v < max_x);
    html! {
        <p class="muted small lab-legend">
            { for shown.iter().enumerate().map(|(i, (v, name))| html! { <span>{ format!("{} {name}: {v} MB/s. ", i + 1) }</span> }) }
            if !beyond.is_empty() {
                <span>{ format!("Beyond the chart: {}.", beyond.iter().map(|(v, n)| format!("{n}, {v} MB/s")).collect::<Vec<_>>().join("; ")) }</span>
            }
        </p>
    }
}

#[component]
pub fn LabPanel() -> Html {
    let engine = use_engine();
    let setting = use_state(|| LabSetting::LingerMs);
    let values = use_state(|| LabSetting::LingerMs.default_values().join(", "));
    let points = use_state(Vec::<LabPoint>::new);
    let progress = use_state(|| None::<(usize, usize)>);
    let error = use_state(|| None::<String>);
    let based_on = use_state(|| None::<&'static str>);
    let run = use_mut_ref(|| None::<(LabRun, Option<Timeout>)>);
    let current = use_state(|| None::<String>);
    let speed = use_state(Speed::default);
    // Earlier sweeps (the last of each other setting, at most three) and the current one's setting.
    let earlier = use_state(Vec::<Earlier>::new);
    let swept = use_state(|| None::<LabSetting>);

    let on_setting = {
        let (setting, values) = (setting.clone(), values.clone());
        Callback::from(move |v: String| {
            if let Ok(s) = LabSetting::parse(&v) {
                setting.set(s);
                values.set(s.default_values().join(", "));
            }
        })
    };
    let on_values = {
        let values = values.clone();
        Callback::from(move |v: String| values.set(v))
    };
    let onsubmit = {
        let (engine, setting, values) = (engine.clone(), setting.clone(), values.clone());
        let (current, speed) = (current.clone(), speed.clone());
        let (earlier, swept) = (earlier.clone(), swept.clone());
        let (points, progress, error, based_on, run) = (
            points.clone(),
            progress.clone(),
            error.clone(),
            based_on.clone(),
            run.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (scenario, what) = base(&engine.timeline.borrow().to_scenario());
            let list: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            let lab = match LabRun::new(&scenario, *setting, list) {
                Ok(l) => l,
                Err(m) => {
                    error.set(Some(m));
                    return;
                }
            };
            error.set(None);
            // The sweep on the chart becomes an earlier one (replacing one of the new setting).
            if let Some(s) = *swept {
                let mut e: Vec<Earlier> = (*earlier).clone();
                e.retain(|(n, _)| n != s.name() && n != setting.name());
                if !points.is_empty() && s != *setting {
                    e.push((s.name().to_string(), (*points).clone()));
                }
                let drop = e.len().saturating_sub(3);
                e.drain(..drop);
                earlier.set(e);
            }
            swept.set(Some(*setting));
            based_on.set(Some(what));
            current.set(setting.current(&scenario));
            points.set(Vec::new());
            progress.set(Some((0, lab.values.len())));
            *run.borrow_mut() = Some((lab, None));
            speed.set(Speed::default());
            drive(
                run.clone(),
                points.clone(),
                progress.clone(),
                error.clone(),
                speed.clone(),
                0.0,
            );
        })
    };
    let running = progress.is_some_and(|(d, n)| d < n);
    let setting_name = setting.name();
    html! {
        <Drawer title="Throughput lab">
            <form class="form lab" {onsubmit} aria-label="Throughput lab" novalidate=true>
                <p class="muted small">{"Sweeps one setting while the rest of the setup holds. Each point runs the engine headless for 10 simulated seconds and measures the last 5: what the producers got acknowledged per second, and how long they waited (send → ack)."}</p>
                <div class="row">
                    <SelectField label="Setting" value={setting_name}
                        options={LabSetting::ALL.iter().map(|s| (s.name().to_string(), s.name().to_string())).collect::<Vec<_>>()}
                        onchange={on_setting} />
                    <TextField label="Values" value={(*values).clone()} oninput={on_values} />
                </div>
                <div class="row">
                    <button class="btn primary" type="submit" disabled={running}>{ if running { "Running…" } else { "Run sweep" } }</button>
                    if let Some((d, n)) = *progress {
                        <span class="small" role="status">{ if d < n { format!("point {} of {n}", d + 1) } else { format!("{n} points measured on {}", based_on.unwrap_or("the setup")) } }</span>
                    }
                    if speed.records > 0 && !running {
                        <span class="small muted" aria-label="Engine speed">{ format!("engine: {:.2} M records/s of wall time ({:.1} M records in {:.1} s)",
                            speed.records as f64 / (speed.wall_ms / 1000.0).max(1e-9) / 1e6, speed.records as f64 / 1e6, speed.wall_ms / 1000.0) }</span>
                    }
                </div>
                if let Some(e) = &*error { <p class="notice error" role="alert">{ e.clone() }</p> }
                if !points.is_empty() {
                    { chart(&points, setting_name, current.as_deref(), &earlier) }
                    { reference_legend(&points, &earlier) }
                    if !earlier.is_empty() {
                        <p class="muted small">{ format!("Earlier sweeps, dashed: {}.", earlier.iter().map(|(n, p)| format!("{n} ({} points)", p.len())).collect::<Vec<_>>().join(", ")) }</p>
                    }
                    <table class="small lab-points" aria-label="Sweep results">
                        <thead><tr>
                            <th scope="col">{ setting_name }</th><th scope="col">{"records/s"}</th><th scope="col">{"MB/s"}</th>
                            <th scope="col">{"requests/s"}</th><th scope="col">{"p50 ms"}</th><th scope="col">{"p99 ms"}</th><th scope="col">{"end-to-end p99 ms"}</th>
                        </tr></thead>
                        <tbody>
                            { for points.iter().map(|p| html! {
                                <tr key={p.value.clone()}>
                                    <th scope="row">{ p.value.clone() }</th>
                                    <td>{ format!("{:.0}", p.records_per_s) }</td>
                                    <td>{ format!("{:.1}", p.mb_per_s) }</td>
                                    <td>{ format!("{:.0}", p.requests_per_s) }</td>
                                    <td>{ p.p50_ms }</td>
                                    <td>{ p.p99_ms }</td>
                                    <td>{ p.e2e_p99_ms.map_or("–".to_string(), |v| v.to_string()) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    <p class="muted small">{"Reference lines: Jay Kreps, \"Benchmarking Apache Kafka: 2 Million Writes Per Second (On Three Cheap Machines)\" (LinkedIn, 2014: 6 partitions, 100-byte records, 1 GbE) and Confluent's published peak. Under load, records batch while requests are in flight whatever linger.ms says: linger.ms buys fewer requests with latency; batch.size and partitions raise the ceiling."}</p>
                }
            </form>
        </Drawer>
    }
}

/// Runs the sweep for one slice of wall-clock time, shows what is measured, and schedules the
/// next slice until every point is done.
fn drive(
    run: Running,
    points: UseStateHandle<Vec<LabPoint>>,
    progress: UseStateHandle<Option<(usize, usize)>>,
    error: UseStateHandle<Option<String>>,
    speed: UseStateHandle<Speed>,
    spent_ms: f64,
) {
    let start = now_ms();
    let mut guard = run.borrow_mut();
    let Some((lab, timer)) = guard.as_mut() else {
        return;
    };
    let done = loop {
        match lab.step(20_000) {
            Ok(true) => break true,
            Ok(false) if now_ms() - start < SLICE_MS => {}
            Ok(false) => break false,
            Err(m) => {
                error.set(Some(m));
                break true;
            }
        }
    };
    let spent_ms = spent_ms + (now_ms() - start);
    points.set(lab.points().to_vec());
    progress.set(Some((lab.points().len(), lab.values.len())));
    if done {
        speed.set(Speed {
            wall_ms: spent_ms,
            records: lab.records_simulated(),
        });
        *guard = None;
        return;
    }
    let next = {
        let run = run.clone();
        Timeout::new(0, move || {
            drive(run, points, progress, error, speed, spent_ms)
        })
    };
    *timer = Some(next);
}
