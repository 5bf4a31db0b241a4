//! Personal access tokens: random secrets of which only the SHA-256 hash is stored.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::access_token::{self, TokenKind};
use entity::user::{self, UserRole};
use rand::RngCore as _;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;

/// Prefix of every personal access token, so leaked tokens are easy to recognise and scan for.
pub const PERSONAL_TOKEN_PREFIX: &str = "plp_";

/// The prefix of secrets of each kind.
pub fn prefix(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Personal => PERSONAL_TOKEN_PREFIX,
        TokenKind::WebSession => "pls_",
        TokenKind::MobileAccess => "pla_",
        TokenKind::MobileRefresh => "plr_",
    }
}

/// Lowercase hex SHA-256 of a text: a token's secret, a request's input, a persisted query.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 256 random bits, base64url-encoded (43 characters).
pub fn random_string() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh secret of `kind` with 256 bits of randomness.
pub fn generate_secret(kind: TokenKind) -> String {
    format!("{}{}", prefix(kind), random_string())
}

/// A newly issued token: the stored row and the secret, which is shown once and never stored.
#[derive(Debug)]
pub struct IssuedToken {
    /// The stored row (hash only).
    pub token: access_token::Model,
    /// The secret to hand to the user.
    pub secret: String,
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub user_id: Uuid,
    pub kind: TokenKind,
    pub name: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    pub family_id: Option<Uuid>,
    pub user_agent: Option<&'a str>,
}

/// Issues a token; only the hash of its secret is stored.
pub async fn issue(db: &impl ConnectionTrait, new: NewToken<'_>) -> Result<IssuedToken, ApiError> {
    let secret = generate_secret(new.kind);
    let now = Utc::now();
    let token = access_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(new.user_id),
        kind: Set(new.kind),
        name: Set(new.name.chars().take(100).collect()),
        token_hash: Set(hash(&secret)),
        expires_at: Set(new.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        family_id: Set(new.family_id),
        user_agent: Set(new.user_agent.map(|ua| ua.chars().take(300).collect())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(IssuedToken { token, secret })
}

/// Issues a personal access token for `user_id`.
pub async fn create_personal_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<IssuedToken, ApiError> {
    issue(
        db,
        NewToken {
            user_id,
            kind: TokenKind::Personal,
            name,
            expires_at,
            family_id: None,
            user_agent: None,
        },
    )
    .await
}

/// Finds the user with `email`, creating them with `name` and `role` if there is none. An
/// existing user keeps their name; their role is raised to `role` when it is `Admin`.
pub async fn ensure_user(
    db: &impl ConnectionTrait,
    email: &str,
    name: &str,
    role: UserRole,
) -> Result<user::Model, ApiError> {
    let email = email.trim().to_lowercase();
    let now = Utc::now();
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
    {
        if role == UserRole::Admin && existing.role != UserRole::Admin {
            let mut active: user::ActiveModel = existing.into();
            active.role = Set(UserRole::Admin);
            active.updated_at = Set(now);
            return Ok(active.update(db).await?);
        }
        return Ok(existing);
    }
    Ok(user::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.trim().to_owned()),
        email: Set(Some(email)),
        role: Set(role),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_prefixed_and_hash_to_hex() {
        let a = generate_secret(TokenKind::Personal);
        let b = generate_secret(TokenKind::Personal);
        assert_ne!(a, b);
        assert!(a.starts_with(PERSONAL_TOKEN_PREFIX));
        let h = hash(&a);
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(h, hash(&b));
    }
}
