//! A logged contact between matched organizations: a call, a visit, a shadowing day.

use sea_orm::entity::prelude::*;

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "match_contact")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub match_id: Uuid,
        pub author_id: Option<Uuid>,
        pub occurred_on: Date,
        pub note: String,
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
