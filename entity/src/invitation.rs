//! An invitation of an email address into an organization or onto a cohort's staff.

use sea_orm::entity::prelude::*;

use crate::cohort_staff::StaffRole;
use crate::membership::{MembershipRole, Profession};

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitation")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Lowercase email; only a provider-verified email equal to it redeems the invitation.
        pub email: String,
        pub organization_id: Option<Uuid>,
        pub membership_role: Option<MembershipRole>,
        pub profession: Option<Profession>,
        pub cohort_id: Option<Uuid>,
        pub staff_role: Option<StaffRole>,
        pub invited_by_id: Option<Uuid>,
        pub expires_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
        pub redeemed_at: Option<DateTimeUtc>,
        pub redeemed_by_id: Option<Uuid>,
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
        belongs_to = "super::cohort::Entity",
        from = "Column::CohortId",
        to = "super::cohort::Column::Id",
        on_delete = "Cascade"
    )]
    Cohort,
}

impl ActiveModelBehavior for ActiveModel {}
