//! Cohort, enrollment and staff use cases.

use chrono::{NaiveDate, Utc};
use entity::cohort;
use entity::cohort_staff::{self, StaffRole};
use entity::enrollment::{self, EnrollmentStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::cohort::policy::{self, cohort_scope, staff_scope};
use crate::error::{ApiError, FieldErrorCode, is_unique_violation};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::store::{find_in_scope, update_versioned};
use crate::validate::{Validator, has_control_characters};

/// Longest cohort name.
pub const NAME_MAX: usize = 200;
/// Longest cohort description.
pub const DESCRIPTION_MAX: usize = 5000;

const SLUG_TAKEN: &str = "another cohort already uses this slug";

/// What a new cohort starts with.
#[derive(Debug, Clone)]
pub struct NewCohort {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// Changes to a cohort; `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct CohortChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
}

fn check_dates(v: &mut Validator, starts_on: Option<NaiveDate>, ends_on: Option<NaiveDate>) {
    if let (Some(start), Some(end)) = (starts_on, ends_on)
        && end < start
    {
        v.reject(
            "endsOn",
            FieldErrorCode::Invalid,
            "must not be before startsOn",
        );
    }
}

/// The cohort `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_cohort(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<cohort::Model, ApiError> {
    find_in_scope::<cohort::Entity>(db, cohort::Column::Id, id, cohort_scope(viewer), "cohort")
        .await
}

/// A page of the cohorts the viewer may see.
pub async fn list_cohorts(
    db: &DatabaseConnection,
    viewer: &Viewer,
    order: &Order<cohort::Entity>,
    page: &Page,
) -> Result<(Slice<cohort::Model>, TotalCount), ApiError> {
    fetch_page(
        db,
        cohort::Entity::find().filter(cohort_scope(viewer)),
        order,
        page,
    )
    .await
}

/// The cohort with `slug` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_cohort_by_slug(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    slug: &str,
) -> Result<cohort::Model, ApiError> {
    if has_control_characters(slug) {
        // No slug holds one, and PostgreSQL cannot compare text with a NUL byte.
        return Err(ApiError::NotFound("cohort"));
    }
    find_in_scope::<cohort::Entity>(
        db,
        cohort::Column::Slug,
        slug.trim(),
        cohort_scope(viewer),
        "cohort",
    )
    .await
}

/// Creates a cohort.
///
/// **Permissions**: admins.
pub async fn create_cohort(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewCohort,
) -> Result<cohort::Model, ApiError> {
    policy::check_create_cohort(viewer.require()?)?;
    let mut v = Validator::new();
    let slug = v.slug("slug", &input.slug);
    let name = v.text("name", &input.name, NAME_MAX);
    let description = v.optional_text("description", input.description.as_deref(), DESCRIPTION_MAX);
    check_dates(&mut v, input.starts_on, input.ends_on);
    v.finish()?;
    let now = Utc::now();
    cohort::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.unwrap_or_default()),
        name: Set(name.unwrap_or_default()),
        description: Set(description),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| ApiError::from(e).on_unique("slug", SLUG_TAKEN))
}

