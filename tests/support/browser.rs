//! For the benchmarks that run in Chromium: the page's clock, and a pause that lets the browser
//! answer the test driver, whose commands time out after 30 s of a busy page.

pub fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// Yields to the browser for one task (a `setTimeout(0)`; a headless page runs at most one a
/// second, so call it seldom: see [`Breather`]).
pub async fn breathe() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Yields once every few seconds of busy page.
pub struct Breather(f64);

impl Breather {
    pub fn new() -> Self {
        Breather(now_ms())
    }

    pub async fn maybe(&mut self) {
        if now_ms() - self.0 > 10_000.0 {
            breathe().await;
            self.0 = now_ms();
        }
    }
}
