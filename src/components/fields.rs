//! Small labelled inputs shared by the forms.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub placeholder: AttrValue,
    #[prop_or_default]
    pub kind: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub min: Option<AttrValue>,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    #[prop_or_default]
    pub list: Option<AttrValue>,
}

/// A labelled `<input>` reporting its text on every keystroke.
#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.value());
        })
    };
    html! {
        <label class="field">
            <span class="label">{ props.label.clone() }</span>
            <input
                type={props.kind.clone().unwrap_or("text".into())}
                value={props.value.clone()}
                placeholder={props.placeholder.clone()}
                min={props.min.clone()} max={props.max.clone()} step={props.step.clone()}
                list={props.list.clone()}
                aria-label={props.label.clone()}
                aria-invalid={props.error.is_some().to_string()}
                {oninput} />
            if let Some(e) = &props.error {
                <span class="field-error" role="alert">{ e.clone() }</span>
            }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    /// (value, text) pairs.
    pub options: Vec<(String, String)>,
    pub onchange: Callback<String>,
}

/// A labelled `<select>`.
#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(s.value());
        })
    };
    html! {
        <label class="field">
            <span class="label">{ props.label.clone() }</span>
            <select {onchange} aria-label={props.label.clone()}>
                { for props.options.iter().map(|(v, t)| html! {
                    <option value={v.clone()} selected={*v == *props.value}>{ t.clone() }</option>
                }) }
            </select>
        </label>
    }
}

/// A field's callback that writes its new text into the form state through `field`.
pub fn setter<F: Clone + 'static>(
    form: &UseStateHandle<F>,
    field: fn(&mut F, String),
) -> Callback<String> {
    let form = form.clone();
    Callback::from(move |v: String| {
        let mut next = (*form).clone();
        field(&mut next, v);
        form.set(next);
    })
}

/// What a number field holds, read as a person means it: `1e12` is a number (a field then names
/// its limit, where "must be a whole number" sent people looking for a typo), and so is a long
/// run of digits.
enum Reading {
    Empty,
    NotANumber,
    Value(f64),
}

fn reading(text: &str) -> Reading {
    let t = text.trim();
    if t.is_empty() {
        return Reading::Empty;
    }
    if let Some(v) = crate::app::decimal::parse(t) {
        return Reading::Value(v);
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a decimal reads exactly: far beyond any field's limit.
        let huge = 10f64.powi(unsigned.len().min(400) as i32 - 1);
        return Reading::Value(if t.starts_with('-') { -huge } else { huge });
    }
    if let Some((m, e)) = t.split_once(['e', 'E']) {
        if let (Some(m), Ok(e)) = (crate::app::decimal::parse(m), e.parse::<i32>()) {
            return Reading::Value(m * 10f64.powi(e.clamp(-400, 400)));
        }
    }
    Reading::NotANumber
}

/// Parses a whole number field, with a message naming the field: empty, not a number, negative,
/// with a fraction, or beyond what any setting takes. A number too large for the setting itself
/// reaches the engine, whose message names the setting's limit.
pub fn parse_u64(label: &str, text: &str) -> Result<u64, String> {
    if let Ok(n) = text.trim().parse::<u64>() {
        return Ok(n);
    }
    match reading(text) {
        Reading::Empty => Err(format!("{label} is empty: enter a whole number.")),
        Reading::NotANumber => Err(format!("{label} must be a number.")),
        Reading::Value(v) if v < 0.0 => Err(format!("{label} must be 0 or more.")),
        Reading::Value(v) if v.fract() != 0.0 => Err(format!("{label} must be a whole number.")),
        Reading::Value(v) if v >= u64::MAX as f64 => {
            Err(format!("{label} is far too large (at most {}).", u64::MAX))
        }
        Reading::Value(v) => Ok(v as u64),
    }
}

/// Parses a decimal number field (exponents included), with a message naming the field when it
/// is empty or not a number; its range is the caller's or the engine's to check.
pub fn parse_f64(label: &str, text: &str) -> Result<f64, String> {
    match reading(text) {
        Reading::Empty => Err(format!("{label} is empty: enter a number.")),
        Reading::NotANumber => Err(format!("{label} must be a number.")),
        Reading::Value(v) => Ok(v),
    }
}

/// The topics a form offers, in the snapshot's order.
pub fn topic_names(snapshot: &brokerlab_engine::Snapshot) -> Vec<String> {
    snapshot.topics.iter().map(|t| t.name.clone()).collect()
}
