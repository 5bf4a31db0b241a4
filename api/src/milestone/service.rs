//! Milestone use cases: posting and editing, progress, review, the showcase's two yeses,
//! comments and kudos. Every change of status, visibility, review or showcase state is
//! recorded with who made it, when, and the values before and after.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enrollment::{self, EnrollmentStatus};
use entity::membership;
use entity::milestone::{self, MilestoneStatus, MilestoneVisibility, ReviewState};
use entity::milestone_change::{self, ChangeKind};
use entity::{
    milestone_comment, milestone_credit, milestone_kudos, milestone_progress, milestone_topic,
};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveEnum as _, ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder as _, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Actor, Viewer};
use crate::error::{ApiError, FieldErrorCode, is_unique_violation};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::milestone::policy::{self, milestone_scope, showcased};
use crate::store::{begin_write, find_in_scope, update_versioned};
use crate::topic::service::check_topic_ids;
use crate::validate::{Validator, has_control_characters};

/// Longest title.
pub const TITLE_MAX: usize = 200;
/// Longest description, progress note or comment.
pub const TEXT_MAX: usize = 5000;
/// Most topics on one milestone.
pub const TOPICS_MAX: usize = 10;
/// Most evidence links on one milestone.
pub const EVIDENCE_MAX: usize = 20;
/// Longest evidence URL.
pub const URL_MAX: usize = 2000;
/// Longest evidence label.
pub const LABEL_MAX: usize = 200;
/// Most members credited on the showcase.
pub const CREDITS_MAX: usize = 20;

/// A link to evidence of a milestone: a report, a dashboard, a news story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLink {
    /// An `http` or `https` URL.
    pub url: String,
    /// What the link shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The evidence links stored on `milestone`; a row that cannot be read has none.
pub fn evidence_of(milestone: &milestone::Model) -> Vec<EvidenceLink> {
    serde_json::from_value(milestone.evidence.clone()).unwrap_or_default()
}

/// Evidence links as stored.
fn stored(links: &[EvidenceLink]) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(links).map_err(|err| ApiError::Internal(err.into()))
}

/// What a new milestone starts with.
#[derive(Debug, Clone)]
pub struct NewMilestone {
    pub cohort_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub topic_ids: Vec<Uuid>,
    pub status: MilestoneStatus,
    pub target_on: Option<NaiveDate>,
    pub achieved_on: Option<NaiveDate>,
    pub visibility: MilestoneVisibility,
    pub evidence: Vec<EvidenceLink>,
}

/// Changes to a milestone; `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct MilestoneChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub topic_ids: Option<Vec<Uuid>>,
    pub status: Option<MilestoneStatus>,
    pub target_on: Option<Option<NaiveDate>>,
    pub achieved_on: Option<Option<NaiveDate>>,
    pub visibility: Option<MilestoneVisibility>,
    pub evidence: Option<Vec<EvidenceLink>>,
}

/// A new entry of a milestone's progress timeline.
#[derive(Debug, Clone)]
pub struct NewProgress {
    pub note: String,
    /// The day it happened; today if omitted.
    pub occurred_on: Option<NaiveDate>,
    /// The milestone's new status, if it changed.
    pub status: Option<MilestoneStatus>,
    /// The achievement date, when the new status is `ACHIEVED`.
    pub achieved_on: Option<NaiveDate>,
}

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// The milestone is verified.
    Verify,
    /// The organization should change it; a comment says what.
    RequestChanges,
}

/// The latest calendar date anywhere on Earth (UTC+14): an achievement dated today by someone
/// in any time zone is not in the future.
pub fn latest_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(14)).date_naive()
}

/// The milestone `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_milestone(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<milestone::Model, ApiError> {
    find_in_scope::<milestone::Entity>(
        db,
        milestone::Column::Id,
        id,
        milestone_scope(viewer),
        "milestone",
    )
    .await
}

/// A page of the public showcase, newest achievement first: of one cohort (by slug) or of all.
pub async fn list_showcase(
    db: &DatabaseConnection,
    cohort_slug: Option<&str>,
    page: &Page,
) -> Result<(Slice<milestone::Model>, TotalCount), ApiError> {
    let order = showcase_order();
    page.check(&order)?;
    let mut select = milestone::Entity::find().filter(showcased());
    if let Some(slug) = cohort_slug {
        if has_control_characters(slug) {
            return Err(ApiError::NotFound("cohort"));
        }
        select = select.filter(
            milestone::Column::CohortId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::cohort::Column::Id)
                    .from(entity::cohort::Entity)
                    .and_where(entity::cohort::Column::Slug.eq(slug.trim()))
                    .to_owned(),
            ),
        );
    }
    fetch_page(db, select, &order, page).await
}

