//! Whether this browser has seen the intro: a flag in `localStorage`, so a first visitor meets
//! the three sentences once and a returning one goes straight to the simulation. Without storage
//! (private modes, a sandboxed frame) the intro shows each time and can be dismissed.

const SEEN: &str = "brokerlab.intro.seen";

fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// No record of a dismissed intro.
pub fn first_visit() -> bool {
    storage().is_none_or(|s| s.get_item(SEEN).ok().flatten().is_none())
}

/// Remembers that the intro was dismissed.
pub fn remember_seen() {
    if let Some(s) = storage() {
        let _ = s.set_item(SEEN, "1");
    }
}
