//! Authentication: turning the credential of a request (a bearer token or a session cookie)
//! into a [`Viewer`] once per request, and signing in through identity providers.
//!
//! Authorization (what a viewer may do with a given object) lives in each domain's `policy.rs`,
//! built on the relationships loaded here.

pub mod login;
pub mod provider;
pub mod session;
pub mod settings;
pub mod token;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, Utc};
use entity::access_token::TokenKind;
use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::membership::MembershipRole;
use entity::prelude::*;
use entity::user::UserRole;
use entity::{access_token, cohort_staff, enrollment, membership, user};
use futures_util::TryFutureExt as _;
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait as _, IntoColumnRef, Query, QueryStatementBuilder as _, SimpleExpr,
    UnionType,
};
use sea_orm::{
    ActiveEnum as _, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
};
use uuid::Uuid;

use crate::error::ApiError;

/// Who is making the request.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// No credentials were presented.
    Anonymous,
    /// A signed-in, active user.
    User(Arc<Actor>),
}

impl Viewer {
    /// The signed-in user, or `UNAUTHENTICATED`.
    pub fn require(&self) -> Result<&Arc<Actor>, ApiError> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::User(actor) => Ok(actor),
        }
    }
}

/// A signed-in user with the relationships that authorization decisions need. The rules that
/// read them live in each domain's `policy.rs`.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user as authenticated.
    pub user: user::Model,
    /// The token or session this request was authenticated with.
    pub token_id: Option<Uuid>,
    /// The mobile sign-in (token family) of that token, if any.
    pub family_id: Option<Uuid>,
    /// Platform administrators may do everything.
    pub is_admin: bool,
    /// The user's role in each organization they belong to.
    pub memberships: HashMap<Uuid, MembershipRole>,
    /// The user's staff role in each cohort they help run.
    pub staff: HashMap<Uuid, StaffRole>,
    /// Cohorts in which one of the user's organizations is actively enrolled.
    pub peer_cohorts: HashSet<Uuid>,
}

impl Actor {
    /// Loads the relationships of `user`, in one statement.
    pub async fn load(db: &impl ConnectionTrait, user: user::Model) -> Result<Self, ApiError> {
        let rows = relationships(db, Whose::User(user.id)).await?;
        Self::with_relationships(user, rows)
    }

    /// `user` with the relationships [`relationships`] read for them.
    fn with_relationships(user: user::Model, rows: Vec<Relationship>) -> Result<Self, ApiError> {
        let mut actor = Self {
            user_id: user.id,
            is_admin: user.role == UserRole::Admin,
            user,
            token_id: None,
            family_id: None,
            memberships: HashMap::new(),
            staff: HashMap::new(),
            peer_cohorts: HashSet::new(),
        };
        let unknown = |row: &Relationship| {
            ApiError::Internal(anyhow::anyhow!("unreadable relationship {row:?}"))
        };
        for row in rows {
            match (row.kind.as_str(), row.role.as_ref()) {
                (MEMBER, Some(role)) => {
                    let role = MembershipRole::try_from_value(role).map_err(|_| unknown(&row))?;
                    actor.memberships.insert(row.target, role);
                }
                (STAFF, Some(role)) => {
                    let role = StaffRole::try_from_value(role).map_err(|_| unknown(&row))?;
                    actor.staff.insert(row.target, role);
                }
                (PEER, _) => {
                    actor.peer_cohorts.insert(row.target);
                }
                _ => return Err(unknown(&row)),
            }
        }
        Ok(actor)
    }

    /// The viewer's role in `organization`, if a member.
    pub fn member_role(&self, organization: Uuid) -> Option<MembershipRole> {
        self.memberships.get(&organization).copied()
    }

    /// The viewer's staff role in `cohort`, if any.
    pub fn staff_role(&self, cohort: Uuid) -> Option<StaffRole> {
        self.staff.get(&cohort).copied()
    }
}

const MEMBER: &str = "member";
const STAFF: &str = "staff";
const PEER: &str = "peer";

