//! The playground page: state provider plus layout.

pub mod demo;
pub mod state;

use yew::prelude::*;

use crate::components::header::Header;
use crate::components::topic_view::TopicList;
use crate::hooks::use_animation_frame::use_animation_frame;
pub use state::{Msg, Playground, PlaygroundContext};

#[component]
pub fn App() -> Html {
    let state = use_reducer(Playground::demo);
    {
        let state = state.clone();
        use_animation_frame(move |dt_ms| state.dispatch(Msg::Frame { dt_ms }));
    }
    html! {
        <ContextProvider<PlaygroundContext> context={state}>
            <div class="app">
                <Header />
                <main class="main">
                    <TopicList />
                </main>
            </div>
        </ContextProvider<PlaygroundContext>>
    }
}
