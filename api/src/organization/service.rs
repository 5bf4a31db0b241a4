//! Organization and membership use cases.

use chrono::Utc;
use entity::enrollment::{self, EnrollmentStatus};
use entity::membership::{self, MembershipRole, Profession};
use entity::organization::{self, OrganizationKind};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, Set, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::organization::policy::{self, membership_scope, organization_scope};
use crate::store::{begin_write, find_in_scope, lock_row, update_versioned};
use crate::validate::{Validator, has_control_characters};

/// Longest organization name.
pub const NAME_MAX: usize = 200;
/// Longest region text.
pub const REGION_MAX: usize = 100;

/// What a new organization starts with.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub kind: OrganizationKind,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    /// Enroll the new organization into this cohort in the same transaction.
    pub cohort_id: Option<Uuid>,
}

/// Changes to an organization; `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub region: Option<Option<String>>,
    pub time_zone: Option<Option<String>>,
}

/// The organization `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_organization(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<organization::Model, ApiError> {
    find_in_scope::<organization::Entity>(
        db,
        organization::Column::Id,
        id,
        organization_scope(viewer),
        "organization",
    )
    .await
}

/// A page of the organizations the viewer may see, those whose name contains `name` (ignoring
/// case) and, given `cohort`, those enrolled in it now or before.
pub async fn list_organizations(
    db: &DatabaseConnection,
    viewer: &Viewer,
    name: Option<&str>,
    cohort: Option<Uuid>,
    order: &Order<organization::Entity>,
    page: &Page,
) -> Result<(Slice<organization::Model>, TotalCount), ApiError> {
    let mut select = organization::Entity::find().filter(organization_scope(viewer));
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > NAME_MAX || has_control_characters(name) {
            return Err(ApiError::BadUserInput(format!(
                "the name filter must be at most {NAME_MAX} characters, without control characters"
            )));
        }
        let pattern = format!("%{}%", escape_like(&name.to_lowercase()));
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((
                organization::Entity,
                organization::Column::Name,
            ))))
            .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    if let Some(cohort) = cohort {
        crate::cohort::service::visible_cohort(db, viewer, cohort).await?;
        select = select.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(enrollment::Column::OrganizationId)
                    .from(enrollment::Entity)
                    .and_where(enrollment::Column::CohortId.eq(cohort))
                    .to_owned(),
            ),
        );
    }
    fetch_page(db, select, order, page).await
}

/// Escapes the LIKE wildcards `%` and `_` (and the escape character itself).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Creates an organization, enrolled into a cohort when one is given.
///
/// **Permissions**: admins; leads and coaches of the given cohort.
pub async fn create_organization(
    db: &(impl ConnectionTrait + TransactionTrait),
    viewer: &Viewer,
    input: NewOrganization,
) -> Result<organization::Model, ApiError> {
    let actor = viewer.require()?;
    policy::check_create_organization(actor, input.cohort_id)?;
    if let Some(cohort) = input.cohort_id {
        crate::cohort::service::visible_cohort(db, viewer, cohort).await?;
    }
    let mut v = Validator::new();
    let name = v.text("name", &input.name, NAME_MAX);
    let region = v.optional_text("region", input.region.as_deref(), REGION_MAX);
    let time_zone = v.time_zone("timeZone", input.time_zone.as_deref());
    v.finish()?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let organization = organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.unwrap_or_default()),
        kind: Set(input.kind),
        region: Set(region),
        time_zone: Set(time_zone),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(cohort) = input.cohort_id {
        enrollment::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort),
            organization_id: Set(organization.id),
            status: Set(EnrollmentStatus::Active),
            withdrawn_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(organization)
}

/// Updates an organization's profile if `expected_version` is current.
///
/// **Permissions**: admins and the organization's leads.
pub async fn update_organization(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: OrganizationChanges,
) -> Result<organization::Model, ApiError> {
    let actor = viewer.require()?;
    visible_organization(db, viewer, id).await?;
    policy::check_update_organization(actor, id)?;
    let mut v = Validator::new();
    let active = organization::ActiveModel {
        name: v.text_change("name", changes.name, NAME_MAX),
        kind: changes.kind.map_or(ActiveValue::NotSet, ActiveValue::Set),
        region: v.optional_text_change("region", changes.region, REGION_MAX),
        time_zone: v.time_zone_change("timeZone", changes.time_zone),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    v.finish()?;
    update_versioned(
        db,
        organization::Column::Id,
        organization::Column::Version,
        id,
        expected_version,
        active,
        "organization",
    )
    .await
}

/// A new member of an organization.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: MembershipRole,
    pub profession: Profession,
    pub is_champion: bool,
}

