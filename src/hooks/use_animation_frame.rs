//! Runs a callback on every animation frame with the real milliseconds since the previous one.
//! The gloo-render handle lives in the hook, so unmounting the component cancels the loop.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

#[hook]
pub fn use_animation_frame<F>(on_frame: F)
where
    F: Fn(f64) + 'static,
{
    let on_frame = Rc::new(on_frame);
    use_effect_with((), move |_| {
        let handle: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
        let last: Rc<RefCell<Option<f64>>> = Rc::new(RefCell::new(None));
        fn schedule(
            handle: Rc<RefCell<Option<AnimationFrame>>>,
            last: Rc<RefCell<Option<f64>>>,
            on_frame: Rc<dyn Fn(f64)>,
        ) {
            let h = handle.clone();
            let frame = request_animation_frame(move |t| {
                let dt = last.borrow().map_or(0.0, |prev| t - prev);
                *last.borrow_mut() = Some(t);
                on_frame(dt);
                schedule(h, last, on_frame);
            });
            *handle.borrow_mut() = Some(frame);
        }
        schedule(handle.clone(), last, on_frame);
        move || {
            handle.borrow_mut().take();
        }
    });
}