/// One relationship of a user, as [`Actor::load`] reads them.
#[derive(Debug, FromQueryResult)]
struct Relationship {
    kind: String,
    target: Uuid,
    role: Option<String>,
}

/// Whose relationships to read.
#[derive(Clone, Copy)]
enum Whose<'a> {
    /// The user with this id.
    User(Uuid),
    /// The owner of the token with this hash.
    TokenHash(&'a str),
}

impl Whose<'_> {
    /// The condition that `column` holds this user's id.
    fn matches(self, column: impl IntoColumnRef) -> SimpleExpr {
        match self {
            Self::User(id) => Expr::col(column).eq(id),
            // A scalar subquery (token hashes are unique): planned in a fraction of the time
            // of a semi-join, which matters in a statement run on every request.
            Self::TokenHash(hash) => Expr::col(column).eq(SimpleExpr::SubQuery(
                None,
                Box::new(
                    Query::select()
                        .column((AccessToken, access_token::Column::UserId))
                        .from(AccessToken)
                        .and_where(
                            Expr::col((AccessToken, access_token::Column::TokenHash)).eq(hash),
                        )
                        .to_owned()
                        .into_sub_query_statement(),
                ),
            )),
        }
    }
}

/// The memberships, staff roles and peer cohorts of a user, in one statement.
async fn relationships(
    db: &impl ConnectionTrait,
    user: Whose<'_>,
) -> Result<Vec<Relationship>, ApiError> {
    let (kind, target, role) = (Alias::new("kind"), Alias::new("target"), Alias::new("role"));
    let mut query = Query::select()
        .expr_as(Expr::val(MEMBER), kind.clone())
        .expr_as(
            Expr::col((Membership, membership::Column::OrganizationId)),
            target.clone(),
        )
        .expr_as(
            Expr::col((Membership, membership::Column::Role)),
            role.clone(),
        )
        .from(Membership)
        .and_where(user.matches((Membership, membership::Column::UserId)))
        .to_owned();
    query.union(
        UnionType::All,
        Query::select()
            .expr_as(Expr::val(STAFF), kind.clone())
            .expr_as(
                Expr::col((CohortStaff, cohort_staff::Column::CohortId)),
                target.clone(),
            )
            .expr_as(
                Expr::col((CohortStaff, cohort_staff::Column::Role)),
                role.clone(),
            )
            .from(CohortStaff)
            .and_where(user.matches((CohortStaff, cohort_staff::Column::UserId)))
            .to_owned(),
    );
    // Cohorts in which one of the user's organizations is actively enrolled.
    query.union(
        UnionType::All,
        Query::select()
            .expr_as(Expr::val(PEER), kind)
            .expr_as(
                Expr::col((Enrollment, enrollment::Column::CohortId)),
                target,
            )
            .expr_as(Expr::val(Option::<String>::None), role)
            .from(Enrollment)
            .inner_join(
                Membership,
                Expr::col((Membership, membership::Column::OrganizationId))
                    .equals((Enrollment, enrollment::Column::OrganizationId)),
            )
            .and_where(user.matches((Membership, membership::Column::UserId)))
            .and_where(
                Expr::col((Enrollment, enrollment::Column::Status))
                    .eq(EnrollmentStatus::Active.to_value()),
            )
            .to_owned(),
    );
    Ok(
        Relationship::find_by_statement(db.get_database_backend().build(&query))
            .all(db)
            .await?,
    )
}

/// How often at most `last_used_at` is written for one token, so reads stay reads.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(5);

/// The credential a request presented.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer <secret>`: a personal access token or a mobile access token.
    Bearer(String),
    /// The session cookie of a browser.
    Cookie(String),
}