/// The showcase's order: newest achievement first.
pub fn showcase_order() -> Order<milestone::Entity> {
    Order::by(
        "achievedOn",
        milestone::Column::AchievedOn,
        milestone::Column::Id,
    )
    .direction_of(true)
}

fn check_achievement(v: &mut Validator, status: MilestoneStatus, achieved_on: Option<NaiveDate>) {
    match (status, achieved_on) {
        (MilestoneStatus::Achieved, None) => v.reject(
            "achievedOn",
            FieldErrorCode::Blank,
            "is required when the status is ACHIEVED",
        ),
        (MilestoneStatus::Achieved, Some(day)) if day > latest_today() => v.reject(
            "achievedOn",
            FieldErrorCode::Invalid,
            "must not be in the future",
        ),
        (MilestoneStatus::Achieved, Some(_)) | (_, None) => {}
        (_, Some(_)) => v.reject(
            "achievedOn",
            FieldErrorCode::Invalid,
            "only an achieved milestone has an achievement date",
        ),
    }
}

/// Checks the evidence links: at most [`EVIDENCE_MAX`], each an absolute `http` or `https`
/// URL with a host, with an optional label. Returns them trimmed.
fn check_evidence(v: &mut Validator, links: Vec<EvidenceLink>) -> Vec<EvidenceLink> {
    if links.len() > EVIDENCE_MAX {
        v.reject(
            "evidence",
            FieldErrorCode::Invalid,
            format!("must have at most {EVIDENCE_MAX} links"),
        );
        return Vec::new();
    }
    let mut checked = Vec::with_capacity(links.len());
    for (index, link) in links.into_iter().enumerate() {
        let Some(url) = v.url(&format!("evidence.{index}.url"), &link.url, URL_MAX) else {
            continue;
        };
        let label = v.optional_text(
            &format!("evidence.{index}.label"),
            link.label.as_deref(),
            LABEL_MAX,
        );
        checked.push(EvidenceLink { url, label });
    }
    checked
}

