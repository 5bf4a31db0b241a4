//! A sign-in in progress: the `state`, PKCE verifier and nonce of one authorization request,
//! kept server-side until the provider redirects back, then consumed.

use sea_orm::entity::prelude::*;

/// Which kind of front end started the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Default)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FlowClient {
    #[default]
    #[sea_orm(string_value = "WEB")]
    Web,
    #[sea_orm(string_value = "MOBILE")]
    Mobile,
}

crate::model! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "auth_flow")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// SHA-256 of the `state` sent to the provider.
        #[sea_orm(unique)]
        pub state_hash: String,
        pub provider: String,
        pub pkce_verifier: String,
        pub nonce: String,
        pub client: FlowClient,
        /// Web: the allow-listed front-end URL to return to.
        pub return_to: Option<String>,
        /// Mobile: the app's registered redirect URI.
        pub app_redirect_uri: Option<String>,
        /// Mobile: the app's own PKCE challenge (S256), checked when it redeems the code.
        pub app_code_challenge: Option<String>,
        /// Mobile: the app's `state`, handed back unchanged.
        pub app_state: Option<String>,
        pub expires_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
