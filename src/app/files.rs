//! Session files in and out of the page: an import (file picker or drop) is checked for size
//! before it is read and opened through the same `Session` reader as links and the command line;
//! an export or a long session's download is a Blob saved through a temporary link.

use brokerlab_engine::Session;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{Msg, Playground};

/// Reads `file` and opens it as the session (paused at its time), or says why not; the session
/// on screen stays as it was until the new one is ready.
pub fn import(file: web_sys::File, dispatch: UseReducerDispatcher<Playground>) {
    let name = file.name();
    let max = Session::MAX_JSON_BYTES;
    if file.size() > max as f64 {
        dispatch.dispatch(Msg::Say(Err(format!(
            "{}: the file is {} bytes; a session or scenario file may take at most {max}.",
            brokerlab_engine::quoted(&name),
            file.size()
        ))));
        return;
    }
    yew::platform::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|v| v.as_string());
        let shown = brokerlab_engine::quoted(&name).to_string();
        let msg = match text {
            None => Msg::Say(Err(format!("{shown}: the file could not be read as text."))),
            Some(text) => match Session::from_file(&text).and_then(Session::open) {
                Ok(t) => Msg::Open {
                    timeline: Box::new(t),
                    origin: name,
                    playing: false,
                },
                Err(e) => Msg::Say(Err(format!("{shown} cannot be opened: {e}"))),
            },
        };
        dispatch.dispatch(msg);
    });
}

/// Saves `text` as a file called `name` (JSON).
pub fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = gloo::utils::document();
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A file name for the session: where it came from and the time on screen.
pub fn file_name(origin: &str, time_ms: u64) -> String {
    let base: String = origin
        .trim_end_matches(".json")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    format!("brokerlab-{base}-{}ms.json", time_ms)
}
