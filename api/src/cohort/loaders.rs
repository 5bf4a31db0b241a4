//! Loaders of cohorts, enrollments and cohort staff.

use std::sync::Arc;

use entity::enrollment::EnrollmentStatus;
use entity::{cohort, cohort_staff, enrollment, organization, user};
use sea_orm::{ColumnTrait, Condition};

use crate::cohort::policy::{cohort_scope, enrollment_scope, staff_scope};
use crate::graphql::loaders::{
    LoaderKind, Loaders, ReadAhead, Relation, by_id_loader, relation_loader,
};
use crate::graphql::pagination::Order;
use crate::organization::loaders::OrganizationById;
use crate::user::loaders::UserById;

by_id_loader!(
    /// Cohorts by id, as far as the viewer may see them.
    CohortById: cohort::Entity, cohort::Column::Id, cohort_scope
);

by_id_loader!(
    /// Enrollments by id, as far as the viewer may see them.
    EnrollmentById: enrollment::Entity, enrollment::Column::Id, enrollment_scope
);

by_id_loader!(
    /// Staff assignments by id, as far as the viewer may see them.
    CohortStaffById: cohort_staff::Entity, cohort_staff::Column::Id, staff_scope
);

relation_loader!(
    /// A cohort's staff, in the order they were assigned.
    StaffOfCohort: cohort_staff::Entity,
    cohort_staff::Column::CohortId,
    Order::by_key(cohort_staff::Column::Id),
    staff_scope,
    ahead: user::Entity => UserById
);

/// Enrollments of a parent, all of them or those of one status, oldest first.
pub struct EnrollmentRelation {
    any: Relation<enrollment::Entity>,
    active: Relation<enrollment::Entity>,
    withdrawn: Relation<enrollment::Entity>,
}

impl EnrollmentRelation {
    /// Enrollments through `parent`, each read with the row `ahead` reads.
    fn new(
        loaders: &Loaders,
        parent: enrollment::Column,
        ahead: Option<Arc<dyn ReadAhead<enrollment::Entity>>>,
    ) -> Self {
        let db = loaders.db();
        let scope = enrollment_scope(loaders.viewer());
        let order = Order::by_key(enrollment::Column::Id);
        let of_status = |status: EnrollmentStatus| {
            Relation::new(
                db,
                parent,
                order,
                Condition::all()
                    .add(scope.clone())
                    .add(enrollment::Column::Status.eq(status)),
                ahead.clone(),
            )
        };
        Self {
            active: of_status(EnrollmentStatus::Active),
            withdrawn: of_status(EnrollmentStatus::Withdrawn),
            any: Relation::new(db, parent, order, scope, ahead.clone()),
        }
    }

    /// The relation for enrollments with `status`, or all of them.
    pub fn with_status(&self, status: Option<EnrollmentStatus>) -> &Relation<enrollment::Entity> {
        match status {
            None => &self.any,
            Some(EnrollmentStatus::Active) => &self.active,
            Some(EnrollmentStatus::Withdrawn) => &self.withdrawn,
        }
    }
}

/// A cohort's enrollments, each read with its organization.
pub struct EnrollmentsOfCohort;

impl LoaderKind for EnrollmentsOfCohort {
    type Loader = EnrollmentRelation;

    fn build(loaders: &Loaders) -> Self::Loader {
        let ahead =
            loaders.read_ahead::<enrollment::Entity, organization::Entity, OrganizationById>();
        EnrollmentRelation::new(loaders, enrollment::Column::CohortId, ahead)
    }
}

/// An organization's enrollments, each read with its cohort.
pub struct EnrollmentsOfOrganization;

impl LoaderKind for EnrollmentsOfOrganization {
    type Loader = EnrollmentRelation;

    fn build(loaders: &Loaders) -> Self::Loader {
        let ahead = loaders.read_ahead::<enrollment::Entity, cohort::Entity, CohortById>();
        EnrollmentRelation::new(loaders, enrollment::Column::OrganizationId, ahead)
    }
}
