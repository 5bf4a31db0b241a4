//! SeaORM entities, one module per table.
//!
//! These types describe storage only. The GraphQL API has its own types that convert from these
//! models, so a new column never changes the public schema by accident.

use sea_orm::{DbErr, QueryResult};
use uuid::Uuid;

/// A set of an entity's columns, by their position in the model (the order in which the
/// entity's `SELECT` lists them). Statements that read only some columns say which with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Columns(u64);

impl Columns {
    /// Every column.
    pub const ALL: Self = Self(u64::MAX);
    /// No column.
    pub const NONE: Self = Self(0);

    /// The column at `position` alone. Models have fewer than 64 columns (a unit test checks).
    pub const fn at(position: u32) -> Self {
        Self(1 << position)
    }

    /// The columns in either set.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether every column of `other` is in this set.
    pub const fn covers(self, other: Self) -> bool {
        other.0 & !self.0 == 0
    }

    /// Whether the column at `position` is in this set.
    pub const fn contains(self, position: usize) -> bool {
        position < 64 && self.0 & (1 << position) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many of the first `width` columns are in this set.
    pub const fn count(self, width: usize) -> usize {
        let within = if width >= 64 {
            self.0
        } else {
            self.0 & ((1 << width) - 1)
        };
        within.count_ones() as usize
    }
}

/// A model decoded from consecutive columns of a result row by position, as laid out by the
/// entity's own `SELECT` (its columns in declaration order, or some of them in that order). Decoding by position skips the
/// lookup of each column by name, which costs a hash of the name (and, for a prefixed join, a
/// formatted string) per column and row.
pub trait FromColumns: Sized {
    /// How many columns the model spans.
    const WIDTH: usize;

    /// Decodes the model whose first column is at `at`.
    fn from_columns(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        Self::from_some_columns(row, at, Columns::ALL)
    }

    /// Decodes a model from only the `columns` of it that a statement selected, in order from
    /// `at` on. Every other field holds its type's default, a placeholder that nothing may read:
    /// such a model is only handed to code that reads the columns it was selected for.
    fn from_some_columns(row: &QueryResult, at: usize, columns: Columns) -> Result<Self, DbErr>;

    /// Like [`FromColumns::from_some_columns`], but `None` when the primary key (the first
    /// column, always selected) is NULL, as in a left join that found no row.
    fn from_some_columns_optional(
        row: &QueryResult,
        at: usize,
        columns: Columns,
    ) -> Result<Option<Self>, DbErr> {
        if row.try_get_by_index::<Option<Uuid>>(at)?.is_none() {
            return Ok(None);
        }
        Self::from_some_columns(row, at, columns).map(Some)
    }

    /// Copies the `columns` of `other` into this model: merges two partial reads of one row.
    fn take_columns(&mut self, other: Self, columns: Columns);
}

/// Declares an entity's `Model` and its [`FromColumns`] decoder from one field list, so the
/// decoder always follows the declared column order. The first field must be the `id` primary
/// key; every field's type must have a `Default` (the placeholder of a column not selected).
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

            fn from_some_columns(
                row: &sea_orm::QueryResult,
                at: usize,
                columns: $crate::Columns,
            ) -> Result<Self, sea_orm::DbErr> {
                // The key is always selected; each other field is read from the next column
                // if it was selected, and is its placeholder if not.
                let mut index = at;
                let mut position = 0;
                let mut selected = || {
                    position += 1;
                    columns.contains(position).then(|| {
                        index += 1;
                        index
                    })
                };
                Ok(Self {
                    id: row.try_get_by_index(at)?,
                    $( $field: match selected() {
                        Some(index) => row.try_get_by_index::<$ty>(index)?,
                        None => <$ty as Default>::default(),
                    }, )*
                })
            }

            fn take_columns(&mut self, other: Self, columns: $crate::Columns) {
                let mut position = 0;
                let mut taken = || {
                    position += 1;
                    columns.contains(position)
                };
                $( if taken() {
                    self.$field = other.$field;
                } )*
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

    use super::{Columns, FromColumns};

    #[test]
    fn column_sets_cover_count_and_contain_by_position() {
        let key_and_name = Columns::at(0).union(Columns::at(1));
        assert!(key_and_name.contains(0) && key_and_name.contains(1));
        assert!(!key_and_name.contains(2) && !key_and_name.contains(64));
        assert!(key_and_name.covers(Columns::at(1)));
        assert!(!key_and_name.covers(Columns::at(2)));
        assert!(Columns::ALL.covers(key_and_name) && !key_and_name.covers(Columns::ALL));
        assert!(Columns::NONE.is_empty() && !key_and_name.is_empty());
        assert_eq!(key_and_name.count(7), 2);
        assert_eq!(Columns::ALL.count(7), 7);
        assert_eq!(Columns::at(9).count(7), 0);
    }

    /// The positional decoder reads as many columns as the entity selects, and a [`Columns`]
    /// set can name each of them.
    fn spans_its_columns<E: EntityTrait>() -> bool
    where
        E::Model: FromColumns,
    {
        E::Model::WIDTH == E::Column::iter().count() && E::Model::WIDTH < 64
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
