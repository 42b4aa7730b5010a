//! Effects at the edges of the app: the frame loop, the keyboard, focus in dialogs.

pub mod focus_trap;
pub mod use_animation_frame;
pub mod use_dark;
pub mod use_host_bridge;
pub mod use_keyboard;
