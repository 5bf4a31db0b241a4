//! The topic taxonomy: billing, screening, warm handoff, EHR, funding, ...

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
