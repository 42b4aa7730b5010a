//! The right of the picture: consumer groups with their members, and group-less consumers.

use std::rc::Rc;

use yew::prelude::*;

use super::consumer_form::ConsumerForm;
use super::consumer_row::ConsumerRow;
use super::group_card::GroupCard;
use super::notice::NoticeLine;
use crate::app::use_view;

#[component]
pub fn GroupsColumn() -> Html {
    let view = use_view();
    let snap = &view.snapshot;
    let loose: Vec<_> = snap
        .consumers
        .iter()
        .filter(|c| c.group.is_none())
        .cloned()
        .collect();
    html! {
        <section class="column groups-column" aria-labelledby="groups-title" data-point="groups">
            <div class="column-head">
                <h2 id="groups-title">{"Consumer groups"}</h2>
                <div class="tools"><ConsumerForm /></div>
            </div>
            <NoticeLine source="consumer-row" />
            if snap.groups.is_empty() && loose.is_empty() {
                <p class="empty">{"No consumers yet: Add consumer starts one."}</p>
            }
            // A fragment of their own, so a new group does not rebuild the column head (and close
            // its open drawer): Yew matches unkeyed siblings from the end.
            <>{ for snap.groups.iter().enumerate().map(|(i, g)| html! {
                <GroupCard key={g.group_id.clone()} group={Rc::new(g.clone())} color_index={i} />
            }) }</>
            if !loose.is_empty() {
                <section class="card group" aria-label="Consumers without a group">
                    <header class="card-head"><h3>{"Without a group"}</h3>
                        <span class="muted small">{"assign(): no rebalances, no commits"}</span></header>
                    <ul class="members">
                        { for loose.into_iter().map(|c| html! {
                            <ConsumerRow key={c.index} consumer={Rc::new(c.clone())} lags={Rc::new(Vec::new())} />
                        }) }
                    </ul>
                </section>
            }
        </section>
    }
}
