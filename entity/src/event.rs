//! A learning event of a cohort: a webinar, a coaching call, office hours or a site visit.
//! Occurrences of a series are rows of their own.

use sea_orm::entity::prelude::*;

/// What kind of event it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventKind {
    #[default]
    #[sea_orm(string_value = "WEBINAR")]
    Webinar,
    #[sea_orm(string_value = "COACHING_CALL")]
    CoachingCall,
    #[sea_orm(string_value = "OFFICE_HOURS")]
    OfficeHours,
    #[sea_orm(string_value = "SITE_VISIT")]
    SiteVisit,
}

/// Whether an event takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventStatus {
    #[default]
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "event")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub series_id: Option<Uuid>,
        pub kind: EventKind,
        pub title: String,
        pub description: Option<String>,
        pub starts_at: DateTimeUtc,
        /// The IANA time zone the event is planned in; series keep its wall-clock time.
        pub time_zone: String,
        pub duration_minutes: i32,
        pub join_url: Option<String>,
        pub location: Option<String>,
        pub capacity: Option<i32>,
        pub registration_deadline: Option<DateTimeUtc>,
        pub status: EventStatus,
        pub host_organization_id: Option<Uuid>,
        /// What the event will cover.
        pub agenda: Option<String>,
        /// What was said and decided.
        pub notes: Option<String>,
        /// The iCalendar `SEQUENCE`: grows on every change calendar apps should see.
        pub sequence: i32,
        pub created_by_id: Option<Uuid>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cohort::Entity",
        from = "Column::CohortId",
        to = "super::cohort::Column::Id",
        on_delete = "Cascade"
    )]
    Cohort,
}

impl Related<super::cohort::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohort.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
