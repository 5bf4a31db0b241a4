//! The peer-learning platform API: a GraphQL server for cohorts of grantee organizations,
//! their T/TA providers and the peer learning between them.

pub mod account;
pub mod auth;
pub mod cli;
pub mod cohort;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod event;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod invitation;
pub mod matching;
pub mod milestone;
pub mod organization;
pub mod store;
pub mod topic;
pub mod user;
pub mod validate;
