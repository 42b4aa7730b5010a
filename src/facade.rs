//! The JavaScript API for embedding: one opaque handle over a simulation, a few methods that
//! take and return plain data. Bad input becomes a JS exception with the engine's message;
//! serde's messages, which quote the input raw and whole, are escaped and cut first.

use brokerlab_engine::{message, ClusterConfig};
use brokerlab_engine::{Action, Simulation};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct BrokerLab {
    sim: Simulation,
}

#[wasm_bindgen]
impl BrokerLab {
    /// A new three-broker cluster with no topics, from a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: f64) -> Result<BrokerLab, JsError> {
        if !((0.0..=9_007_199_254_740_991.0).contains(&seed) && seed.fract() == 0.0) {
            return Err(JsError::new(
                "The seed must be a whole number from 0 to 2^53 - 1.",
            ));
        }
        let sim = Simulation::new(seed as u64, ClusterConfig::default())
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(BrokerLab { sim })
    }

    /// Applies an action (`{type: "create_topic", name: "orders", partitions: 6}`, ...).
    pub fn apply(&mut self, action: JsValue) -> Result<String, JsError> {
        // Through its JSON text: the one reader of the scenario format (`scenario::json`), with
        // the same messages as a scenario file.
        let text = js_sys::JSON::stringify(&action)
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| JsError::new("Not a valid action: expected an object with a type."))?;
        let action = Action::parse(&text)
            .map_err(|e| JsError::new(&message(format_args!("Not a valid action: {e}"))))?;
        self.sim
            .apply(action)
            .map(|a| a.summary)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Advances virtual time by `ms` milliseconds.
    pub fn advance(&mut self, ms: f64) -> Result<(), JsError> {
        if !(0.0..=86_400_000.0).contains(&ms) {
            return Err(JsError::new("advance takes 0 to 86400000 milliseconds."));
        }
        self.sim.advance(ms as u64);
        Ok(())
    }

    /// Current virtual time in milliseconds.
    pub fn now(&self) -> f64 {
        self.sim.now() as f64
    }

    /// The whole state as a plain object.
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(&self.sim.snapshot()).map_err(|e| JsError::new(&e.to_string()))
    }
}
