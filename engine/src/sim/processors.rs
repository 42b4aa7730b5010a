//! Processors in the simulation: creating one (a consumer and a producer that belong to it),
//! driving it whenever one of its clients moved, crashing and restarting it.

use super::Simulation;
use crate::action::Applied;
use crate::cluster::IsolationLevel;
use crate::consumer::{Consumer, ConsumerConfig, OffsetResetStrategy};
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::ActionError;
use crate::party::Ctx;
use crate::processor::{Guarantee, Phase, Processor};
use crate::producer::{Producer, ProducerConfig};
use crate::protocol::Party;

impl Simulation {
    /// After a client ran: if it belongs to a processor, let the processor react.
    pub(super) fn after_client(&mut self, party: Party) {
        self.tee_to_rabbit(party);
        if !self.streams.is_empty() {
            self.after_streams_client(party);
        }
        if !self.views.is_empty() {
            self.after_view_client(party);
        }
        let owner = match party {
            Party::Consumer(i) => self.consumer(i).and_then(|c| c.owner),
            Party::Producer(i) => self.producer(i).and_then(|p| p.owner),
            _ => None,
        };
        if let Some(p) = owner {
            self.drive_processor(p);
        }
    }

    pub(super) fn drive_processor(&mut self, i: u32) {
        let Some(Some(proc_)) = self.processors.get_mut(i as usize) else {
            return;
        };
        let (ci, pi) = (proc_.consumer, proc_.producer);
        let phase_before = proc_.phase;
        let (Some(Some(consumer)), Some(Some(producer))) = (
            self.consumers.get_mut(ci as usize),
            self.producers.get_mut(pi as usize),
        ) else {
            return;
        };
        let mut ctx = Ctx::new(
            self.now,
            &self.cluster,
            &self.keys,
            &mut self.audit,
            &mut self.outbox,
        );
        proc_.drive(&mut ctx, consumer, producer);
        let progressed = !self.outbox.is_empty() || proc_.phase != phase_before;
        self.flush_outbox(Party::Producer(pi));
        self.reschedule(Party::Producer(pi));
        self.reschedule(Party::Consumer(ci));
        self.reschedule_after_wake(Party::Processor(i), progressed);
    }

    fn processor_index(&self, name: &str) -> Result<u32, ActionError> {
        self.processors()
            .find(|p| p.name == name)
            .map(|p| p.index)
            .ok_or_else(|| ActionError::UnknownClient {
                kind: "processor".into(),
                name: name.to_string(),
            })
    }

    /// The consumer and producer configs of a processor's incarnation.
    fn processor_clients(
        name: &str,
        group: &str,
        guarantee: Guarantee,
        processing_us: u64,
    ) -> (ConsumerConfig, ProducerConfig) {
        let exactly_once = guarantee == Guarantee::ExactlyOnce;
        let consumer = ConsumerConfig {
            group_id: Some(group.to_string()),
            // Static membership: a restarted instance takes its old place without a rebalance.
            group_instance_id: Some(name.to_string()),
            auto_offset_reset: OffsetResetStrategy::Earliest,
            isolation_level: if exactly_once {
                IsolationLevel::ReadCommitted
            } else {
                IsolationLevel::ReadUncommitted
            },
            enable_auto_commit: !exactly_once,
            commit_after_poll: false,
            processing_us: 0,
            session_timeout_ms: 10_000,
            ..ConsumerConfig::default()
        };
        let producer = ProducerConfig {
            transactional_id: exactly_once.then(|| name.to_string()),
            transaction_ms: 0,
            ..ProducerConfig::default()
        };
        let _ = processing_us;
        (consumer, producer)
    }

    /// Creates the consumer and producer of a processor incarnation; returns their indices.
    fn spawn_processor_clients(&mut self, p: &Processor) -> (u32, u32) {
        let (cc, pc) = Self::processor_clients(&p.name, &p.group, p.guarantee, p.processing_us);
        let now = self.now;
        let ci = self.consumers.len() as u32;
        let slot = self.audit.slot(&p.group);
        let mut consumer = Consumer::new(
            ci,
            format!("{}-consumer", p.name),
            cc,
            vec![p.input.clone()],
            None,
            slot,
            now,
        );
        consumer.forward = true;
        consumer.owner = Some(p.index);
        self.consumers.push(Some(consumer));
        let pi = self.producers.len() as u32;
        let rng = self.rng.fork();
        let mut producer = Producer::new(pi, format!("{}-producer", p.name), pc, rng);
        producer.owner = Some(p.index);
        producer.wake(now);
        self.producers.push(Some(producer));
        self.emit(EventKind::ConsumerAdded { consumer: ci });
        self.emit(EventKind::ProducerAdded { producer: pi });
        (ci, pi)
    }

