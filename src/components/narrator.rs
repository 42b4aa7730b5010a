//! The narrator: a polite live region that a screen reader speaks when something that matters
//! happens (the engine's `view::narrator` decides what: rebalances, broker deaths and
//! elections, aborted transactions, a group falling behind or catching up). The running clock is
//! deliberately not a live region; this is how the run is heard. Outcomes of the user's own
//! actions are spoken by their notices (`role=status` beside the form).

use yew::prelude::*;

use crate::app::PlaygroundContext;

#[component]
pub fn Narrator() -> Html {
    let state = use_context::<PlaygroundContext>().expect("inside the playground");
    let (id, text) = state.history.spoken.clone();
    html! {
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" aria-label="What happens">
            // A new node per announcement: the same words twice are spoken twice.
            <span key={id}>{ text.to_string() }</span>
        </div>
    }
}
