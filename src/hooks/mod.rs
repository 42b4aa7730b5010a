//! Effects at the edges of the app.

pub mod use_animation_frame;
