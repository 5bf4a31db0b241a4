//! Users: the signed-in viewer and the people they can see.

pub mod loaders;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
