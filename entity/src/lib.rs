//! SeaORM entities, one module per table.
//!
//! These types describe storage only. The GraphQL API has its own types that convert from these
//! models, so a new column never changes the public schema by accident.

use sea_orm::{DbErr, QueryResult};
use uuid::Uuid;

/// A model decoded from consecutive columns of a result row by position, as laid out by the
/// entity's own `SELECT` (its columns in declaration order). Decoding by position skips the
/// lookup of each column by name, which costs a hash of the name (and, for a prefixed join, a
/// formatted string) per column and row.
pub trait FromColumns: Sized {
    /// How many columns the model spans.
    const WIDTH: usize;

    /// Decodes the model whose first column is at `at`.
    fn from_columns(row: &QueryResult, at: usize) -> Result<Self, DbErr>;

    /// Like [`FromColumns::from_columns`], but `None` when the primary key (the first column)
    /// is NULL, as in a left join that found no row.
    fn from_columns_optional(row: &QueryResult, at: usize) -> Result<Option<Self>, DbErr> {
        if row.try_get_by_index::<Option<Uuid>>(at)?.is_none() {
            return Ok(None);
        }
        Self::from_columns(row, at).map(Some)
    }
}

/// Declares an entity's `Model` and its [`FromColumns`] decoder from one field list, so the
/// decoder always follows the declared column order. The first field must be the `id` primary
/// key.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct Model {
            $(#[$id_meta:meta])*
            pub id: Uuid,
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct Model {
            $(#[$id_meta])*
            pub id: Uuid,
            $( $(#[$field_meta])* pub $field : $ty ),*
        }

        impl $crate::FromColumns for Model {
            const WIDTH: usize = 1 + [$(stringify!($field)),*].len();

            fn from_columns(
                row: &sea_orm::QueryResult,
                at: usize,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut index = at;
                let mut next = || {
                    index += 1;
                    index
                };
                Ok(Self {
                    id: row.try_get_by_index(at)?,
                    $( $field: row.try_get_by_index::<$ty>(next())?, )*
                })
            }
        }
    };
}
pub(crate) use model;

pub mod access_token;
pub mod action_item;
pub mod assessment;
pub mod assessment_rating;
pub mod attendance;
pub mod auth_code;
pub mod auth_flow;
pub mod breakout_group;
pub mod breakout_group_member;
pub mod calendar_feed;
pub mod cohort;
pub mod cohort_staff;
pub mod enrollment;
pub mod event;
pub mod event_person;
pub mod event_series;
pub mod event_topic;
pub mod idempotency_key;
pub mod identity;
pub mod invitation;
pub mod match_contact;
pub mod match_feedback;
pub mod match_participant;
pub mod matching_run;
pub mod membership;
pub mod milestone;
pub mod milestone_change;
pub mod milestone_comment;
pub mod milestone_credit;
pub mod milestone_kudos;
pub mod milestone_progress;
pub mod milestone_topic;
pub mod notification;
pub mod organization;
pub mod peer_match;
pub mod registration;
pub mod resource;
pub mod resource_topic;
pub mod topic;
pub mod user;

pub mod prelude {
    //! The entities under short names, for `use entity::prelude::*`.
    pub use crate::access_token::Entity as AccessToken;
    pub use crate::action_item::Entity as ActionItem;
    pub use crate::assessment::Entity as Assessment;
    pub use crate::assessment_rating::Entity as AssessmentRating;
    pub use crate::attendance::Entity as Attendance;
    pub use crate::auth_code::Entity as AuthCode;
    pub use crate::auth_flow::Entity as AuthFlow;
    pub use crate::breakout_group::Entity as BreakoutGroup;
    pub use crate::breakout_group_member::Entity as BreakoutGroupMember;
    pub use crate::calendar_feed::Entity as CalendarFeed;
    pub use crate::cohort::Entity as Cohort;
    pub use crate::cohort_staff::Entity as CohortStaff;
    pub use crate::enrollment::Entity as Enrollment;
    pub use crate::event::Entity as Event;
    pub use crate::event_person::Entity as EventPerson;
    pub use crate::event_series::Entity as EventSeries;
    pub use crate::event_topic::Entity as EventTopic;
    pub use crate::idempotency_key::Entity as IdempotencyKey;
    pub use crate::identity::Entity as Identity;
    pub use crate::invitation::Entity as Invitation;
    pub use crate::match_contact::Entity as MatchContact;
    pub use crate::match_feedback::Entity as MatchFeedback;
    pub use crate::match_participant::Entity as MatchParticipant;
    pub use crate::matching_run::Entity as MatchingRun;
    pub use crate::membership::Entity as Membership;
    pub use crate::milestone::Entity as Milestone;
    pub use crate::milestone_change::Entity as MilestoneChange;
    pub use crate::milestone_comment::Entity as MilestoneComment;
    pub use crate::milestone_credit::Entity as MilestoneCredit;
    pub use crate::milestone_kudos::Entity as MilestoneKudos;
    pub use crate::milestone_progress::Entity as MilestoneProgress;
    pub use crate::milestone_topic::Entity as MilestoneTopic;
    pub use crate::notification::Entity as Notification;
    pub use crate::organization::Entity as Organization;
    pub use crate::peer_match::Entity as PeerMatch;
    pub use crate::registration::Entity as Registration;
    pub use crate::resource::Entity as Resource;
    pub use crate::resource_topic::Entity as ResourceTopic;
    pub use crate::topic::Entity as Topic;
    pub use crate::user::Entity as User;
}

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, Iterable};

    use super::FromColumns;

    /// The positional decoder reads as many columns as the entity selects.
    fn spans_its_columns<E: EntityTrait>() -> bool
    where
        E::Model: FromColumns,
    {
        E::Model::WIDTH == E::Column::iter().count()
    }

    macro_rules! assert_all_span_their_columns {
        ($($table:ident),*) => {
            $(assert!(spans_its_columns::<crate::$table::Entity>(), stringify!($table));)*
        };
    }

    #[test]
    fn every_model_spans_exactly_its_columns() {
        assert_all_span_their_columns!(
            access_token,
            action_item,
            assessment,
            assessment_rating,
            attendance,
            auth_code,
            auth_flow,
            breakout_group,
            breakout_group_member,
            calendar_feed,
            cohort,
            cohort_staff,
            enrollment,
            event,
            event_person,
            event_series,
            event_topic,
            idempotency_key,
            identity,
            invitation,
            match_contact,
            match_feedback,
            match_participant,
            matching_run,
            membership,
            milestone,
            milestone_change,
            milestone_comment,
            milestone_credit,
            milestone_kudos,
            milestone_progress,
            milestone_topic,
            notification,
            organization,
            peer_match,
            registration,
            resource,
            resource_topic,
            topic,
            user
        );
    }
}
