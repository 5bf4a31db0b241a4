//! A user's own sign-in methods: external identities, sessions and personal access tokens;
//! and deactivation of users by administrators.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod service;
pub mod types;
