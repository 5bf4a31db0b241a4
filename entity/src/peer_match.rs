//! A pair or group of organizations proposed by a matching run, with its score and the
//! explanation of the score (JSON), and where it stands once published.

use sea_orm::entity::prelude::*;

/// Where a match stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MatchStatus {
    #[default]
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "peer_match")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub run_id: Uuid,
        pub cohort_id: Uuid,
        pub score: i64,
        pub explanation: Json,
        pub status: MatchStatus,
        pub is_manual: bool,
        pub published_at: Option<DateTimeUtc>,
        pub activated_at: Option<DateTimeUtc>,
        pub completed_at: Option<DateTimeUtc>,
        pub last_contact_on: Option<Date>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::matching_run::Entity",
        from = "Column::RunId",
        to = "super::matching_run::Column::Id",
        on_delete = "Cascade"
    )]
    Run,
    #[sea_orm(has_many = "super::match_participant::Entity")]
    Participant,
}

impl Related<super::matching_run::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Run.def()
    }
}

impl Related<super::match_participant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
