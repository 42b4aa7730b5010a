//! RabbitMQ beside the cluster (issue 18): the node's actions, its timer in the event queue, and
//! the tee that hands every record a mirroring producer sends to the node as a publish, so both
//! brokers get the same input at the same instants.

use super::{Due, Simulation};
use crate::action::Applied;
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::{ActionError, Millis};
use crate::log::NULL_KEY;
use crate::protocol::Party;
use crate::rabbit::{Arguments, OnPoison, QueueType, RabbitConsumer, RabbitEvent, RabbitNode};

/// What RabbitMQ answered, as an action's refusal: which operation, on what, and why.
fn refused(op: &str, name: &str, why: String) -> ActionError {
    let why = why.trim_end_matches('.');
    ActionError::InvalidConfig(format!("RabbitMQ refused {op} {}: {why}.", quoted(name)))
}

fn done(summary: String) -> Applied {
    Applied {
        summary,
        partition: None,
    }
}

impl Simulation {
    /// The RabbitMQ node (empty when the scenario declares nothing).
    pub fn rabbit(&self) -> &RabbitNode {
        &self.rabbit
    }

    pub(super) fn declare_exchange(
        &mut self,
        name: &str,
        kind: &str,
    ) -> Result<Applied, ActionError> {
        self.rabbit
            .declare_exchange(name, kind)
            .map_err(|e| refused("exchange.declare", name, e))?;
        self.emit(EventKind::RabbitExchangeDeclared {
            name: name.to_string(),
            kind: kind.to_string(),
        });
        Ok(done(format!("Declared exchange {name} ({kind}).")))
    }

    pub(super) fn declare_queue(
        &mut self,
        name: &str,
        arguments: &Arguments,
    ) -> Result<Applied, ActionError> {
        self.rabbit
            .declare_queue(name, &arguments.0, self.now)
            .map_err(|e| refused("queue.declare", name, e))?;
        let queue_type = match self.rabbit.queue(name).map(|q| q.queue.args.queue_type) {
            Some(QueueType::Quorum) => "quorum",
            _ => "classic",
        };
        self.emit(EventKind::RabbitQueueDeclared {
            name: name.to_string(),
            queue_type: queue_type.to_string(),
        });
        Ok(done(format!("Declared {queue_type} queue {name}.")))
    }

    pub(super) fn bind_queue(
        &mut self,
        exchange: &str,
        queue: &str,
        routing_key: &str,
    ) -> Result<Applied, ActionError> {
        self.rabbit
            .bind_queue(exchange, queue, routing_key, Vec::new())
            .map_err(|e| refused("queue.bind", queue, e))?;
        self.emit(EventKind::RabbitQueueBound {
            exchange: exchange.to_string(),
            queue: queue.to_string(),
            routing_key: routing_key.to_string(),
        });
        Ok(done(format!(
            "Bound queue {queue} to {exchange} with {}.",
            quoted(routing_key)
        )))
    }

    pub(super) fn publish_to_rabbit(
        &mut self,
        producer: &str,
        exchange: &str,
        routing_key: &str,
    ) -> Result<Applied, ActionError> {
        let i = self.producer_index(producer)?;
        self.rabbit
            .add_publisher(producer, exchange, routing_key)
            .map_err(|e| refused("basic.publish to", exchange, e))?;
        if let Some(Some(p)) = self.producers.get_mut(i as usize) {
            p.tee.get_or_insert_with(Vec::new);
        }
        self.emit(EventKind::RabbitPublisherStarted {
            producer: i,
            exchange: exchange.to_string(),
            routing_key: routing_key.to_string(),
        });
        Ok(done(format!(
            "{producer} now also publishes every record to {exchange}."
        )))
    }

    pub(super) fn add_rabbit_consumer(
        &mut self,
        name: &str,
        queue: &str,
        prefetch: u32,
        processing_us: u64,
        poison_key: Option<&str>,
        requeue_poison: bool,
    ) -> Result<Applied, ActionError> {
        super::apply::validate_client_name("RabbitMQ consumer", name)?;
        if processing_us > crate::consumer::config::MAX_PROCESSING_US {
            return Err(ActionError::InvalidConfig(format!(
                "processing_us is {processing_us}; an application takes 0 to {} microseconds \
                 per message.",
                crate::consumer::config::MAX_PROCESSING_US
            )));
        }
        if prefetch > u32::from(u16::MAX) {
            return Err(ActionError::InvalidConfig(format!(
                "prefetch is {prefetch}; basic.qos takes 0 (unlimited) to 65535 messages."
            )));
        }
        let mut c = RabbitConsumer::new(name, queue, prefetch, processing_us);
        // A key never seen cannot match a record yet; interning it lets later records match.
        c.poison_key = poison_key.map(|k| self.keys.intern(k));
        c.on_poison = if requeue_poison {
            OnPoison::Requeue
        } else {
            OnPoison::DeadLetter
        };
        self.rabbit
            .add_consumer(c, self.now)
            .map_err(|e| refused("basic.consume on", queue, e))?;
        self.emit(EventKind::RabbitConsumerAdded {
            name: name.to_string(),
            queue: queue.to_string(),
            prefetch,
        });
        self.reschedule_rabbit();
        Ok(done(format!("{name} consumes from {queue}.")))
    }

