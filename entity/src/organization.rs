//! A grantee organization: a clinic, a tribal health program, a health center.

use sea_orm::entity::prelude::*;

/// What kind of organization a grantee is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganizationKind {
    #[default]
    #[sea_orm(string_value = "CLINIC")]
    Clinic,
    #[sea_orm(string_value = "COMMUNITY_HEALTH_CENTER")]
    CommunityHealthCenter,
    #[sea_orm(string_value = "TRIBAL_HEALTH_PROGRAM")]
    TribalHealthProgram,
    #[sea_orm(string_value = "HOSPITAL")]
    Hospital,
    #[sea_orm(string_value = "HEALTH_DEPARTMENT")]
    HealthDepartment,
    #[sea_orm(string_value = "COMMUNITY_ORGANIZATION")]
    CommunityOrganization,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organization")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub kind: OrganizationKind,
        pub region: Option<String>,
        pub time_zone: Option<String>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
    #[sea_orm(has_many = "super::enrollment::Entity")]
    Enrollment,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl Related<super::enrollment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrollment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
