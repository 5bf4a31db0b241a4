//! Integration tests: one binary that drives the real HTTP server.

#![expect(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod authorization;
mod bad_input;
mod cli;
mod concurrency;
mod demo;
mod directory;
mod events;
mod fake_idp;
mod graphiql;
mod http;
mod idempotency;
mod introspection;
mod invitations;
mod limits;
mod login;
mod matching;
mod matrix;
mod migrations;
mod milestones;
mod mutations;
mod n_plus_one;
mod nodes;
mod pagination;
mod projection;
mod schema;
