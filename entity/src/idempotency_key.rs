//! A key a client sent with a create mutation, so that a retry returns the first result.

use sea_orm::entity::prelude::*;

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_key")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Keys are per user and operation.
        pub user_id: Uuid,
        /// The mutation, for example `createOrganization`.
        pub operation: String,
        /// The client's key.
        pub key: String,
        /// SHA-256 (hex) of the request's input: the same key with another input is refused.
        pub fingerprint: String,
        /// The object the first request created; set in the same transaction.
        pub result_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        /// After this the key may be used again.
        pub expires_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
