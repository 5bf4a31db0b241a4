//! Web sessions and mobile tokens: redeeming a mobile sign-in code, rotating refresh tokens,
//! signing out.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use entity::access_token::{self, TokenKind};
use entity::{auth_code, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::login::Auth;
use crate::auth::token::{self, NewToken, hash};
use crate::error::ApiError;

/// The token response of `POST /auth/token`, shaped as in RFC 6749.
#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
}

/// Why a token request failed; `code` is the RFC 6749 error code.
#[derive(Debug)]
pub enum GrantError {
    /// The code or refresh token is unknown, used, expired, or does not match.
    InvalidGrant,
    /// A parameter is missing or malformed.
    InvalidRequest(&'static str),
    /// A storage error.
    Api(ApiError),
}

impl GrantError {
    /// The RFC 6749 error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidRequest(_) => "invalid_request",
            Self::Api(_) => "server_error",
        }
    }
}

impl From<ApiError> for GrantError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl From<sea_orm::DbErr> for GrantError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Api(err.into())
    }
}

/// Redeems a mobile sign-in code with the app's PKCE verifier for a token pair. A code works
/// once, within a short time, for the redirect URI it was issued to.
pub async fn redeem_code(
    db: &impl ConnectionTrait,
    auth: &Auth,
    code: &str,
    code_verifier: &str,
    redirect_uri: &str,
    user_agent: Option<&str>,
) -> Result<TokenPair, GrantError> {
    let found = auth_code::Entity::find()
        .filter(auth_code::Column::CodeHash.eq(hash(code)))
        .one(db)
        .await?
        .ok_or(GrantError::InvalidGrant)?;
    let deleted = auth_code::Entity::delete_many()
        .filter(auth_code::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    if deleted.rows_affected != 1 || found.expires_at <= Utc::now() {
        return Err(GrantError::InvalidGrant);
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()));
    if found.redirect_uri != redirect_uri || challenge != found.code_challenge {
        return Err(GrantError::InvalidGrant);
    }
    let active = user::Entity::find_by_id(found.user_id)
        .one(db)
        .await?
        .is_some_and(|user| user.is_active);
    if !active {
        return Err(GrantError::InvalidGrant);
    }
    let refresh_expires = Utc::now() + Duration::days(i64::from(auth.settings.mobile_refresh_days));
    issue_pair(
        db,
        auth,
        found.user_id,
        Uuid::now_v7(),
        refresh_expires,
        user_agent,
    )
    .await
}

/// Rotates a refresh token: the presented one is retired and a new pair issued in the same
/// family. Presenting a retired refresh token again means it leaked: the whole family is
/// revoked, signing out both the thief and the app.
pub async fn refresh(
    db: &impl ConnectionTrait,
    auth: &Auth,
    refresh_token: &str,
    user_agent: Option<&str>,
) -> Result<TokenPair, GrantError> {
    let now = Utc::now();
    let found = access_token::Entity::find()
        .filter(access_token::Column::TokenHash.eq(hash(refresh_token)))
        .filter(access_token::Column::Kind.eq(TokenKind::MobileRefresh))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let Some((presented, Some(user))) = found else {
        return Err(GrantError::InvalidGrant);
    };
    let family = presented.family_id.unwrap_or(presented.id);
    if presented.revoked_at.is_some() {
        revoke_family(db, family).await?;
        return Err(GrantError::InvalidGrant);
    }
    if presented.expires_at.is_some_and(|at| at <= now) || !user.is_active {
        return Err(GrantError::InvalidGrant);
    }
    let retired = access_token::Entity::update_many()
        .col_expr(access_token::Column::RevokedAt, Expr::value(now))
        .col_expr(access_token::Column::UpdatedAt, Expr::value(now))
        .filter(access_token::Column::Id.eq(presented.id))
        .filter(access_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if retired.rows_affected != 1 {
        // Another request rotated it at the same moment: treat as reuse.
        revoke_family(db, family).await?;
        return Err(GrantError::InvalidGrant);
    }
    let expires = presented.expires_at.unwrap_or(now);
    issue_pair(db, auth, user.id, family, expires, user_agent).await
}

async fn issue_pair(
    db: &impl ConnectionTrait,
    auth: &Auth,
    user_id: Uuid,
    family: Uuid,
    refresh_expires: chrono::DateTime<Utc>,
    user_agent: Option<&str>,
) -> Result<TokenPair, GrantError> {
    let access_ttl = Duration::minutes(i64::from(auth.settings.mobile_access_minutes));
    let refresh = token::issue(
        db,
        NewToken {
            user_id,
            kind: TokenKind::MobileRefresh,
            name: "mobile",
            expires_at: Some(refresh_expires),
            family_id: Some(family),
            user_agent,
        },
    )
    .await?;
    let access = token::issue(
        db,
        NewToken {
            user_id,
            kind: TokenKind::MobileAccess,
            name: "mobile",
            expires_at: Some(Utc::now() + access_ttl),
            family_id: Some(family),
            user_agent,
        },
    )
    .await?;
    Ok(TokenPair {
        access_token: access.secret,
        token_type: "Bearer",
        expires_in: access_ttl.num_seconds(),
        refresh_token: refresh.secret,
    })
}

/// Revokes every live token of a mobile sign-in.
pub async fn revoke_family(db: &impl ConnectionTrait, family: Uuid) -> Result<(), ApiError> {
    let now = Utc::now();
    access_token::Entity::update_many()
        .col_expr(access_token::Column::RevokedAt, Expr::value(now))
        .col_expr(access_token::Column::UpdatedAt, Expr::value(now))
        .filter(access_token::Column::FamilyId.eq(family))
        .filter(access_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes one token, and with it its whole mobile family if it has one.
pub async fn revoke(
    db: &impl ConnectionTrait,
    token: &access_token::Model,
) -> Result<(), ApiError> {
    if let Some(family) = token.family_id {
        return revoke_family(db, family).await;
    }
    let now = Utc::now();
    access_token::Entity::update_many()
        .col_expr(access_token::Column::RevokedAt, Expr::value(now))
        .col_expr(access_token::Column::UpdatedAt, Expr::value(now))
        .filter(access_token::Column::Id.eq(token.id))
        .filter(access_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token and session of a user, and the mobile sign-in codes not yet redeemed.
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), ApiError> {
    let now = Utc::now();
    auth_code::Entity::delete_many()
        .filter(auth_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    access_token::Entity::update_many()
        .col_expr(access_token::Column::RevokedAt, Expr::value(now))
        .col_expr(access_token::Column::UpdatedAt, Expr::value(now))
        .filter(access_token::Column::UserId.eq(user_id))
        .filter(access_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Signs out the holder of `secret` (a session cookie or a bearer token).
pub async fn sign_out(db: &impl ConnectionTrait, secret: &str) -> Result<(), ApiError> {
    if let Some(found) = access_token::Entity::find()
        .filter(access_token::Column::TokenHash.eq(hash(secret)))
        .one(db)
        .await?
    {
        revoke(db, &found).await?;
    }
    Ok(())
}
