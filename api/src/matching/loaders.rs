//! Loaders of assessments, matching runs, matches and what hangs off them, and of the
//! figures built on them (an organization's needs and growth, a cohort's match health).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, NaiveDate, Utc};
use entity::peer_match::MatchStatus;
use entity::{
    assessment, assessment_rating, match_contact, match_feedback, match_participant, matching_run,
    peer_match,
};
use sea_orm::sea_query::{Query, ValueType};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::graphql::loaders::{LoaderKind, Loaders, batched, by_id_loader, relation_loader};
use crate::graphql::pagination::Order;
use crate::matching::policy::{
    assessment_child_scope, assessment_scope, feedback_scope, match_child_scope, match_scope,
    run_scope,
};

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<DbErr>>;

/// Ratings the viewer may see: those of assessments they see.
pub fn rating_scope(viewer: &Viewer) -> Condition {
    assessment_child_scope(viewer, assessment_rating::Column::AssessmentId)
}

/// Participants the viewer may see: those of matches they see.
pub fn participant_scope(viewer: &Viewer) -> Condition {
    match_child_scope(viewer, match_participant::Column::MatchId)
}

/// Contacts the viewer may see: those of matches they see.
pub fn contact_scope(viewer: &Viewer) -> Condition {
    match_child_scope(viewer, match_contact::Column::MatchId)
}

by_id_loader!(
    /// Assessments by id, as far as the viewer may see them.
    AssessmentById: assessment::Entity, assessment::Column::Id, assessment_scope
);

by_id_loader!(
    /// Matching runs by id, as far as the viewer may see them.
    MatchingRunById: matching_run::Entity, matching_run::Column::Id, run_scope
);

by_id_loader!(
    /// Matches by id, as far as the viewer may see them.
    PeerMatchById: peer_match::Entity, peer_match::Column::Id, match_scope
);

by_id_loader!(
    /// Match participants by id, as far as the viewer may see them.
    ParticipantById: match_participant::Entity, match_participant::Column::Id, participant_scope
);

by_id_loader!(
    /// Match contacts by id, as far as the viewer may see them.
    ContactById: match_contact::Entity, match_contact::Column::Id, contact_scope
);

by_id_loader!(
    /// Match feedback by id, as far as the viewer may see it.
    FeedbackById: match_feedback::Entity, match_feedback::Column::Id, feedback_scope
);

relation_loader!(
    /// An organization's assessments, newest first.
    AssessmentsOfOrganization: assessment::Entity,
    assessment::Column::OrganizationId,
    Order::by_key(assessment::Column::Id).direction_of(true),
    assessment_scope
);

relation_loader!(
    /// A cohort's matching runs, newest first.
    RunsOfCohort: matching_run::Entity,
    matching_run::Column::CohortId,
    Order::by_key(matching_run::Column::Id).direction_of(true),
    run_scope
);

relation_loader!(
    /// A run's matches, in the order they were made.
    MatchesOfRun: peer_match::Entity,
    peer_match::Column::RunId,
    Order::by_key(peer_match::Column::Id),
    match_scope
);

relation_loader!(
    /// An organization's places in matches, newest first.
    ParticipationsOfOrganization: match_participant::Entity,
    match_participant::Column::OrganizationId,
    Order::by_key(match_participant::Column::Id).direction_of(true),
    participant_scope
);

relation_loader!(
    /// A match's logged contacts, earliest date first.
    ContactsOfMatch: match_contact::Entity,
    match_contact::Column::MatchId,
    Order::by(
        "occurredOn",
        match_contact::Column::OccurredOn,
        match_contact::Column::Id
    ),
    contact_scope
);

/// Loads, for many parents, all their children of `E` (a short list, never paged) in order of
/// the primary key, inside a scope, in one statement.
pub struct ListLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    key: E::Column,
    scope: Condition,
    entity: PhantomData<E>,
}

