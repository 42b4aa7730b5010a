//! The playground page: state provider, effects and layout.

pub mod colors;
pub mod context;
pub mod decimal;
pub mod demo;
pub mod files;
pub mod format;
pub mod host;
pub mod intro;
pub mod lesson;
pub mod log;
pub mod mount;
pub mod scenarios;
pub mod seeking;
pub mod state;

use yew::prelude::*;

use crate::components::action_log::ActionLog;
use crate::components::embed_header::EmbedHeader;
use crate::components::groups_column::GroupsColumn;
use crate::components::header::Header;
use crate::components::intro::Intro;
use crate::components::lesson_panel::LessonPanel;
use crate::components::narrator::Narrator;
use crate::components::producers_column::ProducersColumn;
use crate::components::protocol_log::ProtocolLog;
use crate::components::queues_panel::QueuesPanel;
use crate::components::shortcuts::Shortcuts;
use crate::components::streams_panel::StreamsPanel;
use crate::components::topics_column::TopicsColumn;
use crate::hooks::use_animation_frame::use_animation_frame;
use crate::hooks::use_host_bridge::use_host_bridge;
use crate::hooks::use_keyboard::use_keyboard;
use brokerlab_engine::{EmbedControls, EmbedRegion, EmbedTheme};
pub use context::{use_engine, use_view, Engine, View};
pub use mount::Mount;
pub use state::{Msg, Notice, PanelView, Playground, PlaygroundContext};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The page (the default) or a custom element.
    #[prop_or(Mount::Page)]
    pub mount: Mount,
}

impl Default for AppProps {
    fn default() -> Self {
        AppProps { mount: Mount::Page }
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let mount = props.mount.clone();
    let state = {
        let mount = mount.clone();
        use_reducer(move || Playground::from_address(&mount.search(), &mount.hash()))
    };
    {
        let state = state.clone();
        use_animation_frame(move |dt_ms| state.dispatch(Msg::Frame { dt_ms }));
    }
    use_keyboard(
        state.dispatcher(),
        mount.key_target(),
        state.present,
        state.lesson.is_some(),
    );
    use_host_bridge(&state, &mount);
    // `theme=light|dark` wins over the reader's system setting; `auto` follows it. (An element's
    // theme is its loader's: the attribute and the host page's signals.)
    {
        let theme = state.embed.theme;
        let page = !mount.is_element();
        use_effect_with(theme, move |theme| {
            let root = gloo::utils::document().document_element().filter(|_| page);
            if let Some(root) = root {
                match theme {
                    EmbedTheme::Auto => {
                        let _ = root.remove_attribute("data-theme");
                    }
                    EmbedTheme::Light => {
                        let _ = root.set_attribute("data-theme", "light");
                    }
                    EmbedTheme::Dark => {
                        let _ = root.set_attribute("data-theme", "dark");
                    }
                }
            }
        });
    }
    let embed = state.embed.clone();
    let figure = embed.embed;
    // Presenter mode shows only the column the lesson's step points at (all three when it
    // points at none, or at the timeline).
    let present = state.present && !figure;
    let pointed = state
        .lesson
        .as_ref()
        .and_then(|l| l.lesson.steps[l.step].point.as_ref())
        .and_then(|p| lesson::region_of(&p.0));
    let shows = |r: EmbedRegion| match (present, pointed) {
        (true, Some(p)) => p == r,
        (true, None) => r != EmbedRegion::Log,
        (false, _) => !figure || embed.shows(r),
    };
    let columns = [
        EmbedRegion::Producers,
        EmbedRegion::Topics,
        EmbedRegion::Groups,
    ]
    .into_iter()
    .filter(|&r| shows(r))
    .count();
    // Each region reads its own view (see `Playground::panels`); the header the latest.
    let view_of = |panel: &PanelView| View {
        snapshot: panel.snapshot.clone(),
        history: panel.history.clone(),
        notice: state.notice.clone(),
    };
    let view = view_of(&state.latest());
    // A lesson shows its panel; a figure only if its view= asks for it, or says nothing.
    let lesson_shown = state.lesson.is_some()
        && (!figure || present || !embed.view_set || embed.shows(EmbedRegion::Lesson));
    let [producers, topics, groups, log] = &state.panels;
    // A session or scenario file dropped anywhere on the page opens (see `files::import`).
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                files::import(file, dispatch.clone());
            }
        })
    };
    // In someone else's page (an element) the page's own <main> is the main landmark: the
    // figure is a region of it.
    let main_tag = if mount.is_element() {
        "section"
    } else {
        "main"
    };
    let engine = Engine {
        dispatch: state.dispatcher(),
        timeline: state.timeline.clone(),
    };
    html! {
        <ContextProvider<Mount> context={mount}>
        <ContextProvider<PlaygroundContext> context={state.clone()}>
        <ContextProvider<Engine> context={engine}>
        <ContextProvider<View> context={view}>
            <div class={classes!("app", figure.then_some("embed"), present.then_some("present"), lesson_shown.then_some("with-lesson"))} {ondragover} {ondrop}>
                if present {
                    <EmbedHeader controls={EmbedControls::Full} present=true />
                } else if figure {
                    <EmbedHeader controls={embed.controls} />
                } else {
                    // The first stop of the Tab key: past the header's dozen controls to the picture.
                    <a class="skip-link" href="#cluster">{"Skip to the cluster"}</a>
                    <Header />
                }
                if lesson_shown { <LessonPanel /> }
                if columns > 0 {
                    <@{main_tag} class={classes!("flow", format!("cols-{columns}"))} id="cluster" tabindex="-1" aria-label="Cluster">
                        if state.show_intro { <Intro /> }
                        if shows(EmbedRegion::Producers) {
                            <ContextProvider<View> context={view_of(producers)}><ProducersColumn /></ContextProvider<View>>
                        }
                        if shows(EmbedRegion::Topics) {
                            <ContextProvider<View> context={view_of(topics)}><TopicsColumn /></ContextProvider<View>>
                        }
                        if shows(EmbedRegion::Groups) {
                            <ContextProvider<View> context={view_of(groups)}><GroupsColumn /></ContextProvider<View>>
                        }
                    </@>
                }
                if shows(EmbedRegion::Queues) { <QueuesPanel /> <StreamsPanel /> }
                if !figure && !present { <ActionLog /> }
                if shows(EmbedRegion::Log) {
                    <ContextProvider<View> context={view_of(log)}><ProtocolLog /></ContextProvider<View>>
                }
                <Narrator />
                if state.show_shortcuts { <Shortcuts /> }
            </div>
        </ContextProvider<View>>
        </ContextProvider<Engine>>
        </ContextProvider<PlaygroundContext>>
        </ContextProvider<Mount>>
    }
}
