//! Invitation use cases, and their redemption at sign-in.

use chrono::{Duration, Utc};
use entity::cohort_staff::{self, StaffRole};
use entity::enrollment::{self, EnrollmentStatus};
use entity::invitation;
use entity::membership::{self, MembershipRole, Profession};
use entity::user;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::cohort::policy::check_manage_staff;
use crate::error::{ApiError, FieldErrorCode};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::invitation::policy::{
    can_invite_to_organization, check_not_inviting_oneself, invitation_scope, may_redeem,
};
use crate::store::find_in_scope;
use crate::validate::Validator;

/// Days an invitation stays valid unless told otherwise.
pub const DEFAULT_DAYS: u32 = 14;
/// The longest validity an invitation may have.
pub const MAX_DAYS: u32 = 90;

/// What accepting an invitation grants.
#[derive(Debug, Clone)]
pub enum Target {
    /// Membership of an organization.
    Organization {
        organization_id: Uuid,
        role: MembershipRole,
        profession: Profession,
    },
    /// A staff role in a cohort.
    CohortStaff { cohort_id: Uuid, role: StaffRole },
}

/// The invitation `id` if the viewer manages it, else `NOT_FOUND`.
pub async fn visible_invitation(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<invitation::Model, ApiError> {
    find_in_scope::<invitation::Entity>(
        db,
        invitation::Column::Id,
        id,
        invitation_scope(viewer),
        "invitation",
    )
    .await
}

/// A page of the invitations the viewer manages.
pub async fn list_invitations(
    db: &DatabaseConnection,
    viewer: &Viewer,
    page: &Page,
) -> Result<(Slice<invitation::Model>, TotalCount), ApiError> {
    let select = invitation::Entity::find().filter(invitation_scope(viewer));
    fetch_page(db, select, &Order::by_key(invitation::Column::Id), page).await
}

/// Invites `email`.
///
/// **Permissions**: see `invitation::policy`.
pub async fn create_invitation(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    email: &str,
    target: Target,
    expires_in_days: Option<i32>,
) -> Result<invitation::Model, ApiError> {
    let actor = viewer.require()?;
    match &target {
        Target::Organization {
            organization_id,
            role,
            ..
        } => {
            crate::organization::service::visible_organization(db, viewer, *organization_id)
                .await?;
            let active_cohorts: Vec<Uuid> = enrollment::Entity::find()
                .select_only()
                .column(enrollment::Column::CohortId)
                .filter(enrollment::Column::OrganizationId.eq(*organization_id))
                .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
                .into_tuple()
                .all(db)
                .await?;
            let has_lead = membership::Entity::find()
                .filter(membership::Column::OrganizationId.eq(*organization_id))
                .filter(membership::Column::Role.eq(MembershipRole::Lead))
                .count(db)
                .await?
                > 0;
            if !can_invite_to_organization(
                actor,
                *organization_id,
                *role,
                &active_cohorts,
                has_lead,
            ) {
                return Err(ApiError::Forbidden);
            }
        }
        Target::CohortStaff { cohort_id, .. } => {
            crate::cohort::service::visible_cohort(db, viewer, *cohort_id).await?;
            check_manage_staff(actor, *cohort_id)?;
        }
    }
    let mut v = Validator::new();
    let email = v.text("email", email, 320).map(|e| e.to_lowercase());
    if let Some(email) = &email
        && !is_plausible_email(email)
    {
        v.reject("email", FieldErrorCode::Invalid, "must be an email address");
    }
    let days = expires_in_days.unwrap_or(DEFAULT_DAYS as i32);
    if !(1..=MAX_DAYS as i32).contains(&days) {
        v.reject(
            "expiresInDays",
            FieldErrorCode::Invalid,
            format!("must be between 1 and {MAX_DAYS}"),
        );
    }
    v.finish()?;
    if let Some(email) = &email {
        check_not_inviting_oneself(actor, email)?;
    }
    let now = Utc::now();
    let mut model = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.unwrap_or_default()),
        organization_id: Set(None),
        membership_role: Set(None),
        profession: Set(None),
        cohort_id: Set(None),
        staff_role: Set(None),
        invited_by_id: Set(Some(actor.user_id)),
        expires_at: Set(now + Duration::days(i64::from(days))),
        revoked_at: Set(None),
        redeemed_at: Set(None),
        redeemed_by_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match target {
        Target::Organization {
            organization_id,
            role,
            profession,
        } => {
            model.organization_id = Set(Some(organization_id));
            model.membership_role = Set(Some(role));
            model.profession = Set(Some(profession));
        }
        Target::CohortStaff { cohort_id, role } => {
            model.cohort_id = Set(Some(cohort_id));
            model.staff_role = Set(Some(role));
        }
    }
    Ok(model.insert(db).await?)
}

