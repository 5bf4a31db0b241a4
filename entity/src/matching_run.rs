//! A run of the matching engine over a cohort: a draft that staff edit, then publish or
//! discard. It keeps its parameters, the engine's input and who was left unmatched, as JSON.

use sea_orm::entity::prelude::*;

/// Which matching a run computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MatchingMode {
    #[default]
    #[sea_orm(string_value = "MENTORING")]
    Mentoring,
    #[sea_orm(string_value = "PEER_PAIRS")]
    PeerPairs,
    #[sea_orm(string_value = "GROUPS")]
    Groups,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RunStatus {
    #[default]
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "DISCARDED")]
    Discarded,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "matching_run")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub mode: MatchingMode,
        pub status: RunStatus,
        pub parameters: Json,
        pub problem: Json,
        pub unmatched: Json,
        pub total_score: i64,
        pub created_by_id: Option<Uuid>,
        pub published_at: Option<DateTimeUtc>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cohort::Entity",
        from = "Column::CohortId",
        to = "super::cohort::Column::Id",
        on_delete = "Cascade"
    )]
    Cohort,
    #[sea_orm(has_many = "super::peer_match::Entity")]
    PeerMatch,
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohort.def()
    }
}

impl Related<super::peer_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PeerMatch.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