    pub(super) fn add_processor(
        &mut self,
        name: String,
        input: String,
        output: String,
        group: Option<String>,
        guarantee: Guarantee,
        processing_us: u64,
    ) -> Result<Applied, ActionError> {
        super::apply::validate_client_name("processor", &name)?;
        if self.processor_index(&name).is_ok() {
            return Err(ActionError::ClientExists {
                kind: "processor".into(),
                name,
            });
        }
        for t in [&input, &output] {
            let topic = self
                .cluster
                .topic_by_name(t)
                .ok_or_else(|| ActionError::UnknownTopic(t.clone()))?;
            if topic.internal {
                return Err(ActionError::InvalidConfig(format!(
                    "A processor cannot use the internal topic {}.",
                    quoted(t)
                )));
            }
        }
        if input == output {
            return Err(ActionError::InvalidConfig(
                "A processor's input and output must be different topics.".into(),
            ));
        }
        if processing_us > 60_000_000 {
            return Err(ActionError::InvalidConfig(
                "Processing time must be at most a minute per record (60000000 µs).".into(),
            ));
        }
        for n in [format!("{name}-consumer"), format!("{name}-producer")] {
            if self.consumer_index(&n).is_ok() || self.producer_index(&n).is_ok() {
                return Err(ActionError::ClientExists {
                    kind: "client".into(),
                    name: n,
                });
            }
        }
        let group = group.unwrap_or_else(|| name.clone());
        crate::cluster::validate_topic_name(&group).map_err(|_| {
            ActionError::InvalidConfig(format!(
                "Group {} must follow the topic name rules here.",
                quoted(&group)
            ))
        })?;
        let index = self.processors.len() as u32;
        let mut p = Processor::new(
            index,
            name.clone(),
            input,
            output,
            group,
            guarantee,
            processing_us,
            0,
            0,
        );
        let (ci, pi) = self.spawn_processor_clients(&p);
        p.consumer = ci;
        p.producer = pi;
        self.processors.push(Some(p));
        self.emit(EventKind::ProcessorAdded { processor: index });
        self.reschedule(Party::Consumer(ci));
        self.reschedule(Party::Producer(pi));
        Ok(Applied {
            summary: format!("Started processor {name}."),
            partition: None,
        })
    }

    /// The processor's process dies: its consumer and producer vanish without a word.
    pub(super) fn crash_processor(&mut self, name: &str) -> Result<Applied, ActionError> {
        let i = self.processor_index(name)?;
        let p = self.processors[i as usize].as_ref().expect("exists");
        if p.phase == Phase::Crashed {
            return Err(ActionError::InvalidState(format!(
                "Processor {} is already down; restart it.",
                quoted(name)
            )));
        }
        let (ci, pi) = (p.consumer, p.producer);
        self.consumers[ci as usize] = None;
        self.forget_consumer_fetches(ci);
        self.producers[pi as usize] = None;
        let p = self.processors[i as usize].as_mut().expect("exists");
        p.phase = Phase::Crashed;
        p.stats.crashes += 1;
        p.scheduled = None;
        self.emit(EventKind::ProcessorCrashed { processor: i });
        Ok(Applied {
            summary: format!("Crashed processor {name}: its open transaction and uncommitted work are left behind."),
            partition: None,
        })
    }

    /// A new incarnation with the same transactional.id and group.instance.id.
    pub(super) fn restart_processor(&mut self, name: &str) -> Result<Applied, ActionError> {
        let i = self.processor_index(name)?;
        let p = self.processors[i as usize]
            .as_ref()
            .expect("exists")
            .clone();
        if p.phase != Phase::Crashed {
            return Err(ActionError::InvalidState(format!(
                "Processor {} is running; crash it first.",
                quoted(name)
            )));
        }
        let (ci, pi) = self.spawn_processor_clients(&p);
        let proc_ = self.processors[i as usize].as_mut().expect("exists");
        proc_.consumer = ci;
        proc_.producer = pi;
        proc_.phase = Phase::Polling;
        proc_.incarnation += 1;
        proc_.reset_pending();
        let incarnation = proc_.incarnation;
        self.emit(EventKind::ProcessorRestarted {
            processor: i,
            incarnation,
        });
        self.reschedule(Party::Consumer(ci));
        self.reschedule(Party::Producer(pi));
        Ok(Applied {
            summary: format!("Restarted processor {name} (incarnation {incarnation})."),
            partition: None,
        })
    }
}
