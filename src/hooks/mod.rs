//! Effects at the edges of the app: the frame loop and the keyboard.

pub mod use_animation_frame;
pub mod use_keyboard;