impl<E> Loader<Uuid> for ListLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<Vec<E::Model>> {
        let rows = E::find()
            .filter(self.parent.is_in(keys.iter().copied()))
            .filter(self.scope.clone())
            .order_by_asc(self.key)
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, Vec<E::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Ok(parent) = <Uuid as ValueType>::try_from(row.get(self.parent)) {
                result.entry(parent).or_default().push(row);
            }
        }
        Ok(result)
    }
}

fn list<E>(
    db: &DatabaseConnection,
    parent: E::Column,
    key: E::Column,
    scope: Condition,
) -> DataLoader<ListLoader<E>>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    batched(ListLoader {
        db: db.clone(),
        parent,
        key,
        scope,
        entity: PhantomData,
    })
}

/// The ratings of each assessment.
pub struct RatingsOfAssessment;

impl LoaderKind for RatingsOfAssessment {
    type Loader = DataLoader<ListLoader<assessment_rating::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        list(
            db,
            assessment_rating::Column::AssessmentId,
            assessment_rating::Column::Id,
            rating_scope(viewer),
        )
    }
}

/// The participants of each match.
pub struct ParticipantsOfMatch;

impl LoaderKind for ParticipantsOfMatch {
    type Loader = DataLoader<ListLoader<match_participant::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        list(
            db,
            match_participant::Column::MatchId,
            match_participant::Column::Id,
            participant_scope(viewer),
        )
    }
}

/// The feedback on each match that the viewer may see.
pub struct FeedbackOfMatch;

impl LoaderKind for FeedbackOfMatch {
    type Loader = DataLoader<ListLoader<match_feedback::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        list(
            db,
            match_feedback::Column::MatchId,
            match_feedback::Column::Id,
            feedback_scope(viewer),
        )
    }
}

/// What an organization's assessments say together: how many there are, and the ratings of
/// the first and of the latest.
#[derive(Debug, Clone, Default)]
pub struct AssessmentSummary {
    /// Number of assessments.
    pub count: u64,
    /// Ratings of the first assessment.
    pub first: Vec<assessment_rating::Model>,
    /// Ratings of the latest assessment.
    pub latest: Vec<assessment_rating::Model>,
}

/// Summarises the assessments of many organizations in two statements.
pub struct AssessmentSummaryLoader {
    db: DatabaseConnection,
    scope: Condition,
}

impl Loader<Uuid> for AssessmentSummaryLoader {
    type Value = AssessmentSummary;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<AssessmentSummary> {
        // Ids are UUID v7, so the smallest is the first submitted and the largest the latest.
        let assessments = assessment::Entity::find()
            .select_only()
            .column(assessment::Column::Id)
            .column(assessment::Column::OrganizationId)
            .filter(assessment::Column::OrganizationId.is_in(keys.iter().copied()))
            .filter(self.scope.clone())
            .order_by_asc(assessment::Column::Id)
            .into_tuple::<(Uuid, Uuid)>()
            .all(&self.db)
            .await?;
        let mut ends: HashMap<Uuid, (Uuid, Uuid, u64)> = HashMap::new();
        for (id, organization) in assessments {
            ends.entry(organization)
                .and_modify(|(_, latest, count)| {
                    *latest = id;
                    *count += 1;
                })
                .or_insert((id, id, 1));
        }
        let mut wanted: Vec<Uuid> = ends.values().flat_map(|(f, l, _)| [*f, *l]).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut ratings: HashMap<Uuid, Vec<assessment_rating::Model>> = HashMap::new();
        if !wanted.is_empty() {
            for rating in assessment_rating::Entity::find()
                .filter(assessment_rating::Column::AssessmentId.is_in(wanted))
                .order_by_asc(assessment_rating::Column::Id)
                .all(&self.db)
                .await?
            {
                ratings
                    .entry(rating.assessment_id)
                    .or_default()
                    .push(rating);
            }
        }
        Ok(keys
            .iter()
            .map(|key| {
                let summary = ends
                    .get(key)
                    .map_or_else(AssessmentSummary::default, |(f, l, n)| AssessmentSummary {
                        count: *n,
                        first: ratings.get(f).cloned().unwrap_or_default(),
                        latest: ratings.get(l).cloned().unwrap_or_default(),
                    });
                (*key, summary)
            })
            .collect())
    }
}

