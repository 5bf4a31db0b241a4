//! A user's place in an organization.

use sea_orm::entity::prelude::*;

/// A member's role in their organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MembershipRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[default]
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

/// The profession a member practises; champions are counted per profession.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum Profession {
    #[default]
    #[sea_orm(string_value = "PHYSICIAN")]
    Physician,
    #[sea_orm(string_value = "NURSE_PRACTITIONER")]
    NursePractitioner,
    #[sea_orm(string_value = "NURSE")]
    Nurse,
    #[sea_orm(string_value = "BEHAVIORAL_HEALTH_CLINICIAN")]
    BehavioralHealthClinician,
    #[sea_orm(string_value = "PSYCHIATRIC_PROVIDER")]
    PsychiatricProvider,
    #[sea_orm(string_value = "CARE_MANAGER")]
    CareManager,
    #[sea_orm(string_value = "COMMUNITY_HEALTH_WORKER")]
    CommunityHealthWorker,
    #[sea_orm(string_value = "PEER_SUPPORT_SPECIALIST")]
    PeerSupportSpecialist,
    #[sea_orm(string_value = "PHARMACIST")]
    Pharmacist,
    #[sea_orm(string_value = "BILLING_SPECIALIST")]
    BillingSpecialist,
    #[sea_orm(string_value = "ADMINISTRATOR")]
    Administrator,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "membership")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organization_id: Uuid,
        pub user_id: Uuid,
        pub role: MembershipRole,
        pub profession: Profession,
        pub is_champion: bool,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id",
        on_delete = "Cascade"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
