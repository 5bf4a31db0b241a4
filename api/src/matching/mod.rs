//! Peer matching: organizations' self-assessments (needs, expertise, growth), matching runs
//! that staff compute with the engine (`peerlearn_matching`), edit and publish, and the matches
//! that organizations answer, meet in, complete and rate.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
