//! What work costs: the cost settings (network bandwidth, request handler threads and their cost
//! per request and per byte, the page cache, the disk, TLS) with their defaults, each broker's
//! load over the last second, and a form that changes the settings from now on.

use brokerlab_engine::view::BrokerLoadView;
use brokerlab_engine::{Action, CostConfig, SecurityProtocol};
use yew::prelude::*;

use super::drawer::Drawer;
use super::fields::{parse_f64, parse_u64, setter, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{format, use_engine, use_view};

const SOURCE: &str = "costs";

#[derive(Clone, PartialEq)]
struct Form {
    enabled: bool,
    tls: bool,
    threads: String,
    mbit: String,
    request_us: String,
    byte_ns: String,
    cache_gib: String,
    disk_mb_s: String,
    tls_ns: String,
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Form {
    fn of(c: &CostConfig) -> Self {
        Form {
            enabled: c.enabled,
            tls: c.tls(),
            threads: c.num_io_threads.to_string(),
            mbit: c.network_bandwidth_mbit.to_string(),
            request_us: trim(c.request_cost_us),
            byte_ns: trim(c.request_byte_cost_ns),
            cache_gib: trim(c.page_cache_bytes as f64 / (1u64 << 30) as f64),
            disk_mb_s: c.disk_read_mb_per_s.to_string(),
            tls_ns: trim(c.tls_byte_cost_ns),
        }
    }

    fn read(&self) -> Result<CostConfig, String> {
        let gib = parse_f64("Page cache per broker (GiB)", &self.cache_gib)?;
        if !(0.0..=1024.0).contains(&gib) {
            return Err("Page cache per broker (GiB) must be between 0 and 1024.".into());
        }
        Ok(CostConfig {
            enabled: self.enabled,
            security_protocol: if self.tls {
                SecurityProtocol::Ssl
            } else {
                SecurityProtocol::Plaintext
            },
            num_io_threads: parse_u64("num.io.threads", &self.threads)?.min(u32::MAX as u64) as u32,
            network_bandwidth_mbit: parse_u64("Network (Mbit/s)", &self.mbit)?.min(u32::MAX as u64)
                as u32,
            request_cost_us: parse_f64("Cost per request (µs)", &self.request_us)?,
            request_byte_cost_ns: parse_f64("Cost per byte (ns)", &self.byte_ns)?,
            page_cache_bytes: (gib * (1u64 << 30) as f64) as u64,
            disk_read_mb_per_s: parse_u64("Disk reads (MB/s)", &self.disk_mb_s)?
                .min(u32::MAX as u64) as u32,
            tls_byte_cost_ns: parse_f64("TLS cost per byte (ns)", &self.tls_ns)?,
        })
    }
}

/// Bytes per second, short: `29.6 MB/s`, or `0` when nothing moved.
fn rate(bytes: u64) -> String {
    if bytes == 0 {
        "0".to_string()
    } else {
        format!("{}/s", format::bytes(bytes))
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// One broker's load as a sentence.
pub fn load_line(l: &BrokerLoadView) -> String {
    let w = &l.last_second;
    let mut s = format!(
        "handlers {} · in {}/s · out {}/s",
        percent(l.handler_utilisation),
        format::bytes(w.bytes_in),
        format::bytes(w.bytes_out)
    );
    if l.queue_ms >= 1.0 {
        s += &format!(" · queue {:.0} ms", l.queue_ms);
    }
    if w.disk_bytes > 0 {
        s += &format!(" · disk reads {}/s", format::bytes(w.disk_bytes));
    }
    s
}

#[component]
pub fn CostsPanel() -> Html {
    let view = use_view();
    let engine = use_engine();
    let costs = &view.snapshot.cluster.costs;
    let form = use_state(|| Form::of(costs));
    let error = use_state(|| None::<String>);
    let set = |f: fn(&mut Form, String)| setter(&form, f);
    let onsubmit = {
        let (engine, form, error) = (engine.clone(), form.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.read() {
                Ok(costs) => {
                    error.set(None);
                    engine.apply(Action::SetCosts { costs }, SOURCE);
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let defaults = {
        let form = form.clone();
        Callback::from(move |_| form.set(Form::of(&CostConfig::default())))
    };
    let toggle = |f: fn(&mut Form)| {
        let form = form.clone();
        Callback::from(move |_| {
            let mut next = (*form).clone();
            f(&mut next);
            form.set(next);
        })
    };
    let field = |label: &'static str, value: &String, on: Callback<String>| {
        html! { <TextField {label} kind="number" min="0" value={value.clone()} oninput={on} /> }
    };
    let badge = (!costs.enabled)
        .then_some("off")
        .or(costs.tls().then_some("TLS"));
    html! {
        <Drawer title="Costs" badge={badge.map(AttrValue::from)}>
            <form class="form" {onsubmit} aria-label="Costs" novalidate=true oninput={engine.clear_on_edit(SOURCE, Some(error.clone()))}>
                <p class="muted small">{"What work costs each broker and client. A request costs a handler thread a fixed part and a part per byte, so fuller batches carry more records for the same cost; a saturated broker queues requests and latency rises. Reads of recent data come from the page cache with zero-copy sendfile; TLS turns zero-copy off; older data comes off the disk."}</p>
                <label class="inline small">
                    <input type="checkbox" checked={form.enabled} onchange={toggle(|f| f.enabled = !f.enabled)} />
                    <span>{"Costs on (off: only the network delay takes time)"}</span>
                </label>
                <SelectField label="security.protocol" value={if form.tls { "SSL" } else { "PLAINTEXT" }}
                    options={vec![("PLAINTEXT".to_string(), "PLAINTEXT (zero-copy)".to_string()), ("SSL".to_string(), "SSL (TLS: no zero-copy)".to_string())]}
                    onchange={{ let form = form.clone(); Callback::from(move |v: String| { let mut next = (*form).clone(); next.tls = v == "SSL"; form.set(next); }) }} />
                <div class="row">
                    { field("num.io.threads", &form.threads, set(|f, v| f.threads = v)) }
                    { field("Network (Mbit/s)", &form.mbit, set(|f, v| f.mbit = v)) }
                </div>
                <div class="row">
                    { field("Cost per request (µs)", &form.request_us, set(|f, v| f.request_us = v)) }
                    { field("Cost per byte (ns)", &form.byte_ns, set(|f, v| f.byte_ns = v)) }
                </div>
                <div class="row">
                    { field("Page cache per broker (GiB)", &form.cache_gib, set(|f, v| f.cache_gib = v)) }
                    { field("Disk reads (MB/s)", &form.disk_mb_s, set(|f, v| f.disk_mb_s = v)) }
                </div>
                <div class="row">
                    { field("TLS cost per byte (ns)", &form.tls_ns, set(|f, v| f.tls_ns = v)) }
                </div>
                if let Some(e) = &*error { <p class="notice error" role="alert">{ e.clone() }</p> }
                <NoticeLine source={SOURCE} />
                <div class="row">
                    <button class="btn primary" type="submit">{"Apply costs"}</button>
                    <button class="btn" type="button" onclick={defaults}>{"Kafka's defaults"}</button>
                </div>
                <table class="small costs-load" aria-label="Broker load over the last second">
                    <thead><tr><th scope="col">{"Broker"}</th><th scope="col" title="Share of the request handler threads' time spent working">{"Busy"}</th><th scope="col" title="How long a request arriving now waits for a handler thread">{"Queue"}</th><th scope="col" title="Share of the network card's bandwidth, in and out">{"Network in · out"}</th><th scope="col" title="Fetched bytes per second served from the page cache and read from the disk">{"Cache · disk"}</th></tr></thead>
                    <tbody>
                        { for view.snapshot.broker_loads.iter().map(|l| { let w = &l.last_second; html! {
                            <tr key={l.broker}>
                                <th scope="row">{ l.broker }</th>
                                <td>{ percent(l.handler_utilisation) }</td>
                                <td>{ format!("{:.1} ms", l.queue_ms) }</td>
                                <td>{ format!("{} · {}", percent(l.network_in_utilisation), percent(l.network_out_utilisation)) }</td>
                                <td>{ format!("{} · {}", rate(w.cache_bytes), rate(w.disk_bytes)) }</td>
                            </tr>
                        }}) }
                    </tbody>
                </table>
                <p class="muted small">{"Compression (the producer's compression.type) costs CPU per uncompressed byte: illustrative figures, gzip the slowest and lz4 the fastest."}</p>
            </form>
        </Drawer>
    }
}
