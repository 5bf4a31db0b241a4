//! A realistic demo program: two behavioral-health-integration cohorts, a dozen grantee
//! organizations with members, T/TA staff, a topic taxonomy, a few milestones, one of them on
//! the public showcase, and self-assessments to match the first cohort's organizations from.
//! Loading it twice changes nothing.

use chrono::{NaiveDate, Utc};
use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::membership::{MembershipRole, Profession};
use entity::milestone::{self, MilestoneStatus, MilestoneVisibility, ReviewState};
use entity::organization::OrganizationKind;
use entity::user::UserRole;
use entity::{
    assessment, assessment_rating, cohort, cohort_staff, enrollment, membership, milestone_credit,
    milestone_topic, organization, topic,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::token::ensure_user;
use crate::error::ApiError;

/// Email of the demo administrator.
pub const ADMIN_EMAIL: &str = "admin@demo.peerlearn.example";

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "billing",
        "Billing and coding",
        "Billing integrated behavioral-health services: CoCM and BHI codes, same-day visits.",
    ),
    (
        "screening",
        "Screening",
        "Routine screening for depression, anxiety and substance use (PHQ-9, GAD-7, AUDIT-C).",
    ),
    (
        "warm-handoff",
        "Warm handoff",
        "Introducing a patient to the behavioral-health clinician during the medical visit.",
    ),
    (
        "ehr",
        "EHR and registries",
        "Templates, registries and data flows in the electronic health record.",
    ),
    (
        "funding",
        "Funding and sustainability",
        "Grants, value-based payment and keeping the program going after the grant.",
    ),
    (
        "supervision",
        "Clinical supervision",
        "Supervising behavioral-health staff and psychiatric case review.",
    ),
    (
        "self-care",
        "Staff self-care",
        "Preventing burnout and secondary traumatic stress in care teams.",
    ),
    (
        "trauma-informed-care",
        "Trauma-informed care",
        "Organizational practices that recognise and respond to trauma.",
    ),
    (
        "measurement-based-care",
        "Measurement-based care",
        "Tracking symptom scores over time to adjust treatment.",
    ),
    (
        "telehealth",
        "Telehealth",
        "Delivering behavioral-health visits by video and phone.",
    ),
    (
        "workforce",
        "Workforce and hiring",
        "Recruiting and retaining behavioral-health staff.",
    ),
    (
        "care-coordination",
        "Care coordination",
        "Referrals, follow-up and closing the loop with community partners.",
    ),
];

struct DemoOrganization {
    name: &'static str,
    kind: OrganizationKind,
    region: &'static str,
    time_zone: &'static str,
    cohorts: &'static [usize],
    members: &'static [(&'static str, Profession, MembershipRole, bool)],
}

