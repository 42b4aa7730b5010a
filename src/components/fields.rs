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

/// Parses a whole number field, with a message naming the field.
pub fn parse_u64(label: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("{label} must be a whole number."))
}

/// Parses a decimal number field.
pub fn parse_f64(label: &str, text: &str) -> Result<f64, String> {
    match crate::app::decimal::parse(text) {
        Some(v) => Ok(v),
        None => Err(format!("{label} must be a number.")),
    }
}
