//! Cohorts, the organizations enrolled in them, and the T/TA staff who run them.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
