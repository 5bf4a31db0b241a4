//! An entry of a cohort's toolkit: slides, a recording, a document or a link, standing alone or
//! attached to an event. Links only: files are stored elsewhere.

use sea_orm::entity::prelude::*;

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ResourceKind {
    #[default]
    #[sea_orm(string_value = "SLIDES")]
    Slides,
    #[sea_orm(string_value = "RECORDING")]
    Recording,
    #[sea_orm(string_value = "DOCUMENT")]
    Document,
    #[sea_orm(string_value = "LINK")]
    Link,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "resource")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub event_id: Option<Uuid>,
        pub kind: ResourceKind,
        pub title: String,
        pub url: String,
        pub description: Option<String>,
        pub created_by_id: Option<Uuid>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
