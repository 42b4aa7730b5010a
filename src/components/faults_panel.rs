//! Network faults on the producers' links: lose requests or responses, refuse requests, add
//! delay. What happens next is the protocol's doing: timeouts, retries, duplicates (without
//! idempotence), reordering (without idempotence).

use brokerlab_engine::Action;
use brokerlab_engine::LinkFaults;
use yew::prelude::*;

use super::drawer::Drawer;

use super::fields::{parse_f64, parse_u64, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view};

#[component]
pub fn FaultsPanel() -> Html {
    let view = use_view();
    let engine = use_engine();
    let drop_responses = use_state(|| "20".to_string());
    let drop_requests = use_state(|| "0".to_string());
    let reject = use_state(|| "0".to_string());
    let delay = use_state(|| "0".to_string());
    let error = use_state(|| None::<String>);
    let active = view.snapshot.faults.first().cloned();
    // Every rule in force (a scenario or a link may set several; the form sets one).
    let summary = LinkFaults::summarize(&view.snapshot.faults);
    let onsubmit = {
        let (engine, error) = (engine.clone(), error.clone());
        let (drop_responses, drop_requests, reject, delay) = (
            drop_responses.clone(),
            drop_requests.clone(),
            reject.clone(),
            delay.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let rule = (|| -> Result<LinkFaults, String> {
                Ok(LinkFaults {
                    drop_responses_percent: parse_f64("Lost responses", &drop_responses)?,
                    drop_requests_percent: parse_f64("Lost requests", &drop_requests)?,
                    reject_requests_percent: parse_f64("Refused requests", &reject)?,
                    extra_delay_ms: parse_u64("Extra delay", &delay)?,
                    ..LinkFaults::default()
                })
            })();
            match rule {
                Ok(rule) => {
                    error.set(None);
                    engine.apply(Action::SetFaults { faults: vec![rule] }, "faults");
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let heal = {
        let engine = engine.clone();
        Callback::from(move |_| engine.apply(Action::SetFaults { faults: vec![] }, "faults"))
    };
    let field = |label: &'static str, state: &UseStateHandle<String>| {
        let s = state.clone();
        html! {
            <TextField {label} kind="number" min="0" value={(**state).clone()} oninput={Callback::from(move |v| s.set(v))} />
        }
    };
    html! {
        <Drawer title="Network faults" badge={summary.map(AttrValue::from)}>
            <form class="form" {onsubmit} aria-label="Network faults" novalidate=true oninput={engine.clear_on_edit("faults", Some(error.clone()))}>
                <p class="muted small">{"On every producer→broker connection. A lost message breaks the connection until request.timeout.ms."}</p>
                <div class="row">
                    { field("Lost responses (%)", &drop_responses) }
                    { field("Lost requests (%)", &drop_requests) }
                </div>
                <div class="row">
                    { field("Refused requests (%)", &reject) }
                    { field("Extra delay (ms)", &delay) }
                </div>
                <div class="row">
                    <button class="btn primary" type="submit">{"Apply faults"}</button>
                    <button class="btn" type="button" onclick={heal} disabled={active.is_none()}>{"Heal the network"}</button>
                </div>
                if let Some(e) = &*error { <p class="notice error" role="alert">{ e.clone() }</p> }
                <NoticeLine source="faults" />
            </form>
        </Drawer>
    }
}
