//! Kafka Streams applications in the simulation (issue 19): starting one (its changelog topic
//! created as Kafka Streams creates it), crashing and restarting instances, driving each
//! instance when its consumer or producer moves or its own timer is due, restoring new tasks
//! from the committed changelog, and sending what instances write.

use super::{Due, Simulation};
use crate::action::{Applied, StreamsSpec};
use crate::cluster::{CleanupPolicy, IsolationLevel, TopicConfig};
use crate::consumer::{Consumer, ConsumerConfig, OffsetResetStrategy};
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::{ActionError, Millis, PartitionIdx};
use crate::party::Ctx;
use crate::producer::events::{decode, EventModel};
use crate::producer::{Producer, ProducerConfig};
use crate::protocol::Party;
use crate::streams::{
    Env, InstancePhase, ProcessingGuarantee, StreamsApp, StreamsInstance, Topology, Window,
    WriteKey,
};

/// `windowstore.changelog.additional.retention.ms`.
const CHANGELOG_EXTRA_RETENTION_MS: i64 = 86_400_000;
/// Most instances one application may have.
pub const MAX_INSTANCES: u32 = 16;

/// The topology a spec asks for, or what is wrong with it (the field and what it takes).
pub fn topology_of(spec: &StreamsSpec) -> Result<Topology, String> {
    use crate::producer::events::EventType;
    use crate::streams::{Aggregation, Emit, OnError, Windows};
    let w = &spec.window;
    let windows = match w.kind.as_str() {
        "tumbling" => Windows::tumbling(w.size_ms, w.grace_ms),
        "hopping" => Windows::hopping(
            w.size_ms,
            if w.advance_ms == 0 {
                w.size_ms
            } else {
                w.advance_ms
            },
            w.grace_ms,
        ),
        "sliding" => Windows::sliding(w.size_ms, w.grace_ms),
        "session" => Windows::session(w.size_ms, w.grace_ms),
        other => {
            return Err(format!(
                "window.kind is {}; it takes tumbling, hopping, sliding or session",
                quoted(other)
            ))
        }
    }
    .map_err(|e| format!("window: {e}"))?;
    let aggregation = match spec.aggregation.as_str() {
        "count" => Aggregation::Count,
        "sum_amount" => Aggregation::SumAmount,
        other => {
            return Err(format!(
                "aggregation is {}; it takes count or sum_amount",
                quoted(other)
            ))
        }
    };
    let filter = match spec.filter.as_deref() {
        None => None,
        Some("click") => Some(EventType::Click),
        Some("view") => Some(EventType::View),
        Some("purchase") => Some(EventType::Purchase),
        Some(other) => {
            return Err(format!(
                "filter is {}; it takes click, view or purchase",
                quoted(other)
            ))
        }
    };
    let select_key = match spec.select_key.as_deref() {
        None => None,
        Some("page") => Some(crate::streams::KeySelector::Page),
        Some("type") => Some(crate::streams::KeySelector::Type),
        Some(other) => {
            return Err(format!(
                "select_key is {}; it takes page or type (or leave it out to keep the user id)",
                quoted(other)
            ))
        }
    };
    if select_key.is_some() && spec.total_output.is_some() {
        return Err(
            "total_output with select_key is not modelled: Kafka Streams would give the \
             running total a repartition topic of its own; leave one of them out"
                .into(),
        );
    }
    let emit = match spec.emit.as_str() {
        "on_update" => Emit::OnUpdate,
        "cached" => Emit::Cached,
        "until_window_closes" => Emit::UntilWindowCloses,
        other => {
            return Err(format!(
                "emit is {}; it takes on_update, cached or until_window_closes",
                quoted(other)
            ))
        }
    };
    let guarantee = match spec.guarantee.as_str() {
        "at_least_once" => ProcessingGuarantee::AtLeastOnce,
        "exactly_once_v2" => ProcessingGuarantee::ExactlyOnceV2,
        "exactly_once" | "exactly_once_beta" => {
            return Err(format!(
                "guarantee {} was removed in Kafka 4.0; use exactly_once_v2",
                quoted(&spec.guarantee)
            ))
        }
        other => {
            return Err(format!(
                "guarantee is {}; it takes at_least_once or exactly_once_v2",
                quoted(other)
            ))
        }
    };
    let on_error = match (spec.on_error.as_str(), &spec.dead_letter_topic) {
        ("fail", None) => OnError::Fail,
        ("continue", None) => OnError::Continue,
        ("dead_letter", Some(t)) => OnError::DeadLetter(t.clone()),
        ("dead_letter", None) => return Err(
            "on_error dead_letter needs dead_letter_topic (errors.dead.letter.queue.topic.name)"
                .into(),
        ),
        (_, Some(_)) if spec.on_error != "dead_letter" => {
            return Err("dead_letter_topic is set but on_error is not dead_letter".into())
        }
        (other, _) => {
            return Err(format!(
                "on_error is {}; it takes fail, continue or dead_letter",
                quoted(other)
            ))
        }
    };
    let commit_interval_ms = spec
        .commit_interval_ms
        .unwrap_or_else(|| guarantee.default_commit_interval_ms());
    if commit_interval_ms == 0 || commit_interval_ms > 3_600_000 {
        return Err(format!(
            "commit_interval_ms is {commit_interval_ms}; it takes 1 to 3600000"
        ));
    }
    if spec.processing_us > crate::consumer::config::MAX_PROCESSING_US {
        return Err(format!(
            "processing_us is {}; an application takes 0 to {} microseconds per record",
            spec.processing_us,
            crate::consumer::config::MAX_PROCESSING_US
        ));
    }
    Ok(Topology {
        application_id: spec.application_id.clone(),
        input: spec.input.clone(),
        output: spec.output.clone(),
        filter,
        select_key,
        total_output: spec.total_output.clone(),
        aggregation,
        windows,
        emit,
        guarantee,
        commit_interval_ms,
        on_error,
        processing_us: spec.processing_us,
    })
}

