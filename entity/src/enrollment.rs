//! An organization's place in a cohort. Withdrawing keeps the row, so history survives.

use sea_orm::entity::prelude::*;

/// Whether an organization currently takes part in a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EnrollmentStatus {
    #[default]
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrollment")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub organization_id: Uuid,
        pub status: EnrollmentStatus,
        pub withdrawn_at: Option<DateTimeUtc>,
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
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohort.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
