//! Keeps Tab inside an open modal dialog. A native modal `<dialog>` makes the page behind inert,
//! but Tab past its last control leaves the document (to the browser's own toolbar) rather than
//! coming back round; a keyboard user then has to find the dialog again. This wraps Tab from the
//! last control to the first and Shift+Tab from the first to the last.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// What Tab can reach in a dialog (hidden and disabled controls excluded below).
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
     textarea:not([disabled]), a[href], summary, [tabindex]:not([tabindex='-1'])";

fn focusables(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        // Rendered: a control in a closed <details> or a hidden branch has no boxes.
        .filter(|e| e.get_client_rects().length() > 0)
        .collect()
}

/// The keydown handler of a modal dialog: wraps Tab at either end.
pub fn keep_tab_inside(dialog: &Element, e: &KeyboardEvent) {
    if e.key() != "Tab" {
        return;
    }
    let all = focusables(dialog);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return e.prevent_default();
    };
    let active = crate::app::mount::active_element(dialog);
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<Element>())
    };
    let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a)));
    if e.shift_key() && (at(first) || !inside) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && (at(last) || !inside) {
        e.prevent_default();
        let _ = first.focus();
    }
}
