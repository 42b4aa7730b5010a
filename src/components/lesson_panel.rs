//! The lesson on screen: the step's title and text (in a polite live region, so a screen reader
//! hears each step), the task with its check evaluated live against the snapshot ("Not yet: group
//! billing lag is 1234, not < 100"), "Show me", Back and Continue. The part of the page the step
//! is about is outlined and scrolled into view; the address carries `?lesson=&step=`.

use wasm_bindgen::JsCast;
use web_sys::{Element, ScrollIntoViewOptions, ScrollLogicalPosition};
use yew::prelude::*;

use super::notice::NoticeLine;
use crate::app::lesson::{LessonMsg, TaskProgress};
use crate::app::{use_view, Mount, Msg, PlaygroundContext};

/// The class that outlines what a step points at.
const POINTED: &str = "lesson-pointed";

/// Outlines `point` (a `data-point` value) in the tree of `near`, the outline taken off anything
/// else; scrolls it into view when `scroll`. Whether the element was there (a panel may render a
/// frame or two after the step changed: the page refreshes its regions one per frame).
fn point_at(near: &Element, point: Option<&str>, scroll: bool) -> bool {
    let root = near.get_root_node();
    let query = |sel: &str| -> Vec<Element> {
        let list = if let Some(shadow) = root.dyn_ref::<web_sys::ShadowRoot>() {
            shadow.query_selector_all(sel)
        } else {
            gloo::utils::document().query_selector_all(sel)
        };
        let Ok(list) = list else { return Vec::new() };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect()
    };
    let target = point.and_then(|p| {
        query(&format!("[data-point=\"{}\"]", p.replace('"', "")))
            .into_iter()
            .next()
    });
    for el in query(&format!(".{POINTED}")) {
        if Some(&el) != target.as_ref() {
            let _ = el.class_list().remove_1(POINTED);
        }
    }
    let Some(el) = target else { return false };
    let _ = el.class_list().add_1(POINTED);
    if scroll {
        let options = ScrollIntoViewOptions::new();
        options.set_block(ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
    true
}

/// The page address at this step (`?lesson=NAME&step=N`, and `present=1` in presenter mode;
/// other parameters dropped), so that reloading or sharing it opens the same step.
fn remember_step(name: &str, step: usize, present: bool) {
    let window = gloo::utils::window();
    if let Ok(history) = window.history() {
        let present = if present { "&present=1" } else { "" };
        let url = format!("?lesson={name}&step={}{present}", step + 1);
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[component]
pub fn LessonPanel() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let mount = use_context::<Mount>().unwrap_or(Mount::Page);
    let view = use_view();
    let panel = use_node_ref();
    let lesson = state.lesson.clone();
    let key = lesson
        .as_ref()
        .map(|l| (l.lesson.name.clone(), l.step, l.finished));
    // The step's address, once per step.
    {
        let page = !mount.is_element() && !state.embed.embed;
        use_effect_with((key.clone(), state.present), move |(key, present)| {
            if let (Some((name, step, _)), true) = (key, page) {
                remember_step(name, *step, *present);
            }
        });
    }
    // The outline, after every render until it is found (then scrolled to once per step), and
    // taken off when the lesson closes.
    let scrolled_for = use_mut_ref(|| None::<(String, usize, bool)>);
    {
        let panel = panel.clone();
        let point = lesson
            .as_ref()
            .and_then(|l| l.lesson.steps[l.step].point.as_ref().map(|p| p.0.clone()));
        let key = key.clone();
        use_effect(move || {
            if let Some(el) = panel.cast::<Element>() {
                let scroll = *scrolled_for.borrow() != key;
                if point_at(&el, point.as_deref(), scroll) && scroll {
                    *scrolled_for.borrow_mut() = key;
                }
            }
        });
    }
    {
        let panel = panel.clone();
        use_effect_with((), move |_| {
            // Held from mount: by the time of the clean-up the ref is empty.
            let el = panel.cast::<Element>();
            move || {
                if let Some(el) = el {
                    point_at(&el, None, false);
                }
            }
        });
    }
    let Some(l) = lesson else {
        return html! {};
    };
    let send = |m: fn() -> LessonMsg| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Msg::Lesson(m())))
    };
    let step = &l.lesson.steps[l.step];
    let count = l.lesson.steps.len();
    let last = l.step + 1 == count;
    let task = step.task.as_ref().map(|t| {
        let mut out = t.check.eval(&view.snapshot);
        // Done once is done for this visit of the step (the playground latches it).
        out.holds |= l.task == TaskProgress::Done;
        let shown = l.task == TaskProgress::Shown;
        let status = if out.holds {
            html! { <p class="task-status done" role="status">{ format!("✓ Done: {}.", t.check.text) }</p> }
        } else {
            html! { <p class="task-status" role="status">{ format!("Not yet: {}.", out.unmet.join("; ")) }</p> }
        };
        html! {
            <div class="lesson-task" role="group" aria-label="Your turn">
                <p><strong>{"Your turn: "}</strong>{ &t.goal }</p>
                { status }
                if !out.holds && !shown {
                    <button class="btn small" onclick={send(|| LessonMsg::ShowMe)}>{"Show me"}</button>
                }
            </div>
        }
    });
    html! {
        <section class="lesson" ref={panel} aria-labelledby="lesson-step-title" data-point="lesson">
            <div class="lesson-head">
                <span class="lesson-name">{ format!("Lesson: {}", l.lesson.title) }</span>
                <span class="lesson-count">{ format!("Step {} of {count}", l.step + 1) }</span>
                <button class="btn small lesson-close" onclick={send(|| LessonMsg::Close)} aria-label="Close the lesson">{"✕"}</button>
            </div>
            <div class="lesson-body" aria-live="polite">
                <h2 id="lesson-step-title">{ &step.title }</h2>
                <p>{ &step.text }</p>
                if l.finished {
                    <p class="lesson-end"><strong>{"That is the end of this lesson."}</strong>{" The simulation keeps running: try things, or pick another lesson."}</p>
                }
            </div>
            { for task }
            <NoticeLine source="lesson" />
            <div class="lesson-nav">
                <button class="btn" onclick={send(|| LessonMsg::Back)} disabled={l.step == 0}>{"← Back"}</button>
                if !l.finished {
                    <button class="btn primary" onclick={send(|| LessonMsg::Next)}>
                        { if last { "Finish" } else { "Continue →" } }
                    </button>
                }
            </div>
        </section>
    }
}
