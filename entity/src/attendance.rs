//! Whether and how long a person attended an event, and who last adjusted it and why.

use sea_orm::entity::prelude::*;

/// Where an attendance record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AttendanceSource {
    #[default]
    #[sea_orm(string_value = "MANUAL")]
    Manual,
    #[sea_orm(string_value = "SELF_CHECK_IN")]
    SelfCheckIn,
    #[sea_orm(string_value = "IMPORT")]
    Import,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attendance")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event_id: Uuid,
        pub user_id: Uuid,
        pub minutes: i32,
        pub source: AttendanceSource,
        pub adjusted_by_id: Option<Uuid>,
        pub reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
