//! Sign-in settings, read from a TOML file given with `--auth-config`.
//!
//! ```toml
//! public_url = "https://api.example.org"      # where browsers and providers reach this server
//! signup = "invitation"                       # or "open"
//! web_redirects = ["https://app.example.org/signed-in"]
//! mobile_redirects = ["org.example.app:/oauth/callback"]
//! cors_origins = ["https://app.example.org"]
//!
//! [[provider]]
//! name = "google"
//! issuer = "https://accounts.google.com"      # OIDC: endpoints by discovery
//! client_id = "..."
//! client_secret_env = "GOOGLE_CLIENT_SECRET"  # or client_secret = "..."
//!
//! [[provider]]
//! name = "github"
//! preset = "github"                           # plain OAuth with the GitHub user API
//! client_id = "..."
//! client_secret_env = "GITHUB_CLIENT_SECRET"
//! ```

use serde::Deserialize;

/// Who may create an account by signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignupPolicy {
    /// Only people with a pending invitation for their verified email (the default).
    #[default]
    Invitation,
    /// Anyone who signs in with a configured provider.
    Open,
}

/// Everything about signing in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// The URL at which browsers and identity providers reach this server; callback URLs are
    /// built from it. Defaults to `http://<listen address>`.
    pub public_url: Option<String>,
    /// Who may sign up.
    #[serde(default)]
    pub signup: SignupPolicy,
    /// Front-end URLs a web sign-in may return to (exact match).
    #[serde(default)]
    pub web_redirects: Vec<String>,
    /// Redirect URIs registered by mobile apps (exact match).
    #[serde(default)]
    pub mobile_redirects: Vec<String>,
    /// Origins allowed to call the API from a browser with credentials.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Minutes of inactivity after which a web session ends.
    #[serde(default = "default_idle_minutes")]
    pub session_idle_minutes: u32,
    /// Days after which a web session ends however active it is.
    #[serde(default = "default_session_days")]
    pub session_max_days: u32,
    /// Minutes a mobile access token lives.
    #[serde(default = "default_access_minutes")]
    pub mobile_access_minutes: u32,
    /// Days a mobile sign-in lasts before the app must sign in again.
    #[serde(default = "default_refresh_days")]
    pub mobile_refresh_days: u32,
    /// The identity providers.
    #[serde(default, rename = "provider")]
    pub providers: Vec<ProviderConfig>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            public_url: None,
            signup: SignupPolicy::default(),
            web_redirects: Vec::new(),
            mobile_redirects: Vec::new(),
            cors_origins: Vec::new(),
            session_idle_minutes: default_idle_minutes(),
            session_max_days: default_session_days(),
            mobile_access_minutes: default_access_minutes(),
            mobile_refresh_days: default_refresh_days(),
            providers: Vec::new(),
        }
    }
}

fn default_idle_minutes() -> u32 {
    8 * 60
}

fn default_session_days() -> u32 {
    14
}

fn default_access_minutes() -> u32 {
    15
}

fn default_refresh_days() -> u32 {
    30
}

/// Ready-made endpoint sets for providers without OIDC discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// GitHub OAuth apps: the user and email APIs identify the user.
    Github,
}

/// One identity provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Short name used in URLs (`/auth/<name>/start`): lowercase letters, digits, hyphens.
    pub name: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Option<String>,
    /// Environment variable holding the client secret (preferred over `client_secret`).
    pub client_secret_env: Option<String>,
    /// OIDC issuer URL; endpoints and keys are discovered from it.
    pub issuer: Option<String>,
    /// A preset for a plain OAuth provider.
    pub preset: Option<Preset>,
    /// Plain OAuth: the authorization endpoint.
    pub authorization_url: Option<String>,
    /// Plain OAuth: the token endpoint.
    pub token_url: Option<String>,
    /// Plain OAuth: the endpoint describing the signed-in user (`id`, `name`, `email`).
    pub userinfo_url: Option<String>,
    /// Plain OAuth: the endpoint listing the user's emails with their verification state.
    pub emails_url: Option<String>,
    /// Scopes to request; sensible defaults per kind.
    pub scopes: Option<Vec<String>>,
}

impl AuthSettings {
    /// Reads and checks a settings file.
    pub fn from_file(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let settings: Self = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))?;
        Ok(settings)
    }
}