fn is_plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Revokes a pending invitation. A redeemed one cannot be revoked.
///
/// **Permissions**: whoever may see it (see `invitation::policy`).
pub async fn revoke_invitation(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<invitation::Model, ApiError> {
    viewer.require()?;
    let current = visible_invitation(db, viewer, id).await?;
    if current.redeemed_at.is_some() {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::Invalid,
            "the invitation was already accepted",
        ));
    }
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let now = Utc::now();
    // Only while still unredeemed: a redemption racing this revoke wins or loses as a whole.
    let revoked = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now))
        .col_expr(invitation::Column::UpdatedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::RedeemedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if revoked.rows_affected != 1 {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::Invalid,
            "the invitation was accepted meanwhile",
        ));
    }
    visible_invitation(db, viewer, id).await
}

fn pending(email: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(invitation::Column::Email.eq(email))
        .add(invitation::Column::RedeemedAt.is_null())
        .add(invitation::Column::RevokedAt.is_null())
        .add(invitation::Column::ExpiresAt.gt(Utc::now()))
}

/// Whether `email` has an invitation that can still be redeemed.
pub async fn has_pending(db: &impl ConnectionTrait, email: &str) -> Result<bool, ApiError> {
    Ok(invitation::Entity::find()
        .filter(pending(email))
        .count(db)
        .await?
        > 0)
}

/// Redeems every pending invitation of `email` for `user`: each grants its membership or staff
/// role once; a redeemed, revoked or expired invitation grants nothing.
pub async fn redeem_invitations(
    db: &impl ConnectionTrait,
    user: &user::Model,
    email: &str,
) -> Result<(), ApiError> {
    let now = Utc::now();
    for found in invitation::Entity::find()
        .filter(pending(email))
        .all(db)
        .await?
    {
        if !may_redeem(&found, user) {
            continue;
        }
        // Claim it first, so two sign-ins at once cannot both redeem it.
        let claimed = invitation::Entity::update_many()
            .col_expr(invitation::Column::RedeemedAt, Expr::value(now))
            .col_expr(invitation::Column::RedeemedById, Expr::value(user.id))
            .col_expr(invitation::Column::UpdatedAt, Expr::value(now))
            .filter(invitation::Column::Id.eq(found.id))
            .filter(pending(email))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        if let (Some(organization_id), Some(role), Some(profession)) = (
            found.organization_id,
            found.membership_role,
            found.profession,
        ) {
            let exists = membership::Entity::find()
                .filter(membership::Column::OrganizationId.eq(organization_id))
                .filter(membership::Column::UserId.eq(user.id))
                .count(db)
                .await?
                > 0;
            if !exists {
                membership::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(organization_id),
                    user_id: Set(user.id),
                    role: Set(role),
                    profession: Set(profession),
                    is_champion: Set(false),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        if let (Some(cohort_id), Some(role)) = (found.cohort_id, found.staff_role) {
            let exists = cohort_staff::Entity::find()
                .filter(cohort_staff::Column::CohortId.eq(cohort_id))
                .filter(cohort_staff::Column::UserId.eq(user.id))
                .count(db)
                .await?
                > 0;
            if !exists {
                cohort_staff::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    cohort_id: Set(cohort_id),
                    user_id: Set(user.id),
                    role: Set(role),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}
