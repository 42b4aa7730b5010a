//! One consumer in its group: state, the partitions it holds (they move on a rebalance), its
//! lag, and controls to pause it, slow it down, close it or crash it.

use std::rc::Rc;

use brokerlab_engine::view::ConsumerView;
use brokerlab_engine::Action;
use brokerlab_engine::IsolationLevel;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::{format, use_engine, Msg};

#[derive(Properties, PartialEq)]
pub struct ConsumerRowProps {
    pub consumer: Rc<ConsumerView>,
    /// (topic, partition, committed lag) of the group.
    pub lags: Rc<Vec<(String, u32, Option<i64>)>>,
    /// Consumer protocol (KIP-848): the member's reconciliation state and epoch, as the
    /// coordinator sees them.
    #[prop_or_default]
    pub member_state: Option<AttrValue>,
    /// The group card's compact form: no controls (its Details button brings them back).
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn ConsumerRow(props: &ConsumerRowProps) -> Html {
    let engine = use_engine();
    let c = &props.consumer;
    let processing_ms =
        use_state(|| crate::app::decimal::short(c.processing_us as f64 / 1000.0, 3));
    let dispatch = {
        let engine = engine.clone();
        move |action: Action| {
            engine.send(Msg::Apply {
                action,
                source: "consumer-row",
            })
        }
    };
    let name = c.name.clone();
    let on_pause = {
        let (d, n, paused) = (dispatch.clone(), name.clone(), c.paused);
        Callback::from(move |_| {
            d(if paused {
                Action::ResumeConsumer {
                    consumer: n.clone(),
                }
            } else {
                Action::PauseConsumer {
                    consumer: n.clone(),
                }
            })
        })
    };
    let on_remove = {
        let (d, n) = (dispatch.clone(), name.clone());
        Callback::from(move |_| {
            d(Action::RemoveConsumer {
                consumer: n.clone(),
            })
        })
    };
    let on_isolation = {
        let (d, n, committed) = (
            dispatch.clone(),
            name.clone(),
            c.isolation == IsolationLevel::ReadCommitted,
        );
        Callback::from(move |_| {
            d(Action::SetIsolation {
                consumer: n.clone(),
                level: if committed {
                    IsolationLevel::ReadUncommitted
                } else {
                    IsolationLevel::ReadCommitted
                },
            })
        })
    };
    let on_crash = {
        let (d, n) = (dispatch.clone(), name.clone());
        Callback::from(move |_| {
            d(Action::CrashConsumer {
                consumer: n.clone(),
            })
        })
    };
    // The processing time field's own message: shown beside it, cleared on edit.
    let processing_error = use_state(|| None::<String>);
    let on_processing = {
        let (d, n, processing_ms) = (dispatch.clone(), name.clone(), processing_ms.clone());
        let error = processing_error.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            processing_ms.set(i.value());
            let label = "Processing time (ms/record)";
            match super::fields::parse_f64(label, &i.value()) {
                Err(m) => error.set(Some(m)),
                Ok(ms) if ms < 0.0 => error.set(Some(format!("{label} must be 0 or more."))),
                Ok(ms) if ms > 60_000.0 => error.set(Some(format!(
                    "{label} must be at most 60000 (a minute per record)."
                ))),
                Ok(ms) => {
                    error.set(None);
                    d(Action::SetProcessingTime {
                        consumer: n.clone(),
                        us: (ms * 1000.0).round() as u64,
                    });
                }
            }
        })
    };
    let on_typing = {
        let processing_ms = processing_ms.clone();
        let error = processing_error.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            processing_ms.set(i.value());
            if error.is_some() {
                error.set(None);
            }
        })
    };
    let lag: i64 = c
        .assigned
        .iter()
        .filter_map(|a| {
            props
                .lags
                .iter()
                .find(|(t, p, _)| *t == a.topic && *p == a.partition)
                .and_then(|(_, _, l)| *l)
        })
        .sum();
    // Worked out by the engine, with the cause when it reads nothing (`view::ConsumerStatus`).
    let idle = c.status.is_stuck();
    let status = c.status.text();
    html! {
        <li class={classes!("member", idle.then_some("idle"), c.paused.then_some("paused"))}
            aria-label={format!("Consumer {}", c.name)} data-point={format!("consumer:{}", c.name)}>
            <div class="member-head">
                <strong>{ &c.name }</strong>
                if c.is_leader { <span class="tag">{"leader"}</span> }
                <span class="muted small">{ status }</span>
                if let Some(m) = &props.member_state {
                    <span class="tag subtle" title="The coordinator's view of this member (KIP-848): STABLE, UNREVOKED_PARTITIONS (must revoke first), UNRELEASED_PARTITIONS (waiting for a partition another member still holds)">{ m.clone() }</span>
                }
                <span class="member-lag" title="Sum of (high watermark − committed offset) over its partitions">{ format!("lag {}", format::signed(lag)) }</span>
            </div>
            <div class="chips" role="group" aria-label={format!("Partitions of {}", c.name)}>
                { for c.assigned.iter().map(|a| {
                    let lag = props.lags.iter().find(|(t, p, _)| *t == a.topic && *p == a.partition).and_then(|(_, _, l)| *l);
                    html! {
                        <span class="chip" key={format!("{}-{}", a.topic, a.partition)}
                            title={format!("position {}, committed {}", a.position.map_or("-".into(), |p| p.to_string()), a.committed.map_or("-".into(), |p| p.to_string()))}>
                            { format!("{}-{}", a.topic, a.partition) }
                            if let Some(l) = lag { <span class="chip-lag">{ format!(" lag {}", format::signed(l)) }</span> }
                        </span>
                    }
                }) }
            </div>
            if !props.compact {
            <div class="member-controls">
                <button class="btn small" onclick={on_pause} aria-label={format!("{} {}", if c.paused { "Resume" } else { "Pause" }, c.name)}
                    disabled={!c.paused && c.assigned.is_empty()}
                    title={(!c.paused && c.assigned.is_empty()).then_some("no partitions assigned yet: pause() pauses the partitions a consumer holds")}>
                    { if c.paused { "Resume" } else { "Pause" } }
                </button>
                <label class="inline small">
                    <span>{"ms/record"}</span>
                    <input type="number" min="0" step="0.1" class="narrow" value={(*processing_ms).clone()}
                        oninput={on_typing} onchange={on_processing} aria-label={format!("Processing time per record of {} in milliseconds", c.name)} />
                </label>
                <button class="btn small subtle" onclick={on_isolation}
                    aria-label={format!("{} (isolation level of {})", if c.isolation == IsolationLevel::ReadCommitted { "read_committed" } else { "read_uncommitted" }, c.name)}
                    title="isolation.level: read_committed reads up to the last stable offset and drops aborted records">
                    { if c.isolation == IsolationLevel::ReadCommitted { "read_committed" } else { "read_uncommitted" } }
                </button>
                <button class="btn small subtle" onclick={on_remove} aria-label={format!("Remove {}", c.name)} title="close(): commit and leave the group">{"Remove"}</button>
                <button class="btn small subtle" onclick={on_crash} aria-label={format!("Crash {}", c.name)} title="kill -9: no commit, no LeaveGroup">{"Crash"}</button>
            </div>
            }
            if let Some(m) = &*processing_error {
                <p class="notice error" role="alert">{ m.clone() }</p>
            }
        </li>
    }
}