impl Simulation {
    pub fn streams_apps(&self) -> &[StreamsApp] {
        &self.streams
    }

    pub(super) fn add_streams(&mut self, spec: &StreamsSpec) -> Result<Applied, ActionError> {
        let topology =
            topology_of(spec).map_err(|e| ActionError::InvalidConfig(format!("{e}.")))?;
        let session = spec.session_timeout_ms.unwrap_or(45_000);
        let cc = &self.cluster.config;
        if !(cc.group_min_session_timeout_ms..=cc.group_max_session_timeout_ms).contains(&session) {
            return Err(ActionError::InvalidConfig(format!(
                "session_timeout_ms is {session}; the brokers take {} to {}.",
                cc.group_min_session_timeout_ms, cc.group_max_session_timeout_ms
            )));
        }
        self.add_streams_app(topology, spec.instances, session)
    }

    pub(super) fn add_streams_app(
        &mut self,
        topology: Topology,
        instances: u32,
        session_timeout_ms: u64,
    ) -> Result<Applied, ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        let app = topology.application_id.clone();
        super::apply::validate_client_name("application.id", &app)?;
        if self
            .streams
            .iter()
            .any(|a| a.topology.application_id == app)
        {
            return bad(format!(
                "An application with application.id {} runs already.",
                quoted(&app)
            ));
        }
        if !(1..=MAX_INSTANCES).contains(&instances) {
            return bad(format!(
                "instances is {instances}; an application here runs 1 to {MAX_INSTANCES}."
            ));
        }
        let mut names = vec![topology.input.clone(), topology.output.clone()];
        names.extend(topology.total_output.clone());
        if let crate::streams::OnError::DeadLetter(t) = &topology.on_error {
            names.push(t.clone());
        }
        for t in &names {
            let topic = self
                .cluster
                .topic_by_name(t)
                .ok_or_else(|| ActionError::UnknownTopic(t.clone()))?;
            if topic.internal {
                return bad(format!(
                    "An application cannot use the internal topic {}.",
                    quoted(t)
                ));
            }
        }
        if topology.input == topology.output {
            return bad("The application's input and output must be different topics.".into());
        }
        if let Some(total) = &topology.total_output {
            if *total == topology.input || *total == topology.output {
                return bad(format!(
                    "total_output {} must be a topic of its own, not the input or the output.",
                    quoted(total)
                ));
            }
        }
        let partitions = self
            .cluster
            .topic_by_name(&topology.input)
            .map_or(1, |t| t.partitions.len() as u32);
        if let Some(repartition) = topology.repartition_topic() {
            if self.cluster.topic_by_name(&repartition).is_none() {
                // As many partitions as the input; kept until Streams purges what it committed.
                let config = TopicConfig {
                    cleanup_policy: CleanupPolicy::Delete,
                    retention_ms: -1,
                    segment_bytes: 52_428_800,
                    ..TopicConfig::default()
                };
                self.apply_action(crate::action::Action::CreateTopic {
                    name: repartition,
                    partitions,
                    config,
                })?;
            }
        }
        if let Some(changelog) = topology.total_changelog_topic() {
            if self.cluster.topic_by_name(&changelog).is_none() {
                // Key-value stores: compacted.
                let config = TopicConfig {
                    cleanup_policy: CleanupPolicy::Compact,
                    ..TopicConfig::default()
                };
                self.apply_action(crate::action::Action::CreateTopic {
                    name: changelog,
                    partitions,
                    config,
                })?;
            }
        }
        let changelog = topology.changelog_topic();
        if self.cluster.topic_by_name(&changelog).is_none() {
            // Window stores: compact,delete, kept for the store's retention plus a day.
            let config = TopicConfig {
                cleanup_policy: CleanupPolicy::CompactDelete,
                retention_ms: topology.windows.retention() as i64 + CHANGELOG_EXTRA_RETENTION_MS,
                ..TopicConfig::default()
            };
            self.apply_action(crate::action::Action::CreateTopic {
                name: changelog.clone(),
                partitions,
                config,
            })?;
        }
        let mut app_state = StreamsApp {
            topology,
            instances: Vec::new(),
            session_timeout_ms,
        };
        for n in 1..=instances as usize {
            let name = StreamsApp::instance_name(&app, n);
            let (ci, pi) = self.spawn_streams_clients(&app_state, &name, 1);
            app_state
                .instances
                .push(StreamsInstance::new(n as u32, name, ci, pi, self.now));
        }
        self.streams.push(app_state);
        self.emit(EventKind::StreamsAppStarted {
            application_id: app.clone(),
            instances,
        });
        Ok(Applied {
            summary: format!(
                "Started {app} with {instances} instances; its store's changelog is {changelog}."
            ),
            partition: None,
        })
    }

    fn spawn_streams_clients(
        &mut self,
        app: &StreamsApp,
        name: &str,
        incarnation: u32,
    ) -> (u32, u32) {
        let t = &app.topology;
        let eos = t.guarantee == ProcessingGuarantee::ExactlyOnceV2;
        let config = ConsumerConfig {
            group_id: Some(t.application_id.clone()),
            auto_offset_reset: OffsetResetStrategy::Earliest,
            isolation_level: if eos {
                IsolationLevel::ReadCommitted
            } else {
                IsolationLevel::ReadUncommitted
            },
            enable_auto_commit: false,
            commit_after_poll: false,
            max_poll_records: 1000,
            session_timeout_ms: app.session_timeout_ms,
            ..ConsumerConfig::default()
        };
        let now = self.now;
        let ci = self.consumers.len() as u32;
        let slot = self.audit.slot(&t.application_id);
        let mut topics = vec![t.input.clone()];
        topics.extend(t.repartition_topic());
        let mut consumer = Consumer::new(
            ci,
            format!("{name}-consumer"),
            config,
            topics,
            None,
            slot,
            now,
        );
        consumer.forward = true;
        self.consumers.push(Some(consumer));
        let pc = ProducerConfig {
            linger_ms: 100,
            transactional_id: eos.then(|| format!("{name}-{incarnation}")),
            transaction_timeout_ms: 10_000,
            transaction_ms: 0,
            ..ProducerConfig::default()
        };
        let pi = self.producers.len() as u32;
        let rng = self.rng.fork();
        let mut producer = Producer::new(pi, format!("{name}-producer"), pc, rng);
        producer.wake(now);
        self.producers.push(Some(producer));
        self.emit(EventKind::ConsumerAdded { consumer: ci });
        self.emit(EventKind::ProducerAdded { producer: pi });
        self.reschedule(Party::Consumer(ci));
        self.reschedule(Party::Producer(pi));
        (ci, pi)
    }

    fn streams_instance(&self, name: &str) -> Result<(usize, usize), ActionError> {
        for (a, app) in self.streams.iter().enumerate() {
            if let Some(k) = app.instances.iter().position(|i| i.name == name) {
                return Ok((a, k));
            }
        }
        Err(ActionError::UnknownClient {
            kind: "Kafka Streams instance".into(),
            name: name.to_string(),
        })
    }

    /// The instance's process dies: no commit, no LeaveGroup; its open transaction is left for
    /// the coordinator to abort after `transaction.timeout.ms`.
    pub(super) fn crash_streams_instance(&mut self, name: &str) -> Result<Applied, ActionError> {
        let (a, k) = self.streams_instance(name)?;
        let inst = &self.streams[a].instances[k];
        if matches!(inst.phase, InstancePhase::Crashed) {
            return Err(ActionError::InvalidState(format!(
                "{} is down already; restart it.",
                quoted(name)
            )));
        }
        let (ci, pi) = (inst.consumer, inst.producer);
        self.consumers[ci as usize] = None;
        self.forget_consumer_fetches(ci);
        self.producers[pi as usize] = None;
        self.streams[a].instances[k].crash();
        self.emit(EventKind::StreamsInstanceCrashed {
            instance: name.to_string(),
        });
        Ok(Applied {
            summary: format!(
                "{name} crashed: its tasks move to the others once the group notices."
            ),
            partition: None,
        })
    }

    /// A new process for a crashed or failed instance: new clients, no local state (its tasks
    /// restore from the changelog).
    pub(super) fn restart_streams_instance(&mut self, name: &str) -> Result<Applied, ActionError> {
        let (a, k) = self.streams_instance(name)?;
        let inst = self.streams[a].instances[k].clone();
        if !matches!(inst.phase, InstancePhase::Crashed | InstancePhase::Failed) {
            return Err(ActionError::InvalidState(format!(
                "{} is running; crash it first.",
                quoted(name)
            )));
        }
        if inst.phase == InstancePhase::Failed {
            self.consumers[inst.consumer as usize] = None;
            self.forget_consumer_fetches(inst.consumer);
            self.producers[inst.producer as usize] = None;
        }
        let app = self.streams[a].clone();
        let incarnation = inst.incarnation + 1;
        let (ci, pi) = self.spawn_streams_clients(&app, name, incarnation);
        let mut fresh = StreamsInstance::new(inst.index, name.to_string(), ci, pi, self.now);
        fresh.incarnation = incarnation;
        fresh.stats = inst.stats;
        self.streams[a].instances[k] = fresh;
        self.emit(EventKind::StreamsInstanceRestarted {
            instance: name.to_string(),
            incarnation,
        });
        Ok(Applied {
            summary: format!(
                "Restarted {name}; its tasks restore their stores from the changelog."
            ),
            partition: None,
        })
    }

    /// After a client moved: drive the instance it belongs to.
    pub(super) fn after_streams_client(&mut self, party: Party) {
        let found = self.streams.iter().enumerate().find_map(|(a, app)| {
            app.instances
                .iter()
                .position(|i| match party {
                    Party::Consumer(c) => i.consumer == c,
                    Party::Producer(p) => i.producer == p,
                    _ => false,
                })
                .map(|k| (a, k))
        });
        if let Some((a, k)) = found {
            self.drive_streams(a, k);
        }
    }

    fn drive_streams(&mut self, a: usize, k: usize) {
        // The load models of every producer, for decoding records by their origin.
        let models: Vec<Option<EventModel>> = self
            .producers
            .iter()
            .map(|p| {
                p.as_ref()
                    .and_then(|p| p.load.as_ref())
                    .and_then(|l| l.config.events.clone())
            })
            .collect();
        for _ in 0..64 {
            let inst = &self.streams[a].instances[k];
            let (ci, pi) = (inst.consumer, inst.producer);
            if matches!(inst.phase, InstancePhase::Crashed) {
                return;
            }
            let phase_before = inst.phase;
            let tasks_before = inst.tasks.len();
            let mut restored = self.changelogs_to_restore(a, k);
            let app = &mut self.streams[a];
            let inst = &mut app.instances[k];
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
            let decode_record = |r: &crate::consumer::DeliveredRecord| {
                let m = models.get(r.lineage.producer as usize)?.as_ref()?;
                Some(decode(
                    m,
                    r.lineage.producer,
                    r.lineage.partition,
                    r.lineage.record,
                ))
            };
            let mut restore = |p: PartitionIdx| restored.remove(&p).unwrap_or_default();
            let mut env = Env {
                topology: &app.topology,
                decode: &decode_record,
                restore: &mut restore,
            };
            inst.drive(&mut ctx, consumer, producer, &mut env);
            let writes = std::mem::take(&mut inst.outbox);
            let phase = inst.phase;
            let new_tasks: Vec<(u32, u64)> = if inst.tasks.len() != tasks_before {
                inst.tasks
                    .values()
                    .filter(|t| t.restoring_until.is_some() && t.processed == 0)
                    .map(|t| (t.number, t.restored))
                    .collect()
            } else {
                Vec::new()
            };
            let failure = inst.failure.clone();
            let name = inst.name.clone();
            self.flush_outbox(Party::Producer(pi));
            for (task, records) in new_tasks {
                self.emit(EventKind::StreamsTaskRestoring {
                    instance: name.clone(),
                    task,
                    records,
                });
            }
            if phase == InstancePhase::Failed && phase_before != InstancePhase::Failed {
                self.emit(EventKind::StreamsThreadFailed {
                    instance: name.clone(),
                    message: failure.unwrap_or_default(),
                });
            }
            let more = !writes.is_empty();
            self.send_streams_writes(pi, writes);
            self.reschedule(Party::Producer(pi));
            self.reschedule(Party::Consumer(ci));
            if !more {
                break;
            }
        }
        self.reschedule_streams();
    }

    fn send_streams_writes(&mut self, pi: u32, writes: Vec<crate::streams::Write>) {
        if writes.is_empty() {
            return;
        }
        let now = self.now;
        let mut ready = Vec::new();
        for w in writes {
            let Some(topic) = self.cluster.topic_id(&w.topic) else {
                continue;
            };
            let key = match w.key {
                WriteKey::Id(k) => k,
                WriteKey::Text(text) => self.keys.intern(text),
                WriteKey::Windowed(k, win) => {
                    let user = self
                        .keys
                        .text(k)
                        .map(|t| t.into_owned())
                        .unwrap_or_default();
                    self.keys.intern(&format!("{user}@{win}"))
                }
            };
            ready.push((topic, w.partition, key, w.value, w.headers, w.timestamp));
        }
        let Some(Some(producer)) = self.producers.get_mut(pi as usize) else {
            return;
        };
        for (topic, partition, key, value, headers, timestamp) in ready {
            producer.send_one(
                &self.cluster,
                topic,
                partition,
                Some(key),
                &self.keys,
                value,
                headers,
                None,
                Some(timestamp),
                now,
            );
        }
        producer.wake(now);
    }

    pub(super) fn on_streams_timer(&mut self, at: Millis) {
        if self.streams_timer_at == Some(at) {
            self.streams_timer_at = None;
            for a in 0..self.streams.len() {
                for k in 0..self.streams[a].instances.len() {
                    if self.streams[a].instances[k]
                        .next_wakeup()
                        .is_some_and(|t| t <= at)
                    {
                        self.drive_streams(a, k);
                    }
                }
            }
        }
        self.reschedule_streams();
    }

    pub(super) fn reschedule_streams(&mut self) {
        let next = self
            .streams
            .iter()
            .flat_map(|a| a.instances.iter())
            .filter_map(StreamsInstance::next_wakeup)
            .min();
        if let Some(t) = next {
            let t = t.max(self.now);
            if self.streams_timer_at.is_none_or(|s| t < s) {
                self.streams_timer_at = Some(t);
                self.queue.push(t, Due::StreamsTimer);
            }
        }
    }
}

/// `user-7@[60000,120000)` -> ("user-7", the window).
pub(super) fn parse_windowed(text: &str) -> Option<(&str, Window)> {
    let (user, w) = text.rsplit_once('@')?;
    let inclusive = w.ends_with(']');
    let inner = w.strip_prefix('[')?.strip_suffix([')', ']'])?;
    let (s, e) = inner.split_once(',')?;
    Some((
        user,
        Window {
            start: s.parse().ok()?,
            end: e.parse().ok()?,
            end_inclusive: inclusive,
        },
    ))
}