/// Each organization's assessment summary, inside the viewer's scope.
pub struct AssessmentSummaries;

impl LoaderKind for AssessmentSummaries {
    type Loader = DataLoader<AssessmentSummaryLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        batched(AssessmentSummaryLoader {
            db: db.clone(),
            scope: assessment_scope(viewer),
        })
    }
}

/// An active match as the health figures see it.
#[derive(Debug, Clone, Copy)]
pub struct ActiveMatch {
    /// The match.
    pub id: Uuid,
    /// When every participant had accepted it.
    pub activated_at: Option<DateTime<Utc>>,
    /// The latest logged contact.
    pub last_contact_on: Option<NaiveDate>,
}

/// The facts behind a cohort's match health: its published matches by status and their
/// ratings.
#[derive(Debug, Clone, Default)]
pub struct HealthFacts {
    /// Matches waiting for answers.
    pub proposed: u64,
    /// Active matches.
    pub active: Vec<ActiveMatch>,
    /// Declined matches.
    pub declined: u64,
    /// Completed matches.
    pub completed: u64,
    /// Sum of all ratings.
    pub rating_sum: i64,
    /// Number of ratings.
    pub rating_count: u64,
}

/// Gathers the health facts of many cohorts in two statements.
pub struct HealthLoader {
    db: DatabaseConnection,
    scope: Condition,
}

impl Loader<Uuid> for HealthLoader {
    type Value = HealthFacts;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<HealthFacts> {
        let published = Condition::all()
            .add(peer_match::Column::CohortId.is_in(keys.iter().copied()))
            .add(peer_match::Column::PublishedAt.is_not_null())
            .add(self.scope.clone());
        let matches = peer_match::Entity::find()
            .select_only()
            .column(peer_match::Column::Id)
            .column(peer_match::Column::CohortId)
            .column(peer_match::Column::Status)
            .column(peer_match::Column::ActivatedAt)
            .column(peer_match::Column::LastContactOn)
            .filter(published.clone())
            .into_tuple::<(
                Uuid,
                Uuid,
                MatchStatus,
                Option<DateTime<Utc>>,
                Option<NaiveDate>,
            )>()
            .all(&self.db)
            .await?;
        let ratings = match_feedback::Entity::find()
            .select_only()
            .column(match_feedback::Column::MatchId)
            .column(match_feedback::Column::Rating)
            .filter(
                match_feedback::Column::MatchId.in_subquery(
                    Query::select()
                        .column(peer_match::Column::Id)
                        .from(peer_match::Entity)
                        .cond_where(published)
                        .to_owned(),
                ),
            )
            .into_tuple::<(Uuid, i32)>()
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, HealthFacts> =
            keys.iter().map(|k| (*k, HealthFacts::default())).collect();
        let mut cohort_of = HashMap::new();
        for (id, cohort, status, activated_at, last_contact_on) in matches {
            cohort_of.insert(id, cohort);
            let facts = result.entry(cohort).or_default();
            match status {
                MatchStatus::Proposed => facts.proposed += 1,
                MatchStatus::Active => facts.active.push(ActiveMatch {
                    id,
                    activated_at,
                    last_contact_on,
                }),
                MatchStatus::Declined => facts.declined += 1,
                MatchStatus::Completed => facts.completed += 1,
            }
        }
        for (match_id, rating) in ratings {
            if let Some(facts) = cohort_of.get(&match_id).and_then(|c| result.get_mut(c)) {
                facts.rating_sum += i64::from(rating);
                facts.rating_count += 1;
            }
        }
        Ok(result)
    }
}

/// Each cohort's match health facts.
pub struct MatchHealthOfCohort;

impl LoaderKind for MatchHealthOfCohort {
    type Loader = DataLoader<HealthLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        batched(HealthLoader {
            db: db.clone(),
            scope: match_scope(viewer),
        })
    }
}