/// Changes to a membership; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct MemberChanges {
    pub role: Option<MembershipRole>,
    pub profession: Option<Profession>,
    pub is_champion: Option<bool>,
}

/// Adds a user to an organization.
///
/// **Permissions**: admins and the organization's leads, for users they can see.
pub async fn add_member(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewMember,
) -> Result<membership::Model, ApiError> {
    let actor = viewer.require()?;
    visible_organization(db, viewer, input.organization_id).await?;
    policy::check_manage_members(actor, input.organization_id)?;
    crate::user::service::visible_user(db, viewer, input.user_id).await?;
    let now = Utc::now();
    membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(input.organization_id),
        user_id: Set(input.user_id),
        role: Set(input.role),
        profession: Set(input.profession),
        is_champion: Set(input.is_champion),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| ApiError::from(e).on_unique("userId", "is already a member of this organization"))
}

/// Changes a member's role, profession or champion flag if `expected_version` is current.
///
/// Runs in a transaction that first locks the organization, so two leads demoting each other
/// at the same moment cannot leave it without a lead.
///
/// **Permissions**: admins and the organization's leads.
pub async fn update_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: MemberChanges,
) -> Result<membership::Model, ApiError> {
    let actor = viewer.require()?;
    let organization = visible_membership(db, viewer, id).await?.organization_id;
    policy::check_manage_members(actor, organization)?;
    let txn = begin_write(db).await?;
    lock_row::<organization::Entity>(&txn, organization::Column::Id, organization).await?;
    let current = visible_membership(&txn, viewer, id).await?;
    if changes.role == Some(MembershipRole::Member) {
        check_keeps_a_lead(&txn, &current, "role").await?;
    }
    let mut active: membership::ActiveModel = Default::default();
    if let Some(role) = changes.role {
        active.role = Set(role);
    }
    if let Some(profession) = changes.profession {
        active.profession = Set(profession);
    }
    if let Some(is_champion) = changes.is_champion {
        active.is_champion = Set(is_champion);
    }
    active.updated_at = Set(Utc::now());
    let updated = update_versioned(
        &txn,
        membership::Column::Id,
        membership::Column::Version,
        id,
        expected_version,
        active,
        "membership",
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes a membership and returns it as it was. The last lead cannot leave.
///
/// Runs in a transaction that first locks the organization, like [`update_member`].
///
/// **Permissions**: admins, the organization's leads, and the member themselves.
pub async fn remove_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    viewer: &Viewer,
    id: Uuid,
) -> Result<membership::Model, ApiError> {
    let actor = viewer.require()?;
    let organization = visible_membership(db, viewer, id).await?.organization_id;
    let txn = begin_write(db).await?;
    lock_row::<organization::Entity>(&txn, organization::Column::Id, organization).await?;
    let current = visible_membership(&txn, viewer, id).await?;
    policy::check_remove_member(actor, &current)?;
    check_keeps_a_lead(&txn, &current, "id").await?;
    current.clone().delete(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// The membership `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_membership(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<membership::Model, ApiError> {
    find_in_scope::<membership::Entity>(
        db,
        membership::Column::Id,
        id,
        membership_scope(viewer),
        "membership",
    )
    .await
}

/// Fails with `LAST_LEAD` when `membership` is the only lead of its organization.
async fn check_keeps_a_lead(
    db: &impl ConnectionTrait,
    membership: &membership::Model,
    field: &str,
) -> Result<(), ApiError> {
    if membership.role != MembershipRole::Lead {
        return Ok(());
    }
    let leads = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(membership.organization_id))
        .filter(membership::Column::Role.eq(MembershipRole::Lead))
        .count(db)
        .await?;
    if leads <= 1 {
        return Err(ApiError::invalid(
            field,
            FieldErrorCode::LastLead,
            "an organization needs at least one lead; make someone else a lead first",
        ));
    }
    Ok(())
}
