//! Who may see whom.

use entity::{cohort_staff, membership, user};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::visible_cohorts;
use crate::organization::policy::membership_scope;

/// Users the viewer may see: themselves, staff of cohorts they see, and members of
/// organizations whose members they see.
pub fn user_scope(viewer: &Viewer) -> Condition {
    let members = membership_scope(viewer);
    scope(viewer, |actor| {
        Condition::any()
            .add(user::Column::Id.eq(actor.user_id))
            .add(
                user::Column::Id.in_subquery(
                    Query::select()
                        .column(cohort_staff::Column::UserId)
                        .from(cohort_staff::Entity)
                        .and_where(cohort_staff::Column::CohortId.is_in(visible_cohorts(actor)))
                        .to_owned(),
                ),
            )
            .add(
                user::Column::Id.in_subquery(
                    Query::select()
                        .column(membership::Column::UserId)
                        .from(membership::Entity)
                        .cond_where(members)
                        .to_owned(),
                ),
            )
    })
}

/// Whether the actor may read `user`'s email address: the user themselves and admins.
pub fn can_see_email(actor: &Actor, user: Uuid) -> bool {
    actor.is_admin || actor.user_id == user
}
