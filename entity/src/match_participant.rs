//! An organization in a match: its role and its answer to the proposal.

use sea_orm::entity::prelude::*;

/// What an organization is in a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum ParticipantRole {
    #[default]
    #[sea_orm(string_value = "MENTOR")]
    Mentor,
    #[sea_orm(string_value = "MENTEE")]
    Mentee,
    #[sea_orm(string_value = "PEER")]
    Peer,
}

/// An organization's answer to a proposed match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ParticipantResponse {
    #[default]
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "match_participant")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub match_id: Uuid,
        pub organization_id: Uuid,
        pub role: ParticipantRole,
        pub response: ParticipantResponse,
        pub decline_reason: Option<String>,
        pub responded_by_id: Option<Uuid>,
        pub responded_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::peer_match::Entity",
        from = "Column::MatchId",
        to = "super::peer_match::Column::Id",
        on_delete = "Cascade"
    )]
    PeerMatch,
}

impl Related<super::peer_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PeerMatch.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
