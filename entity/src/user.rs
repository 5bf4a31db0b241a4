//! A person who can sign in.

use sea_orm::entity::prelude::*;

/// The platform-wide role of a user. Roles inside organizations and cohorts live on
/// `membership` and `cohort_staff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum UserRole {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[default]
    #[sea_orm(string_value = "USER")]
    User,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        #[sea_orm(unique)]
        pub email: Option<String>,
        pub role: UserRole,
        pub is_active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::identity::Entity")]
    Identity,
    #[sea_orm(has_many = "super::access_token::Entity")]
    AccessToken,
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
    #[sea_orm(has_many = "super::cohort_staff::Entity")]
    CohortStaff,
}

impl Related<super::identity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Identity.def()
    }
}

impl Related<super::access_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AccessToken.def()
    }
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl Related<super::cohort_staff::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CohortStaff.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
