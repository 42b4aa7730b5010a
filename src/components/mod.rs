//! Components: one per file, each rendering from the playground context or its props and
//! sending actions back as messages.

pub mod action_log;
pub mod broker_bar;
pub mod compact;
pub mod consumer_form;
pub mod consumer_row;
pub mod drawer;
pub mod embed_header;
pub mod faults_panel;
pub mod fields;
pub mod group_card;
pub mod groups_column;
pub mod header;
pub mod intro;
pub mod lesson_panel;
pub mod narrator;
pub mod notice;
pub mod offset_reset;
pub mod partition_strip;
pub mod processor_panel;
pub mod produce_record;
pub mod producer_card;
pub mod producer_form;
pub mod producers_column;
pub mod protocol_log;
pub mod rebalance_timeline;
pub mod replica_badges;
pub mod session_tools;
pub mod shortcuts;
pub mod sparkline;
pub mod speed_select;
pub mod term;
pub mod timeline_bar;
pub mod topic_form;
pub mod topic_panel;
pub mod topics_column;