/// Updates a cohort if `expected_version` is current.
///
/// **Permissions**: admins, and the cohort's leads and coaches.
pub async fn update_cohort(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: CohortChanges,
) -> Result<cohort::Model, ApiError> {
    let actor = viewer.require()?;
    let current = visible_cohort(db, viewer, id).await?;
    policy::check_manage_cohort(actor, id)?;
    let mut v = Validator::new();
    let mut active = cohort::ActiveModel {
        slug: v.slug_change("slug", changes.slug),
        name: v.text_change("name", changes.name, NAME_MAX),
        description: v.optional_text_change("description", changes.description, DESCRIPTION_MAX),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let starts_on = changes.starts_on.unwrap_or(current.starts_on);
    let ends_on = changes.ends_on.unwrap_or(current.ends_on);
    check_dates(&mut v, starts_on, ends_on);
    if changes.starts_on.is_some() {
        active.starts_on = Set(starts_on);
    }
    if changes.ends_on.is_some() {
        active.ends_on = Set(ends_on);
    }
    v.finish()?;
    update_versioned(
        db,
        cohort::Column::Id,
        cohort::Column::Version,
        id,
        expected_version,
        active,
        "cohort",
    )
    .await
    .map_err(|e| e.on_unique("slug", SLUG_TAKEN))
}

/// Enrolls an organization in a cohort. Enrolling an active organization again changes
/// nothing; enrolling a withdrawn one reactivates its enrollment.
///
/// **Permissions**: admins, and the cohort's leads and coaches, for organizations they see.
pub async fn enroll_organization(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cohort_id: Uuid,
    organization_id: Uuid,
) -> Result<enrollment::Model, ApiError> {
    let actor = viewer.require()?;
    visible_cohort(db, viewer, cohort_id).await?;
    policy::check_manage_cohort(actor, cohort_id)?;
    crate::organization::service::visible_organization(db, viewer, organization_id).await?;
    let now = Utc::now();
    match find_enrollment(db, cohort_id, organization_id).await? {
        Some(existing) if existing.status == EnrollmentStatus::Active => Ok(existing),
        Some(existing) => {
            let mut active: enrollment::ActiveModel = existing.into();
            active.status = Set(EnrollmentStatus::Active);
            active.withdrawn_at = Set(None);
            active.updated_at = Set(now);
            Ok(active.update(db).await?)
        }
        None => {
            let inserted = enrollment::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(cohort_id),
                organization_id: Set(organization_id),
                status: Set(EnrollmentStatus::Active),
                withdrawn_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await;
            match inserted {
                Ok(enrollment) => Ok(enrollment),
                // A concurrent request enrolled it first: the outcome is the same.
                Err(err) if is_unique_violation(&err) => {
                    find_enrollment(db, cohort_id, organization_id)
                        .await?
                        .ok_or_else(|| err.into())
                }
                Err(err) => Err(err.into()),
            }
        }
    }
}

/// Withdraws an organization from a cohort, keeping the enrollment as history. Withdrawing a
/// withdrawn organization changes nothing.
///
/// **Permissions**: admins, and the cohort's leads and coaches.
pub async fn withdraw_organization(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cohort_id: Uuid,
    organization_id: Uuid,
) -> Result<enrollment::Model, ApiError> {
    let actor = viewer.require()?;
    visible_cohort(db, viewer, cohort_id).await?;
    policy::check_manage_cohort(actor, cohort_id)?;
    let existing = find_enrollment(db, cohort_id, organization_id)
        .await?
        .ok_or(ApiError::NotFound("enrollment"))?;
    if existing.status == EnrollmentStatus::Withdrawn {
        return Ok(existing);
    }
    let now = Utc::now();
    let mut active: enrollment::ActiveModel = existing.into();
    active.status = Set(EnrollmentStatus::Withdrawn);
    active.withdrawn_at = Set(Some(now));
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

async fn find_enrollment(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
    organization_id: Uuid,
) -> Result<Option<enrollment::Model>, ApiError> {
    Ok(enrollment::Entity::find()
        .filter(enrollment::Column::CohortId.eq(cohort_id))
        .filter(enrollment::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?)
}

/// Makes a user staff of a cohort with `role`, or changes the role of existing staff.
///
/// **Permissions**: admins and the cohort's leads, for users they can see.
pub async fn assign_cohort_staff(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cohort_id: Uuid,
    user_id: Uuid,
    role: StaffRole,
) -> Result<cohort_staff::Model, ApiError> {
    let actor = viewer.require()?;
    visible_cohort(db, viewer, cohort_id).await?;
    policy::check_manage_staff(actor, cohort_id)?;
    crate::user::service::visible_user(db, viewer, user_id).await?;
    let now = Utc::now();
    match find_staff(db, cohort_id, user_id).await? {
        Some(existing) => set_staff_role(db, existing, role, now).await,
        None => {
            let inserted = cohort_staff::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(cohort_id),
                user_id: Set(user_id),
                role: Set(role),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await;
            match inserted {
                Ok(staff) => Ok(staff),
                // A concurrent request assigned them first; apply this role over theirs.
                Err(err) if is_unique_violation(&err) => {
                    let existing = find_staff(db, cohort_id, user_id)
                        .await?
                        .ok_or_else(|| ApiError::from(err))?;
                    set_staff_role(db, existing, role, now).await
                }
                Err(err) => Err(err.into()),
            }
        }
    }
}

async fn find_staff(
    db: &impl ConnectionTrait,
    cohort_id: Uuid,
    user_id: Uuid,
) -> Result<Option<cohort_staff::Model>, ApiError> {
    Ok(cohort_staff::Entity::find()
        .filter(cohort_staff::Column::CohortId.eq(cohort_id))
        .filter(cohort_staff::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

async fn set_staff_role(
    db: &impl ConnectionTrait,
    existing: cohort_staff::Model,
    role: StaffRole,
    now: chrono::DateTime<Utc>,
) -> Result<cohort_staff::Model, ApiError> {
    if existing.role == role {
        return Ok(existing);
    }
    let mut active: cohort_staff::ActiveModel = existing.into();
    active.role = Set(role);
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// Removes a staff assignment and returns it as it was.
///
/// **Permissions**: admins and the cohort's leads.
pub async fn remove_cohort_staff(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<cohort_staff::Model, ApiError> {
    let actor = viewer.require()?;
    let current = find_in_scope::<cohort_staff::Entity>(
        db,
        cohort_staff::Column::Id,
        id,
        staff_scope(viewer),
        "cohort staff",
    )
    .await?;
    policy::check_manage_staff(actor, current.cohort_id)?;
    current.clone().delete(db).await?;
    Ok(current)
}
