//! Schema migrations. The same migrations run on SQLite and PostgreSQL.
//!
//! Never edit a migration that has been released; add a new one instead (see CONTRIBUTING.md).

pub use sea_orm_migration::MigrationStatus;
pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261125_000001_create_user;
mod m20261125_000002_create_identity;
mod m20261125_000003_create_access_token;
mod m20261125_000004_create_organization;
mod m20261125_000005_create_membership;
mod m20261125_000006_create_cohort;
mod m20261125_000007_create_enrollment;
mod m20261125_000008_create_cohort_staff;
mod m20261125_000009_create_topic;
mod m20261125_000010_create_auth_flow;
mod m20261125_000011_create_auth_code;
mod m20261125_000012_add_session_columns_to_access_token;
mod m20261125_000013_create_invitation;
mod m20261203_000014_create_idempotency_key;
mod m20261203_000015_create_milestone;
mod m20261203_000016_create_event;
mod m20261203_000017_create_event_details;
mod m20261203_000018_create_matching;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_user::Migration),
            Box::new(m20261125_000002_create_identity::Migration),
            Box::new(m20261125_000003_create_access_token::Migration),
            Box::new(m20261125_000004_create_organization::Migration),
            Box::new(m20261125_000005_create_membership::Migration),
            Box::new(m20261125_000006_create_cohort::Migration),
            Box::new(m20261125_000007_create_enrollment::Migration),
            Box::new(m20261125_000008_create_cohort_staff::Migration),
            Box::new(m20261125_000009_create_topic::Migration),
            Box::new(m20261125_000010_create_auth_flow::Migration),
            Box::new(m20261125_000011_create_auth_code::Migration),
            Box::new(m20261125_000012_add_session_columns_to_access_token::Migration),
            Box::new(m20261125_000013_create_invitation::Migration),
            Box::new(m20261203_000014_create_idempotency_key::Migration),
            Box::new(m20261203_000015_create_milestone::Migration),
            Box::new(m20261203_000016_create_event::Migration),
            Box::new(m20261203_000017_create_event_details::Migration),
            Box::new(m20261203_000018_create_matching::Migration),
        ]
    }
}
