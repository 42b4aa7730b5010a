//! The compact header of a figure (`?embed=1`): play/pause, step, speed and the time (or only
//! play/pause and the time with `controls=minimal`), and "Open in brokerlab", which opens the
//! full page at the state on screen (the session as a share link, built when it is followed).

use brokerlab_engine::{EmbedControls, Session};
use yew::prelude::*;

use super::notice::NoticeLine;
use super::speed_select::SpeedSelect;
use super::timeline_bar::TimelineBar;
use crate::app::{format, Mount, Msg, PlaygroundContext};

#[derive(Properties, PartialEq)]
pub struct EmbedHeaderProps {
    pub controls: EmbedControls,
    /// Presenter mode: "Leave presenter mode" in place of the link to the full page.
    #[prop_or_default]
    pub present: bool,
}

#[component]
pub fn EmbedHeader(props: &EmbedHeaderProps) -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let mount = use_context::<Mount>().unwrap_or(Mount::Page);
    let send = |msg: fn() -> Msg| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(msg()))
    };
    // The state on screen goes with the link when it is followed (deflating the session every
    // frame to keep an href up to date would cost more than the figure).
    // (Events reach Yew at the root: the link is found by its ref, not the event's target.)
    let link = use_node_ref();
    let open_full = {
        let state = state.clone();
        let link = link.clone();
        let mount = mount.clone();
        Callback::from(move |_: MouseEvent| {
            let session = Session::of(&state.timeline.borrow());
            let url = mount.full_page_url(Some(&session.to_fragment()));
            if let Some(a) = link.cast::<web_sys::Element>() {
                let _ = a.set_attribute("href", &url);
            }
        })
    };
    let open_link = if props.present {
        let state = state.clone();
        html! {
            <button class="btn small open-full" onclick={Callback::from(move |_: MouseEvent| state.dispatch(Msg::Present(false)))}>
                {"Leave presenter mode"}
            </button>
        }
    } else {
        html! {
        <a class="btn small open-full" ref={link} href={mount.full_page_url(None)} target="_blank" rel="noopener" onclick={open_full}>
            {"Open in brokerlab"}
        </a>
        }
    };
    if props.controls == EmbedControls::None {
        return html! { <div class="embed-corner">{ open_link }<NoticeLine source="header" /></div> };
    }
    let full = props.controls == EmbedControls::Full;
    html! {
        <header class="header embed-header">
            <span class="brand small-brand"><span class="logo" aria-hidden="true">{"▦"}</span>{" brokerlab"}</span>
            <div class="controls" role="group" aria-label="Time">
                <button class="btn primary play" onclick={send(|| Msg::TogglePlay)}>
                    { if state.playing { "Pause" } else { "Play" } }
                </button>
                if full {
                    <button class="btn" onclick={send(|| Msg::Step)} aria-label="Step forward">{"Step"}</button>
                    <SpeedSelect />
                }
                <output class="clock" aria-label="Simulated time" aria-live="off">{ format::time(state.snapshot.time) }</output>
            </div>
            { open_link }
            // What the address got wrong (an unknown view=, a link that cannot open).
            <NoticeLine source="header" />
            if full { <TimelineBar /> }
        </header>
    }
}
