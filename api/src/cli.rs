//! The subcommands of the binary.

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{Duration, Utc};
use entity::access_token::{self, TokenKind};
use entity::user::{self, UserRole};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tracing_subscriber::EnvFilter;

use crate::auth::login::Auth;
use crate::auth::session;
use crate::auth::settings::AuthSettings;
use crate::auth::token::{create_personal_token, ensure_user};
use crate::config::{
    Cli, Command, LogFormat, MigrateAction, RoleArg, SchemaArgs, ServeArgs, TokenAction,
    TokenCreateArgs, TokenListArgs, TokenRevokeArgs,
};
use crate::error::ApiError;
use crate::http::{AppState, ServerOptions, serve as serve_http};
use crate::{db, demo, graphql};

/// Sends logs to stderr (stdout stays clean for `schema` and `token create`). `RUST_LOG`
/// overrides the default level.
pub fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
    }
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    actix_web::rt::System::new().block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Migrate { database, action } => {
                let (db, _) = db::connect(&database).await?;
                migrate(&db, action).await
            }
            Command::Schema(args) => schema(&args),
            Command::Token { action } => match action {
                TokenAction::Create(args) => create_token(args).await,
                TokenAction::List(args) => list_tokens(args).await,
                TokenAction::Revoke(args) => revoke_token(args).await,
            },
        }
    })
}

fn api_error(err: ApiError) -> anyhow::Error {
    err.log();
    anyhow::anyhow!(err.message())
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let (db, _) = db::connect(&args.database)
        .await
        .context("cannot connect to the database")?;
    if !args.no_migrate {
        db::migrate_up(&db).await.context("migrations failed")?;
    }
    let demo_token = if args.demo {
        if demo::load(&db).await.map_err(api_error)? {
            tracing::info!("demo program loaded");
        }
        Some(rotate_demo_token(&db).await.map_err(api_error)?)
    } else {
        None
    };
    let listener = TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let mut auth_settings = match &args.auth_config {
        Some(path) => AuthSettings::from_file(path)?,
        None => AuthSettings::default(),
    };
    if args.public_url.is_some() {
        auth_settings.public_url.clone_from(&args.public_url);
    }
    let auth = Auth::new(auth_settings, &format!("http://{address}")).context("auth settings")?;
    for provider in &auth.providers {
        tracing::info!(
            provider = %provider.name,
            callback = %auth.callback_url(&provider.name),
            "identity provider configured"
        );
    }
    let state = AppState::new(
        db,
        auth,
        ServerOptions {
            max_body_bytes: args.max_body_bytes,
            body_read_timeout: std::time::Duration::from_secs(args.body_read_timeout),
            graphiql: args.graphiql,
            introspection: args.introspection,
        },
    );
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let server = serve_http(listener, state, workers)?;
    println!("peerlearn is listening on http://{address}");
    println!("  GraphQL endpoint: http://{address}/graphql");
    if args.graphiql {
        println!("  GraphiQL:         http://{address}/graphiql");
    }
    if let Some(token) = demo_token {
        println!();
        println!(
            "Demo admin ({}) token, valid until the next --demo start:",
            demo::ADMIN_EMAIL
        );
        println!("  {token}");
        println!("In GraphiQL, open the Headers tab and paste:");
        println!("  {{\"Authorization\": \"Bearer {token}\"}}");
        println!("then run: {{ viewer {{ name }} cohorts {{ nodes {{ name }} }} }}");
    }
    server.await?;
    Ok(ExitCode::SUCCESS)
}

/// Name of the token `serve --demo` issues to the demo admin.
const DEMO_TOKEN_NAME: &str = "demo";

/// Replaces the demo admin's demo token with a new one, so restarts do not pile up tokens.
async fn rotate_demo_token(db: &DatabaseConnection) -> Result<String, ApiError> {
    let admin = ensure_user(db, demo::ADMIN_EMAIL, "Dana Administrator", UserRole::Admin).await?;
    access_token::Entity::delete_many()
        .filter(access_token::Column::UserId.eq(admin.id))
        .filter(access_token::Column::Name.eq(DEMO_TOKEN_NAME))
        .exec(db)
        .await?;
    Ok(create_personal_token(db, admin.id, DEMO_TOKEN_NAME, None)
        .await?
        .secret)
}

async fn migrate(db: &DatabaseConnection, action: MigrateAction) -> anyhow::Result<ExitCode> {
    match action {
        MigrateAction::Up => {
            db::migrate_up(db).await?;
            eprintln!("all migrations applied");
        }
        MigrateAction::Down { steps, all } => {
            db::migrate_down(db, (!all).then_some(steps)).await?;
            eprintln!("rolled back");
        }
        MigrateAction::Status => {
            for (name, applied) in db::migration_status(db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn schema(args: &SchemaArgs) -> anyhow::Result<ExitCode> {
    let sdl = graphql::sdl();
    if !args.check {
        print!("{sdl}");
        return Ok(ExitCode::SUCCESS);
    }
    let checked_in = std::fs::read_to_string(&args.path)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    if checked_in == sdl {
        eprintln!("{} is up to date", args.path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} differs from the schema in code; regenerate it with:\n  cargo run -- schema > {}",
            args.path.display(),
            args.path.display()
        );
        Ok(ExitCode::FAILURE)
    }
}

async fn create_token(args: TokenCreateArgs) -> anyhow::Result<ExitCode> {
    let email = args.email.trim();
    anyhow::ensure!(
        email.contains('@') && email.len() <= 320,
        "--email must be an email address"
    );
    let (db, _) = db::connect(&args.database).await?;
    db::migrate_up(&db).await.context("migrations failed")?;
    let role = match args.role {
        RoleArg::Admin => UserRole::Admin,
        RoleArg::User => UserRole::User,
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let user = ensure_user(&db, email, &name, role)
        .await
        .map_err(api_error)?;
    let expires_at = args
        .expires_in_days
        .map(|days| Utc::now() + Duration::days(i64::from(days)));
    let issued = create_personal_token(&db, user.id, &args.token_name, expires_at)
        .await
        .map_err(api_error)?;
    eprintln!(
        "created token \"{}\" for {} ({email}); it is shown once:",
        args.token_name, user.name
    );
    println!("{}", issued.secret);
    Ok(ExitCode::SUCCESS)
}

async fn list_tokens(args: TokenListArgs) -> anyhow::Result<ExitCode> {
    let (db, _) = db::connect(&args.database).await?;
    let email = args.email.trim().to_lowercase();
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user with the email {email}"))?;
    let tokens = access_token::Entity::find()
        .filter(access_token::Column::UserId.eq(user.id))
        .filter(access_token::Column::Kind.eq(TokenKind::Personal))
        .order_by_asc(access_token::Column::Id)
        .all(&db)
        .await?;
    let when = |at: Option<chrono::DateTime<Utc>>| {
        at.map_or_else(
            || "-".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    println!("id\tname\tcreated\tlast used\texpires\trevoked");
    for token in tokens {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            token.id,
            token.name,
            when(Some(token.created_at)),
            when(token.last_used_at),
            when(token.expires_at),
            when(token.revoked_at),
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn revoke_token(args: TokenRevokeArgs) -> anyhow::Result<ExitCode> {
    let (db, _) = db::connect(&args.database).await?;
    let token = access_token::Entity::find_by_id(args.id)
        .filter(access_token::Column::Kind.eq(TokenKind::Personal))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no personal access token with the id {}", args.id))?;
    session::revoke(&db, &token).await.map_err(api_error)?;
    eprintln!("revoked token \"{}\"", token.name);
    Ok(ExitCode::SUCCESS)
}