    pub(super) fn close_rabbit_consumer(&mut self, name: &str) -> Result<Applied, ActionError> {
        let Some(c) = self.rabbit.consumer(name) else {
            return Err(ActionError::UnknownClient {
                kind: "RabbitMQ consumer".into(),
                name: name.to_string(),
            });
        };
        let queue = c.queue.clone();
        let before = self.rabbit.queue(&queue).map_or(0, |q| q.unacked());
        self.rabbit
            .close_consumer(name, self.now)
            .map_err(|e| refused("channel.close of", name, e))?;
        let after = self.rabbit.queue(&queue).map_or(0, |q| q.unacked());
        self.emit(EventKind::RabbitConsumerClosed {
            name: name.to_string(),
            queue,
            requeued: before.saturating_sub(after) as u64,
        });
        self.reschedule_rabbit();
        Ok(done(format!(
            "{name}'s channel closed: its unacknowledged messages are back in the queue."
        )))
    }

    /// A RabbitMQ consumer's time per message (`set_processing_time` on a name that is not a
    /// Kafka consumer).
    /// `None` when there is no such RabbitMQ consumer either.
    pub(super) fn set_rabbit_processing(
        &mut self,
        name: &str,
        us: u64,
    ) -> Option<Result<Applied, ActionError>> {
        self.rabbit.consumer(name)?;
        let max = crate::consumer::config::MAX_PROCESSING_US;
        if us > max {
            return Some(Err(ActionError::InvalidConfig(format!(
                "us is {us}; an application takes 0 to {max} microseconds per message."
            ))));
        }
        let set = self.rabbit.set_processing_us(name, us);
        Some(
            set.map(|_| done(format!("{name} now takes {us} µs per message.")))
                .map_err(|e| refused("basic.qos of", name, e)),
        )
    }

    /// Publishes what a mirroring producer sent since the last time.
    pub(super) fn tee_to_rabbit(&mut self, party: Party) {
        let Party::Producer(i) = party else {
            return;
        };
        let Some(Some(p)) = self.producers.get_mut(i as usize) else {
            return;
        };
        let Some(tee) = p.tee.as_mut().filter(|t| !t.is_empty()) else {
            return;
        };
        let records = std::mem::take(tee);
        let name = p.name.clone();
        for (key, bytes) in records {
            let (id, text) = match key {
                NULL_KEY => (None, None),
                k => (Some(k), self.keys.text(k)),
            };
            self.rabbit
                .publish(self.now, &name, id, text.as_deref(), bytes);
        }
        self.reschedule_rabbit();
    }

    pub(super) fn on_rabbit_timer(&mut self, at: Millis) {
        if self.rabbit_timer_at == Some(at) {
            self.rabbit_timer_at = None;
            self.rabbit.on_timer(at);
            for e in self.rabbit.take_events() {
                self.emit(match e {
                    RabbitEvent::DeadLettered {
                        queue,
                        reason,
                        exchange,
                        count,
                    } => EventKind::RabbitDeadLettered {
                        queue,
                        reason: reason.as_str().to_string(),
                        exchange,
                        count,
                    },
                    RabbitEvent::Dropped {
                        queue,
                        reason,
                        count,
                    } => EventKind::RabbitDropped {
                        queue,
                        reason: reason.as_str().to_string(),
                        count,
                    },
                });
            }
        }
        self.reschedule_rabbit();
    }

    pub(super) fn reschedule_rabbit(&mut self) {
        if let Some(t) = self.rabbit.next_deadline() {
            let t = t.max(self.now);
            if self.rabbit_timer_at.is_none_or(|s| t < s) {
                self.rabbit_timer_at = Some(t);
                self.queue.push(t, Due::RabbitTimer);
            }
        }
    }
}