const ORGANIZATIONS: &[DemoOrganization] = &[
    DemoOrganization {
        name: "Valle Verde Community Health Center",
        kind: OrganizationKind::CommunityHealthCenter,
        region: "New Mexico",
        time_zone: "America/Denver",
        cohorts: &[0],
        members: &[
            (
                "Marisol Baca",
                Profession::Administrator,
                MembershipRole::Lead,
                false,
            ),
            (
                "Dr. Ken Oyelaran",
                Profession::Physician,
                MembershipRole::Member,
                true,
            ),
            (
                "Alma Trujillo",
                Profession::BehavioralHealthClinician,
                MembershipRole::Member,
                true,
            ),
        ],
    },
    DemoOrganization {
        name: "Sweetgrass Tribal Health Program",
        kind: OrganizationKind::TribalHealthProgram,
        region: "Montana",
        time_zone: "America/Denver",
        cohorts: &[0],
        members: &[
            (
                "Renee Old Coyote",
                Profession::Administrator,
                MembershipRole::Lead,
                false,
            ),
            (
                "Tom Birdsbill",
                Profession::CommunityHealthWorker,
                MembershipRole::Member,
                true,
            ),
        ],
    },
    DemoOrganization {
        name: "Harbor Family Clinic",
        kind: OrganizationKind::Clinic,
        region: "Maine",
        time_zone: "America/New_York",
        cohorts: &[0],
        members: &[
            (
                "Beth Lindqvist",
                Profession::NursePractitioner,
                MembershipRole::Lead,
                true,
            ),
            (
                "Owen Marsh",
                Profession::BillingSpecialist,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "Delta River Health Services",
        kind: OrganizationKind::CommunityHealthCenter,
        region: "Mississippi",
        time_zone: "America/Chicago",
        cohorts: &[0],
        members: &[
            (
                "Lakisha Freeman",
                Profession::CareManager,
                MembershipRole::Lead,
                true,
            ),
            (
                "Dr. Ahmed Sayeed",
                Profession::PsychiatricProvider,
                MembershipRole::Member,
                false,
            ),
            (
                "Grace Tillman",
                Profession::Nurse,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "Cascade Rural Health Clinic",
        kind: OrganizationKind::Clinic,
        region: "Oregon",
        time_zone: "America/Los_Angeles",
        cohorts: &[0],
        members: &[
            (
                "Hannah Wirth",
                Profession::Physician,
                MembershipRole::Lead,
                true,
            ),
            (
                "Jesse Moreno",
                Profession::PeerSupportSpecialist,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "Northside Neighborhood Health",
        kind: OrganizationKind::CommunityHealthCenter,
        region: "Minnesota",
        time_zone: "America/Chicago",
        cohorts: &[0, 1],
        members: &[
            (
                "Fatima Hassan",
                Profession::Administrator,
                MembershipRole::Lead,
                false,
            ),
            (
                "Dr. Paul Nguyen",
                Profession::Physician,
                MembershipRole::Member,
                true,
            ),
            (
                "Rita Kowalski",
                Profession::Pharmacist,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "Red Rock Indian Health Clinic",
        kind: OrganizationKind::TribalHealthProgram,
        region: "Arizona",
        time_zone: "America/Phoenix",
        cohorts: &[1],
        members: &[
            (
                "Daniel Begay",
                Profession::BehavioralHealthClinician,
                MembershipRole::Lead,
                true,
            ),
            (
                "Loretta Yazzie",
                Profession::CommunityHealthWorker,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "Appalachian Hills Family Medicine",
        kind: OrganizationKind::Clinic,
        region: "West Virginia",
        time_zone: "America/New_York",
        cohorts: &[1],
        members: &[
            (
                "Carl Jennings",
                Profession::Physician,
                MembershipRole::Lead,
                false,
            ),
            (
                "Misty Harless",
                Profession::CareManager,
                MembershipRole::Member,
                true,
            ),
        ],
    },
    DemoOrganization {
        name: "Prairie Health Partners",
        kind: OrganizationKind::Hospital,
        region: "Kansas",
        time_zone: "America/Chicago",
        cohorts: &[1],
        members: &[
            (
                "Julie Brandt",
                Profession::Administrator,
                MembershipRole::Lead,
                false,
            ),
            (
                "Marcus Webb",
                Profession::BehavioralHealthClinician,
                MembershipRole::Member,
                true,
            ),
        ],
    },
    DemoOrganization {
        name: "Bayou Community Clinic",
        kind: OrganizationKind::CommunityOrganization,
        region: "Louisiana",
        time_zone: "America/Chicago",
        cohorts: &[1],
        members: &[
            (
                "Celeste Arceneaux",
                Profession::Nurse,
                MembershipRole::Lead,
                true,
            ),
            (
                "Andre Guidry",
                Profession::BillingSpecialist,
                MembershipRole::Member,
                false,
            ),
        ],
    },
    DemoOrganization {
        name: "High Desert County Health Department",
        kind: OrganizationKind::HealthDepartment,
        region: "Nevada",
        time_zone: "America/Los_Angeles",
        cohorts: &[1],
        members: &[
            (
                "Monica Reyes",
                Profession::Administrator,
                MembershipRole::Lead,
                false,
            ),
            (
                "Victor Lam",
                Profession::CommunityHealthWorker,
                MembershipRole::Member,
                true,
            ),
        ],
    },
    DemoOrganization {
        name: "Kenai Peninsula Health Center",
        kind: OrganizationKind::CommunityHealthCenter,
        region: "Alaska",
        time_zone: "America/Anchorage",
        cohorts: &[1],
        members: &[
            (
                "Sarah Nicolai",
                Profession::NursePractitioner,
                MembershipRole::Lead,
                true,
            ),
            (
                "Erik Halvorsen",
                Profession::BehavioralHealthClinician,
                MembershipRole::Member,
                false,
            ),
        ],
    },
];

/// A staff role in the cohort at this index of the demo cohorts.
type Seat = (usize, StaffRole);

/// (name, email, seats)
const STAFF: &[(&str, &str, &[Seat])] = &[
    (
        "Rosa Martinez",
        "rosa.martinez@ta.demo.peerlearn.example",
        &[(0, StaffRole::Lead), (1, StaffRole::Lead)],
    ),
    (
        "Sam Okafor",
        "sam.okafor@ta.demo.peerlearn.example",
        &[(0, StaffRole::Coach)],
    ),
    (
        "Priya Natarajan",
        "priya.natarajan@ta.demo.peerlearn.example",
        &[(1, StaffRole::Coach)],
    ),
    (
        "Lee Whitehorse",
        "lee.whitehorse@ta.demo.peerlearn.example",
        &[(0, StaffRole::Presenter), (1, StaffRole::Presenter)],
    ),
];

/// A demo milestone: organization, title, description, status, achieved how many days ago,
/// visibility, whether it is on the showcase, and topic slugs.
type DemoMilestone = (
    &'static str,
    &'static str,
    &'static str,
    MilestoneStatus,
    Option<i64>,
    MilestoneVisibility,
    bool,
    &'static [&'static str],
);

const MILESTONES: &[DemoMilestone] = &[
    (
        "Delta River Health Services",
        "First same-day warm handoff",
        "A patient who screened positive met our behavioral-health clinician during the same \
         visit, and came back for a second session.",
        MilestoneStatus::Achieved,
        Some(40),
        MilestoneVisibility::Public,
        true,
        &["warm-handoff", "screening"],
    ),
    (
        "Delta River Health Services",
        "Collaborative care codes billed",
        "Our first claims with the collaborative-care codes went out this month.",
        MilestoneStatus::InProgress,
        None,
        MilestoneVisibility::Cohort,
        false,
        &["billing"],
    ),
    (
        "Cascade Rural Health Clinic",
        "PHQ-9 at every annual visit",
        "Screening is part of rooming for every adult annual visit.",
        MilestoneStatus::Achieved,
        Some(12),
        MilestoneVisibility::Cohort,
        false,
        &["screening"],
    ),
    (
        "Northside Neighborhood Health",
        "Registry reviewed weekly with the psychiatric consultant",
        "",
        MilestoneStatus::Planned,
        None,
        MilestoneVisibility::Organization,
        false,
        &[],
    ),
];

/// A topic slug, a self-rated level (0-3) and whether the organization wants help on it.
type DemoRating = (&'static str, i32, bool);

/// Self-assessments of the first cohort's organizations: per topic slug, the level (0-3) and
/// whether the organization wants help; enough for a matching run to pair them.
const ASSESSMENTS: &[(&str, &[DemoRating])] = &[
    (
        "Valle Verde Community Health Center",
        &[
            ("billing", 3, false),
            ("screening", 3, false),
            ("warm-handoff", 1, true),
            ("telehealth", 0, true),
        ],
    ),
    (
        "Sweetgrass Tribal Health Program",
        &[
            ("billing", 0, true),
            ("trauma-informed-care", 3, false),
            ("care-coordination", 2, false),
            ("ehr", 1, true),
        ],
    ),
    (
        "Harbor Family Clinic",
        &[
            ("billing", 1, true),
            ("screening", 2, false),
            ("ehr", 3, false),
            ("trauma-informed-care", 0, true),
        ],
    ),
    (
        "Delta River Health Services",
        &[
            ("warm-handoff", 3, false),
            ("measurement-based-care", 3, false),
            ("funding", 0, true),
            ("screening", 1, true),
        ],
    ),
    (
        "Cascade Rural Health Clinic",
        &[
            ("telehealth", 3, false),
            ("workforce", 2, false),
            ("warm-handoff", 0, true),
            ("measurement-based-care", 1, true),
        ],
    ),
    (
        "Northside Neighborhood Health",
        &[
            ("funding", 3, false),
            ("supervision", 2, false),
            ("billing", 1, true),
            ("self-care", 0, true),
        ],
    ),
];

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Loads the demo program unless it is already there. Returns whether it loaded anything.
pub async fn load(db: &(impl ConnectionTrait + TransactionTrait)) -> Result<bool, ApiError> {
    let cohorts = [
        (
            "bhi-2026",
            "Behavioral Health Integration 2026",
            "Two-year learning collaborative on integrating behavioral health into primary care.",
            date(2026, 1, 15),
            date(2027, 12, 15),
        ),
        (
            "rural-integrated-care-2027",
            "Rural Integrated Care 2027",
            "Peer learning for rural and tribal programs starting collaborative care.",
            date(2027, 1, 10),
            date(2028, 6, 30),
        ),
    ];
    if cohort::Entity::find()
        .filter(cohort::Column::Slug.eq(cohorts[0].0))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    ensure_user(&txn, ADMIN_EMAIL, "Dana Administrator", UserRole::Admin).await?;
    for (slug, name, description) in TOPICS {
        topic::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set((*slug).to_owned()),
            name: Set((*name).to_owned()),
            description: Set(Some((*description).to_owned())),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut cohort_ids = Vec::new();
    for (slug, name, description, starts_on, ends_on) in cohorts {
        let cohort = cohort::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(slug.to_owned()),
            name: Set(name.to_owned()),
            description: Set(Some(description.to_owned())),
            starts_on: Set(starts_on),
            ends_on: Set(ends_on),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        cohort_ids.push(cohort.id);
    }
    for (name, email, roles) in STAFF {
        let user = ensure_user(&txn, email, name, UserRole::User).await?;
        for (cohort, role) in *roles {
            cohort_staff::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(cohort_ids[*cohort]),
                user_id: Set(user.id),
                role: Set(*role),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    for org in ORGANIZATIONS {
        let organization = organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(org.name.to_owned()),
            kind: Set(org.kind),
            region: Set(Some(org.region.to_owned())),
            time_zone: Set(Some(org.time_zone.to_owned())),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for cohort in org.cohorts {
            enrollment::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(cohort_ids[*cohort]),
                organization_id: Set(organization.id),
                status: Set(EnrollmentStatus::Active),
                withdrawn_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
        for (name, profession, role, is_champion) in org.members {
            let email = format!(
                "{}@grantee.demo.peerlearn.example",
                name.to_lowercase()
                    .replace("dr. ", "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(".")
            );
            let user = ensure_user(&txn, &email, name, UserRole::User).await?;
            membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(organization.id),
                user_id: Set(user.id),
                role: Set(*role),
                profession: Set(*profession),
                is_champion: Set(*is_champion),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    load_milestones(&txn, cohort_ids[0]).await?;
    load_assessments(&txn).await?;
    txn.commit().await?;
    Ok(true)
}

/// The demo self-assessments, submitted by nobody in particular.
async fn load_assessments(txn: &impl ConnectionTrait) -> Result<(), ApiError> {
    let now = Utc::now();
    for (name, ratings) in ASSESSMENTS {
        let Some(org) = organization::Entity::find()
            .filter(organization::Column::Name.eq(*name))
            .one(txn)
            .await?
        else {
            continue;
        };
        let created = assessment::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org.id),
            submitted_by_id: Set(None),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        for (slug, level, wants_help) in *ratings {
            let Some(topic) = topic::Entity::find()
                .filter(topic::Column::Slug.eq(*slug))
                .one(txn)
                .await?
            else {
                continue;
            };
            assessment_rating::ActiveModel {
                id: Set(Uuid::now_v7()),
                assessment_id: Set(created.id),
                topic_id: Set(topic.id),
                level: Set(*level),
                wants_help: Set(*wants_help),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// The demo milestones, in the first cohort; the showcased ones consented by the organization's
/// lead, approved by the admin, and crediting the lead.
async fn load_milestones(txn: &impl ConnectionTrait, cohort_id: Uuid) -> Result<(), ApiError> {
    let now = Utc::now();
    let admin = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(ADMIN_EMAIL))
        .one(txn)
        .await?
        .map(|admin| admin.id);
    for (org, title, description, status, achieved, visibility, showcased, topics) in MILESTONES {
        let Some(organization) = organization::Entity::find()
            .filter(organization::Column::Name.eq(*org))
            .one(txn)
            .await?
        else {
            continue;
        };
        let lead = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(organization.id))
            .filter(membership::Column::Role.eq(MembershipRole::Lead))
            .one(txn)
            .await?
            .map(|m| m.user_id);
        let consented = showcased.then_some(now);
        let row = milestone::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort_id),
            organization_id: Set(organization.id),
            title: Set((*title).to_owned()),
            description: Set((!description.is_empty()).then(|| (*description).to_owned())),
            status: Set(*status),
            target_on: Set(Some(now.date_naive() + chrono::Duration::days(60))),
            achieved_on: Set(achieved.map(|days| now.date_naive() - chrono::Duration::days(days))),
            visibility: Set(*visibility),
            evidence: Set(serde_json::json!([])),
            review_state: Set(ReviewState::Unreviewed),
            review_comment: Set(None),
            reviewed_by_id: Set(None),
            reviewed_at: Set(None),
            consented_by_id: Set(lead.filter(|_| *showcased)),
            consented_at: Set(consented),
            approved_by_id: Set(admin.filter(|_| *showcased)),
            approved_at: Set(consented),
            created_by_id: Set(lead),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        for slug in *topics {
            if let Some(topic) = topic::Entity::find()
                .filter(topic::Column::Slug.eq(*slug))
                .one(txn)
                .await?
            {
                milestone_topic::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    milestone_id: Set(row.id),
                    topic_id: Set(topic.id),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
            }
        }
        if let (true, Some(lead)) = (*showcased, lead) {
            milestone_credit::ActiveModel {
                id: Set(Uuid::now_v7()),
                milestone_id: Set(row.id),
                user_id: Set(lead),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}
