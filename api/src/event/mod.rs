//! Learning events: webinars, coaching calls, office hours and site visits, in series or alone;
//! registration with capacity and a waitlist; attendance, marked, self-reported or imported from
//! a Zoom report; notifications of changes; and iCalendar feeds.

pub mod calendar;
pub mod import;
pub mod loaders;
pub mod mutation;
pub mod policy;
pub mod query;
pub mod recurrence;
pub mod service;
pub mod toolkit;
pub mod toolkit_mutation;
pub mod types;
