//! Add a consumer: group, topic, group protocol and assignor, how slow the application is, how
//! it commits.

use brokerlab_engine::Action;
use brokerlab_engine::AssignorName;
use brokerlab_engine::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::{GroupProtocol, ServerAssignor};
use yew::prelude::*;

use super::drawer::Drawer;

use super::fields::{parse_f64, setter, topic_names, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view};

#[derive(Clone, PartialEq)]
struct Form {
    name: String,
    group: String,
    topic: String,
    assignor: String,
    processing_ms: String,
    auto_commit: bool,
    reset: String,
    instance_id: String,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            name: String::new(),
            group: "billing".into(),
            topic: String::new(),
            assignor: "default".into(),
            processing_ms: "0".into(),
            auto_commit: true,
            reset: "latest".into(),
            instance_id: String::new(),
        }
    }
}

/// `group.protocol=consumer` with the server assignor named after the colon, if the choice is
/// one of those.
fn consumer_protocol(choice: &str) -> Option<ServerAssignor> {
    match choice {
        "consumer:uniform" => Some(ServerAssignor::Uniform),
        "consumer:range" => Some(ServerAssignor::Range),
        _ => None,
    }
}

fn assignors(choice: &str) -> Vec<AssignorName> {
    match choice {
        "range" => vec![AssignorName::Range],
        "roundrobin" => vec![AssignorName::RoundRobin],
        "sticky" => vec![AssignorName::Sticky],
        "cooperative-sticky" => vec![AssignorName::CooperativeSticky],
        _ => vec![AssignorName::Range, AssignorName::CooperativeSticky],
    }
}

#[component]
pub fn ConsumerForm() -> Html {
    let view = use_view();
    let engine = use_engine();
    let form = use_state(Form::default);
    let local_error = use_state(|| None::<String>);
    let topics = topic_names(&view.snapshot);
    let topic_v = if form.topic.is_empty() {
        topics.first().cloned().unwrap_or_default()
    } else {
        form.topic.clone()
    };
    let set = |f: fn(&mut Form, String)| setter(&form, f);
    let onsubmit = {
        let (engine, form, local_error, topic_v) = (
            engine.clone(),
            form.clone(),
            local_error.clone(),
            topic_v.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if topic_v.is_empty() {
                return local_error.set(Some(
                    "Create a topic first: a consumer subscribes to one.".into(),
                ));
            }
            let ms = match parse_f64("Processing time", &form.processing_ms) {
                Ok(ms) if ms >= 0.0 => ms,
                Ok(_) => {
                    return local_error.set(Some("Processing time cannot be negative.".into()))
                }
                Err(m) => return local_error.set(Some(m)),
            };
            local_error.set(None);
            let group = form.group.trim();
            let config = ConsumerConfig {
                group_id: (!group.is_empty()).then(|| group.to_string()),
                group_instance_id: (!form.instance_id.trim().is_empty())
                    .then(|| form.instance_id.trim().to_string()),
                assignors: assignors(&form.assignor),
                group_protocol: if consumer_protocol(&form.assignor).is_some() {
                    GroupProtocol::Consumer
                } else {
                    GroupProtocol::Classic
                },
                remote_assignor: consumer_protocol(&form.assignor),
                processing_us: (ms * 1000.0).round() as u64,
                enable_auto_commit: form.auto_commit,
                auto_offset_reset: if form.reset == "earliest" {
                    OffsetResetStrategy::Earliest
                } else {
                    OffsetResetStrategy::Latest
                },
                ..ConsumerConfig::default()
            };
            let name = (!form.name.trim().is_empty()).then(|| form.name.trim().to_string());
            engine.apply(
                Action::AddConsumer {
                    name,
                    config,
                    topics: vec![topic_v.clone()],
                    assign: None,
                },
                "consumer-form",
            );
        })
    };
    let groups: Vec<String> = view
        .snapshot
        .groups
        .iter()
        .map(|g| g.group_id.clone())
        .collect();
    let on_auto = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.auto_commit = i.checked();
            form.set(next);
        })
    };
    html! {
        <Drawer title="Add consumer">
            <form class="form" {onsubmit} aria-label="Add consumer" novalidate=true oninput={engine.clear_on_edit("consumer-form", Some(local_error.clone()))}>
                <div class="row">
                    <TextField label="Group (group.id)" value={form.group.clone()} list="known-groups" placeholder="empty: no group"
                        oninput={set(|f, v| f.group = v)} />
                    <datalist id="known-groups">{ for groups.iter().map(|g| html! { <option value={g.clone()} /> }) }</datalist>
                    <SelectField label="Topic" value={topic_v} options={topics.iter().map(|t| (t.clone(), t.clone())).collect::<Vec<_>>()}
                        onchange={set(|f, v| f.topic = v)} />
                </div>
                // Full width: the default strategy's name is long, and cut short it misleads.
                // The classic protocol's client-side assignors, and Kafka 4's consumer protocol
                // (KIP-848), whose assignor runs on the coordinator.
                <SelectField label="Group protocol and assignor" value={form.assignor.clone()} onchange={set(|f, v| f.assignor = v)}
                    options={vec![("default".into(), "classic: range, cooperative-sticky (default)".into()), ("range".into(), "classic: range".into()),
                                  ("roundrobin".into(), "classic: roundrobin".into()), ("sticky".into(), "classic: sticky".into()),
                                  ("cooperative-sticky".into(), "classic: cooperative-sticky".into()),
                                  ("consumer:uniform".into(), "consumer (KIP-848): uniform on the coordinator".into()),
                                  ("consumer:range".into(), "consumer (KIP-848): range on the coordinator".into())]} />
                <div class="row">
                    <TextField label="Processing (ms/record)" kind="number" min="0" step="0.1" value={form.processing_ms.clone()}
                        oninput={set(|f, v| f.processing_ms = v)} />
                    <TextField label="Name (client.id)" value={form.name.clone()} placeholder="optional" oninput={set(|f, v| f.name = v)} />
                </div>
                <div class="row">
                    <SelectField label="auto.offset.reset" value={form.reset.clone()} onchange={set(|f, v| f.reset = v)}
                        options={vec![("latest".into(), "latest".into()), ("earliest".into(), "earliest".into())]} />
                    <TextField label="group.instance.id" value={form.instance_id.clone()} placeholder="optional (static member)"
                        oninput={set(|f, v| f.instance_id = v)} />
                </div>
                <label class="check"><input type="checkbox" checked={form.auto_commit} onchange={on_auto} />{"enable.auto.commit"}</label>
                <button class="btn primary" type="submit">{"Add consumer"}</button>
                if let Some(e) = &*local_error { <p class="notice error" role="alert">{ e.clone() }</p> }
                <NoticeLine source="consumer-form" />
            </form>
        </Drawer>
    }
}