async fn set_topics(
    db: &impl ConnectionTrait,
    milestone: Uuid,
    topics: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    milestone_topic::Entity::delete_many()
        .filter(milestone_topic::Column::MilestoneId.eq(milestone))
        .exec(db)
        .await?;
    if topics.is_empty() {
        return Ok(());
    }
    milestone_topic::Entity::insert_many(topics.iter().map(|topic| milestone_topic::ActiveModel {
        id: Set(Uuid::now_v7()),
        milestone_id: Set(milestone),
        topic_id: Set(*topic),
        created_at: Set(now),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// One entry of a milestone's history, before it is written.
struct Change {
    kind: ChangeKind,
    before: Option<String>,
    after: Option<String>,
    comment: Option<String>,
}

impl Change {
    fn new(kind: ChangeKind, before: Option<String>, after: Option<String>) -> Self {
        Self {
            kind,
            before,
            after,
            comment: None,
        }
    }

    fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

fn name<T: sea_orm::ActiveEnum<Value = String>>(value: T) -> Option<String> {
    Some(value.into_value())
}

/// What a showcase field holds, for the history: given or not.
fn given(at: Option<DateTime<Utc>>) -> Option<String> {
    Some(if at.is_some() { "GIVEN" } else { "NONE" }.to_owned())
}

async fn record(
    db: &impl ConnectionTrait,
    milestone: Uuid,
    actor: &Actor,
    changes: Vec<Change>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if changes.is_empty() {
        return Ok(());
    }
    milestone_change::Entity::insert_many(changes.into_iter().map(|change| {
        milestone_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            milestone_id: Set(milestone),
            actor_id: Set(Some(actor.user_id)),
            kind: Set(change.kind),
            before: Set(change.before),
            after: Set(change.after),
            comment: Set(change.comment),
            created_at: Set(now),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Writes `changes` to the milestone `id` if its version is still `expected_version`.
async fn save(
    txn: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    changes: milestone::ActiveModel,
) -> Result<milestone::Model, ApiError> {
    update_versioned(
        txn,
        milestone::Column::Id,
        milestone::Column::Version,
        id,
        expected_version,
        changes,
        "milestone",
    )
    .await
}

/// Posts a milestone for an organization in a cohort it is actively enrolled in.
///
/// **Permissions**: the organization's members, and admins.
pub async fn create_milestone(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewMilestone,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    crate::organization::service::visible_organization(db, viewer, input.organization_id).await?;
    crate::cohort::service::visible_cohort(db, viewer, input.cohort_id).await?;
    policy::check_edit(actor, input.organization_id)?;
    let mut v = Validator::new();
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::CohortId.eq(input.cohort_id))
        .filter(enrollment::Column::OrganizationId.eq(input.organization_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .count(db)
        .await?;
    if enrolled == 0 {
        v.reject(
            "cohortId",
            FieldErrorCode::Invalid,
            "the organization is not enrolled in this cohort",
        );
    }
    let title = v.text("title", &input.title, TITLE_MAX);
    let description = v.optional_text("description", input.description.as_deref(), TEXT_MAX);
    check_achievement(&mut v, input.status, input.achieved_on);
    let evidence = check_evidence(&mut v, input.evidence);
    let topics = check_topic_ids(db, &mut v, "topicIds", &input.topic_ids, TOPICS_MAX).await?;
    v.finish()?;
    let now = Utc::now();
    let created = milestone::ActiveModel {
        id: Set(Uuid::now_v7()),
        cohort_id: Set(input.cohort_id),
        organization_id: Set(input.organization_id),
        title: Set(title.unwrap_or_default()),
        description: Set(description),
        status: Set(input.status),
        target_on: Set(input.target_on),
        achieved_on: Set(input.achieved_on),
        visibility: Set(input.visibility),
        evidence: Set(stored(&evidence)?),
        review_state: Set(ReviewState::Unreviewed),
        review_comment: Set(None),
        reviewed_by_id: Set(None),
        reviewed_at: Set(None),
        consented_by_id: Set(None),
        consented_at: Set(None),
        approved_by_id: Set(None),
        approved_at: Set(None),
        created_by_id: Set(Some(actor.user_id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    set_topics(db, created.id, &topics, now).await?;
    let mut created_change = Change::new(ChangeKind::Created, None, name(input.status));
    created_change.comment = Some(format!("visibility {}", input.visibility.into_value()));
    record(db, created.id, actor, vec![created_change], now).await?;
    Ok(created)
}

/// The history entries and showcase resets that an edit of `current` into `status`,
/// `visibility` and (when `content` changed) new content implies, applied to `active`.
fn consequences(
    current: &milestone::Model,
    active: &mut milestone::ActiveModel,
    status: MilestoneStatus,
    visibility: MilestoneVisibility,
    content_changed: bool,
) -> Vec<Change> {
    let mut changes = Vec::new();
    if status != current.status {
        active.status = Set(status);
        changes.push(Change::new(
            ChangeKind::Status,
            name(current.status),
            name(status),
        ));
    }
    if visibility != current.visibility {
        active.visibility = Set(visibility);
        changes.push(Change::new(
            ChangeKind::Visibility,
            name(current.visibility),
            name(visibility),
        ));
    }
    let leaves_public = visibility != MilestoneVisibility::Public;
    if leaves_public && current.consented_at.is_some() {
        active.consented_at = Set(None);
        active.consented_by_id = Set(None);
        changes.push(
            Change::new(
                ChangeKind::ShowcaseConsent,
                given(current.consented_at),
                given(None),
            )
            .with_comment("no longer public"),
        );
    }
    if (leaves_public || content_changed || status != current.status)
        && current.approved_at.is_some()
    {
        active.approved_at = Set(None);
        active.approved_by_id = Set(None);
        changes.push(
            Change::new(
                ChangeKind::ShowcaseApproval,
                given(current.approved_at),
                given(None),
            )
            .with_comment(if leaves_public {
                "no longer public"
            } else {
                "changed after approval"
            }),
        );
    }
    if (content_changed || status != current.status)
        && current.review_state != ReviewState::Unreviewed
    {
        active.review_state = Set(ReviewState::Unreviewed);
        changes.push(
            Change::new(
                ChangeKind::Review,
                name(current.review_state),
                name(ReviewState::Unreviewed),
            )
            .with_comment("changed after review"),
        );
    }
    changes
}

/// Updates a milestone if `expected_version` is current. Changing what it says (or its
/// status) after a review asks for a new review and takes it off the showcase until staff
/// approve it again; making it other than `PUBLIC` withdraws consent and approval.
///
/// **Permissions**: the organization's members, and admins.
pub async fn update_milestone(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    input: MilestoneChanges,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    policy::check_edit(actor, current.organization_id)?;
    let mut v = Validator::new();
    let mut active = milestone::ActiveModel {
        title: v.text_change("title", input.title.clone(), TITLE_MAX),
        description: v.optional_text_change("description", input.description.clone(), TEXT_MAX),
        ..Default::default()
    };
    let status = input.status.unwrap_or(current.status);
    let achieved_on = match input.achieved_on {
        Some(day) => day,
        // Leaving ACHIEVED drops the date; staying keeps it.
        None if status != MilestoneStatus::Achieved => None,
        None => current.achieved_on,
    };
    check_achievement(&mut v, status, achieved_on);
    if achieved_on != current.achieved_on {
        active.achieved_on = Set(achieved_on);
    }
    if let Some(target_on) = input.target_on {
        active.target_on = Set(target_on);
    }
    let evidence = input.evidence.map(|links| check_evidence(&mut v, links));
    let topics = match &input.topic_ids {
        Some(ids) => Some(check_topic_ids(&txn, &mut v, "topicIds", ids, TOPICS_MAX).await?),
        None => None,
    };
    v.finish()?;
    let mut content_changed = achieved_on != current.achieved_on;
    if let ActiveValue::Set(title) = &active.title {
        content_changed |= *title != current.title;
    }
    if let ActiveValue::Set(description) = &active.description {
        content_changed |= *description != current.description;
    }
    if let Some(evidence) = &evidence {
        let value = stored(evidence)?;
        content_changed |= value != current.evidence;
        active.evidence = Set(value);
    }
    let now = Utc::now();
    let mut new_topics = None;
    if let Some(topics) = topics {
        let before = milestone_topic::Entity::find()
            .filter(milestone_topic::Column::MilestoneId.eq(id))
            .order_by_asc(milestone_topic::Column::Id)
            .all(&txn)
            .await?;
        let unchanged = before.len() == topics.len()
            && before
                .iter()
                .zip(&topics)
                .all(|(row, topic)| row.topic_id == *topic);
        if !unchanged {
            content_changed = true;
            new_topics = Some(topics);
        }
    }
    let visibility = input.visibility.unwrap_or(current.visibility);
    let changes = consequences(&current, &mut active, status, visibility, content_changed);
    active.updated_at = Set(now);
    // The versioned update comes first: it locks the row, so concurrent edits of one version
    // wait here and fail with `CONFLICT` before touching anything that hangs off it.
    let updated = save(&txn, id, expected_version, active).await?;
    if let Some(topics) = new_topics {
        set_topics(&txn, id, &topics, now).await?;
    }
    record(&txn, id, actor, changes, now).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Adds a dated entry to a milestone's progress timeline, perhaps changing its status.
///
/// **Permissions**: the organization's members, and admins.
pub async fn add_progress(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    input: NewProgress,
) -> Result<(milestone::Model, milestone_progress::Model), ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    policy::check_edit(actor, current.organization_id)?;
    let mut v = Validator::new();
    let note = v.text("note", &input.note, TEXT_MAX);
    let occurred_on = input.occurred_on.unwrap_or_else(|| Utc::now().date_naive());
    if occurred_on > latest_today() {
        v.reject(
            "occurredOn",
            FieldErrorCode::Invalid,
            "must not be in the future",
        );
    }
    let status = input.status.unwrap_or(current.status);
    let achieved_on = match (input.achieved_on, status) {
        (Some(day), _) => Some(day),
        (None, MilestoneStatus::Achieved) if current.status == MilestoneStatus::Achieved => {
            current.achieved_on
        }
        // Achieved as of this entry.
        (None, MilestoneStatus::Achieved) => Some(occurred_on),
        (None, _) => None,
    };
    check_achievement(&mut v, status, achieved_on);
    v.finish()?;
    let now = Utc::now();
    let mut active = milestone::ActiveModel {
        updated_at: Set(now),
        ..Default::default()
    };
    if achieved_on != current.achieved_on {
        active.achieved_on = Set(achieved_on);
    }
    let content_changed = achieved_on != current.achieved_on;
    let changes = consequences(
        &current,
        &mut active,
        status,
        current.visibility,
        content_changed,
    );
    let updated = save(&txn, id, expected_version, active).await?;
    let status_changed = status != current.status;
    let progress = milestone_progress::ActiveModel {
        id: Set(Uuid::now_v7()),
        milestone_id: Set(id),
        author_id: Set(Some(actor.user_id)),
        occurred_on: Set(occurred_on),
        note: Set(note.unwrap_or_default()),
        status_before: Set(status_changed.then_some(current.status)),
        status_after: Set(status_changed.then_some(status)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    record(&txn, id, actor, changes, now).await?;
    txn.commit().await?;
    Ok((updated, progress))
}

/// Records a review: verified, or changes requested with a comment saying what.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn review_milestone(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    decision: ReviewDecision,
    comment: Option<String>,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    policy::check_review(actor, current.cohort_id)?;
    let mut v = Validator::new();
    let comment = v.optional_text("comment", comment.as_deref(), TEXT_MAX);
    if decision == ReviewDecision::RequestChanges && comment.is_none() {
        v.reject(
            "comment",
            FieldErrorCode::Blank,
            "must say what to change when asking for changes",
        );
    }
    v.finish()?;
    let state = match decision {
        ReviewDecision::Verify => ReviewState::Verified,
        ReviewDecision::RequestChanges => ReviewState::ChangesRequested,
    };
    let now = Utc::now();
    let active = milestone::ActiveModel {
        review_state: Set(state),
        review_comment: Set(comment.clone()),
        reviewed_by_id: Set(Some(actor.user_id)),
        reviewed_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = save(&txn, id, expected_version, active).await?;
    let mut change = Change::new(ChangeKind::Review, name(current.review_state), name(state));
    change.comment = comment;
    record(&txn, id, actor, vec![change], now).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The organization's lead consents to showing the milestone publicly (making it `PUBLIC`),
/// naming the members to credit there; nobody is named unless credited. Consenting again
/// with other credits replaces them and asks staff to approve again.
///
/// **Permissions**: the organization's leads, and admins.
pub async fn consent_to_showcase(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    credited: Vec<Uuid>,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    policy::check_consent(actor, current.organization_id)?;
    let mut credits = Vec::with_capacity(credited.len());
    for user in credited {
        if !credits.contains(&user) {
            credits.push(user);
        }
    }
    let mut v = Validator::new();
    if credits.len() > CREDITS_MAX {
        v.reject(
            "creditedUserIds",
            FieldErrorCode::Invalid,
            format!("must name at most {CREDITS_MAX} members"),
        );
    } else if !credits.is_empty() {
        let members = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(current.organization_id))
            .filter(membership::Column::UserId.is_in(credits.iter().copied()))
            .count(&txn)
            .await?;
        if usize::try_from(members).ok() != Some(credits.len()) {
            v.reject(
                "creditedUserIds",
                FieldErrorCode::Invalid,
                "must name members of the organization",
            );
        }
    }
    v.finish()?;
    let before = milestone_credit::Entity::find()
        .filter(milestone_credit::Column::MilestoneId.eq(id))
        .order_by_asc(milestone_credit::Column::Id)
        .all(&txn)
        .await?;
    let credits_changed = before.len() != credits.len()
        || before
            .iter()
            .zip(&credits)
            .any(|(row, user)| row.user_id != *user);
    let now = Utc::now();
    let mut active = milestone::ActiveModel {
        consented_by_id: Set(Some(actor.user_id)),
        consented_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut changes = consequences(
        &current,
        &mut active,
        current.status,
        MilestoneVisibility::Public,
        credits_changed,
    );
    // Credits are not what reviewers verify, so they leave the review alone.
    changes.retain(|change| change.kind != ChangeKind::Review);
    active.review_state = ActiveValue::NotSet;
    changes.push(Change::new(
        ChangeKind::ShowcaseConsent,
        given(current.consented_at),
        given(Some(now)),
    ));
    let updated = save(&txn, id, expected_version, active).await?;
    if credits_changed {
        milestone_credit::Entity::delete_many()
            .filter(milestone_credit::Column::MilestoneId.eq(id))
            .exec(&txn)
            .await?;
        if !credits.is_empty() {
            milestone_credit::Entity::insert_many(credits.iter().map(|user| {
                milestone_credit::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    milestone_id: Set(id),
                    user_id: Set(*user),
                    created_at: Set(now),
                }
            }))
            .exec(&txn)
            .await?;
        }
    }
    record(&txn, id, actor, changes, now).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Cohort staff approve a consented, achieved milestone for the public showcase; it is
/// showcased from then on.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn approve_showcase(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    policy::check_review(actor, current.cohort_id)?;
    if current.version != expected_version {
        return Err(ApiError::Conflict {
            entity: "milestone",
            current_version: current.version,
        });
    }
    if current.consented_at.is_none() || current.visibility != MilestoneVisibility::Public {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::ConsentRequired,
            "the organization's lead has not consented to showing this milestone publicly",
        ));
    }
    if current.status != MilestoneStatus::Achieved {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::NotAchieved,
            "only an achieved milestone can be shown publicly",
        ));
    }
    let now = Utc::now();
    let active = milestone::ActiveModel {
        approved_by_id: Set(Some(actor.user_id)),
        approved_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = save(&txn, id, expected_version, active).await?;
    let change = Change::new(
        ChangeKind::ShowcaseApproval,
        given(current.approved_at),
        given(Some(now)),
    );
    record(&txn, id, actor, vec![change], now).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes a milestone off the showcase at once, whatever version the client read: the
/// organization's lead withdraws consent (and with it the approval), cohort staff withdraw
/// their approval. Withdrawing what is not given changes nothing.
///
/// **Permissions**: the organization's leads, the cohort's leads and coaches, and admins.
pub async fn withdraw_from_showcase(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    reason: Option<String>,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_milestone(&txn, viewer, id).await?;
    if !policy::can_withdraw(actor, current.organization_id, current.cohort_id) {
        return Err(ApiError::Forbidden);
    }
    let mut v = Validator::new();
    let reason = v.optional_text("reason", reason.as_deref(), TEXT_MAX);
    v.finish()?;
    let now = Utc::now();
    let mut changes = Vec::new();
    let withdraws_consent = policy::can_consent(actor, current.organization_id);
    let mut update = milestone::Entity::update_many()
        .filter(milestone::Column::Id.eq(id))
        .col_expr(milestone::Column::UpdatedAt, now.into())
        .col_expr(
            milestone::Column::Version,
            Expr::col(milestone::Column::Version).add(1),
        );
    if withdraws_consent && current.consented_at.is_some() {
        update = update
            .col_expr(
                milestone::Column::ConsentedAt,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(
                milestone::Column::ConsentedById,
                Option::<Uuid>::None.into(),
            );
        changes.push(Change::new(
            ChangeKind::ShowcaseConsent,
            given(current.consented_at),
            given(None),
        ));
    }
    if current.approved_at.is_some() {
        update = update
            .col_expr(
                milestone::Column::ApprovedAt,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(milestone::Column::ApprovedById, Option::<Uuid>::None.into());
        changes.push(Change::new(
            ChangeKind::ShowcaseApproval,
            given(current.approved_at),
            given(None),
        ));
    }
    if changes.is_empty() {
        txn.commit().await?;
        return Ok(current);
    }
    for change in &mut changes {
        change.comment.clone_from(&reason);
    }
    update.exec(&txn).await?;
    record(&txn, id, actor, changes, now).await?;
    let updated = visible_milestone(&txn, viewer, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Comments on a milestone.
///
/// **Permissions**: whoever sees the milestone.
pub async fn add_comment(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    milestone_id: Uuid,
    body: &str,
) -> Result<milestone_comment::Model, ApiError> {
    let actor = viewer.require()?;
    visible_milestone(db, viewer, milestone_id).await?;
    let mut v = Validator::new();
    let body = v.text("body", body, TEXT_MAX);
    v.finish()?;
    let now = Utc::now();
    Ok(milestone_comment::ActiveModel {
        id: Set(Uuid::now_v7()),
        milestone_id: Set(milestone_id),
        author_id: Set(Some(actor.user_id)),
        body: Set(body.unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Gives (or, with `give == false`, takes back) the viewer's kudos for a milestone; one per
/// person, so giving twice or taking back what was not given changes nothing.
///
/// **Permissions**: whoever sees the milestone.
pub async fn set_kudos(
    db: &DatabaseConnection,
    viewer: &Viewer,
    milestone_id: Uuid,
    give: bool,
) -> Result<milestone::Model, ApiError> {
    let actor = viewer.require()?;
    let found = visible_milestone(db, viewer, milestone_id).await?;
    if give {
        let inserted = milestone_kudos::ActiveModel {
            id: Set(Uuid::now_v7()),
            milestone_id: Set(milestone_id),
            user_id: Set(actor.user_id),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => {}
            Err(err) => return Err(err.into()),
        }
    } else {
        milestone_kudos::Entity::delete_many()
            .filter(milestone_kudos::Column::MilestoneId.eq(milestone_id))
            .filter(milestone_kudos::Column::UserId.eq(actor.user_id))
            .exec(db)
            .await?;
    }
    Ok(found)
}
