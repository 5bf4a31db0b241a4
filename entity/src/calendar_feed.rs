//! A private, revocable iCalendar feed URL: a user's events, or (for staff) a cohort's.

use sea_orm::entity::prelude::*;

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feed")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// SHA-256 of the secret in the URL.
        #[sea_orm(unique)]
        pub token_hash: String,
        /// Whose feed it is.
        pub user_id: Uuid,
        /// The cohort of a cohort feed; `None` for the user's own events.
        pub cohort_id: Option<Uuid>,
        pub revoked_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