/// Resolves a credential to a viewer. No credential is anonymous; a credential that is present
/// but wrong (unknown, expired, idle too long, revoked, of the wrong kind, or of an inactive
/// user) is an error, so a client with a broken credential learns it instead of seeing an
/// empty world.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    credential: Option<&Credential>,
    session_idle: Duration,
) -> Result<Viewer, ApiError> {
    let Some(credential) = credential else {
        return Ok(Viewer::Anonymous);
    };
    let (secret, allowed): (&str, &[TokenKind]) = match credential {
        Credential::Bearer(secret) => (
            secret.as_str(),
            &[TokenKind::Personal, TokenKind::MobileAccess],
        ),
        Credential::Cookie(secret) => (secret.as_str(), &[TokenKind::WebSession]),
    };
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(ApiError::Unauthenticated);
    }
    let now = Utc::now();
    let hash = token::hash(secret);
    // The relationships are read by the token's hash, at the same time as the token: on a pool
    // the two statements run side by side, and a request waits for one round trip, not two.
    let (found, rows) = tokio::try_join!(
        AccessToken::find()
            .filter(access_token::Column::TokenHash.eq(hash.as_str()))
            .find_also_related(User)
            .one(db)
            .map_err(ApiError::from),
        relationships(db, Whose::TokenHash(&hash)),
    )?;
    let Some((token, Some(user))) = found else {
        return Err(ApiError::Unauthenticated);
    };
    let expired = token.expires_at.is_some_and(|at| at <= now);
    let idle = token.kind == TokenKind::WebSession
        && now - token.last_used_at.unwrap_or(token.created_at) > session_idle;
    if token.revoked_at.is_some()
        || expired
        || idle
        || !allowed.contains(&token.kind)
        || !user.is_active
    {
        return Err(ApiError::Unauthenticated);
    }
    // Record use often enough that an active session never looks idle.
    let granularity = LAST_USED_GRANULARITY.min(session_idle / 4);
    if token.last_used_at.is_none_or(|at| now - at > granularity) {
        AccessToken::update_many()
            .col_expr(access_token::Column::LastUsedAt, Expr::value(now))
            .filter(access_token::Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    let mut actor = Actor::with_relationships(user, rows)?;
    actor.token_id = Some(token.id);
    actor.family_id = token.family_id;
    Ok(Viewer::User(Arc::new(actor)))
}

/// Parses an `Authorization` header value: `Bearer <secret>`, scheme case-insensitive.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, secret) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(secret.trim())
}

/// A condition no row satisfies.
pub fn nothing() -> sea_orm::Condition {
    use sea_orm::sea_query::ExprTrait as _;
    sea_orm::Condition::all().add(Expr::val(1).eq(0))
}

/// A visibility scope of private records as an SQL condition: nothing for anonymous viewers,
/// everything for admins, and `rule(actor)` for everyone else.
pub fn scope(
    viewer: &Viewer,
    rule: impl FnOnce(&Actor) -> sea_orm::Condition,
) -> sea_orm::Condition {
    scoped(viewer, None, rule)
}

/// A visibility scope of records some of which are public: `public` for anonymous viewers,
/// everything for admins, and `public` or `rule(actor)` for everyone else. `public` says what
/// the domain marks public; anonymous viewers see exactly that.
pub fn public_scope(
    viewer: &Viewer,
    public: sea_orm::Condition,
    rule: impl FnOnce(&Actor) -> sea_orm::Condition,
) -> sea_orm::Condition {
    scoped(viewer, Some(public), rule)
}

/// The scope of [`scope`] (no public records) and [`public_scope`]: a private scope adds no
/// `OR` for the public part to the SQL of signed-in viewers.
fn scoped(
    viewer: &Viewer,
    public: Option<sea_orm::Condition>,
    rule: impl FnOnce(&Actor) -> sea_orm::Condition,
) -> sea_orm::Condition {
    match (viewer, public) {
        (Viewer::Anonymous, public) => public.unwrap_or_else(nothing),
        (Viewer::User(actor), _) if actor.is_admin => sea_orm::Condition::all(),
        (Viewer::User(actor), None) => rule(actor),
        (Viewer::User(actor), Some(public)) => {
            sea_orm::Condition::any().add(public).add(rule(actor))
        }
    }
}
