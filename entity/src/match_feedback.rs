//! An organization's rating of a match (1 to 5) with a comment; one per organization and match.

use sea_orm::entity::prelude::*;

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "match_feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub match_id: Uuid,
        pub organization_id: Uuid,
        pub author_id: Option<Uuid>,
        pub rating: i32,
        pub comment: Option<String>,
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
