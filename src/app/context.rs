//! The two contexts the page shares besides the reducer handle.
//!
//! Redrawing everything sixty times a second cost more than a frame, so the page has two
//! speeds: the clock and the partition strips follow the reducer handle (every frame); the
//! panels, whose numbers nobody can read at 60 Hz, follow `View`, refreshed four times a second
//! (one page region per frame, so no frame carries them all) and on every action. `Engine` never changes between frames: it only sends messages
//! and answers queries (records of a partition, strip cells).

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab_engine::{Action, Snapshot, Timeline};
use yew::prelude::*;

use super::log::History;
use super::state::{Msg, Notice, Playground};

#[derive(Clone)]
pub struct View {
    pub snapshot: Rc<Snapshot>,
    pub history: Rc<History>,
    pub notice: Option<Notice>,
}

impl PartialEq for View {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snapshot, &other.snapshot)
            && Rc::ptr_eq(&self.history, &other.history)
            && self.notice == other.notice
    }
}

#[derive(Clone)]
pub struct Engine {
    pub dispatch: UseReducerDispatcher<Playground>,
    pub timeline: Rc<RefCell<Timeline>>,
}

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &other.timeline)
    }
}

impl Engine {
    /// Applies an action; `source` names the form that shows the outcome.
    pub fn apply(&self, action: Action, source: &'static str) {
        self.dispatch.dispatch(Msg::Apply { action, source });
    }

    pub fn send(&self, msg: Msg) {
        self.dispatch.dispatch(msg);
    }

    /// For a form's `oninput` (inputs, selects and checkboxes all fire it, and it bubbles):
    /// editing the form clears the outcome of its last submission and the form's own error, so
    /// an old message never stands beside new input.
    pub fn clear_on_edit(
        &self,
        source: &'static str,
        local_error: Option<UseStateHandle<Option<String>>>,
    ) -> Callback<InputEvent> {
        let dispatch = self.dispatch.clone();
        Callback::from(move |_| {
            if let Some(e) = local_error.as_ref().filter(|e| e.is_some()) {
                e.set(None);
            }
            dispatch.dispatch(Msg::DismissNoticeFrom(source));
        })
    }
}

#[hook]
pub fn use_view() -> View {
    use_context::<View>().expect("view context")
}

#[hook]
pub fn use_engine() -> Engine {
    use_context::<Engine>().expect("engine context")
}
