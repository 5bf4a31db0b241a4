//! Invitations of email addresses into organizations or onto cohort staff, redeemed when the
//! invitee signs in with a provider-verified email.

pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod service;
pub mod types;
