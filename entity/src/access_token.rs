//! An opaque bearer credential. Only the SHA-256 hash of the secret is stored.

use sea_orm::entity::prelude::*;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TokenKind {
    /// Created by a user or the CLI for scripts and integrations.
    #[default]
    #[sea_orm(string_value = "PERSONAL")]
    Personal,
    /// A browser session, sent as a cookie.
    #[sea_orm(string_value = "WEB_SESSION")]
    WebSession,
    /// A short-lived bearer token of a mobile app.
    #[sea_orm(string_value = "MOBILE_ACCESS")]
    MobileAccess,
    /// A mobile app's refresh token; rotated on every use.
    #[sea_orm(string_value = "MOBILE_REFRESH")]
    MobileRefresh,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_token")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub kind: TokenKind,
        pub name: String,
        /// Lowercase hex SHA-256 of the secret.
        #[sea_orm(unique)]
        pub token_hash: String,
        pub expires_at: Option<DateTimeUtc>,
        pub last_used_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
        /// Mobile tokens issued from one sign-in share a family; reusing a rotated refresh token
        /// revokes the whole family.
        pub family_id: Option<Uuid>,
        /// The browser or app that holds a session, for the user's list of sessions.
        pub user_agent: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
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
