//! Grantee milestones: what organizations achieve in a cohort, the staff's review, comments and
//! kudos, the cohort feed and progress figures, and the consented public showcase.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
