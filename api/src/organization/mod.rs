//! Grantee organizations and their members.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
