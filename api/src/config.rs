//! Command line and environment configuration. Every flag can also be set through the
//! environment variable named in `--help`; flags win.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// The peer-learning platform API server.
#[derive(Debug, Parser)]
#[command(name = "peerlearn", version, about, long_about = None)]
pub struct Cli {
    /// Log output format.
    #[arg(long, env = "PEERLEARN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first unless --no-migrate is given).
    Serve(ServeArgs),
    /// Apply, roll back or list database migrations.
    Migrate {
        /// Database connection.
        #[command(flatten)]
        database: DatabaseArgs,
        /// The migration action.
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL), or check it against the checked-in file.
    Schema(SchemaArgs),
    /// Manage personal access tokens.
    Token {
        /// The token action.
        #[command(subcommand)]
        action: TokenAction,
    },
}

/// Log output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How to reach the database.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: an SQLite file (`sqlite://path?mode=rwc`, the default, created on first
    /// start) or PostgreSQL (`postgres://user:password@host:port/database`).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/peerlearn.db?mode=rwc"
    )]
    pub database_url: String,

    /// Most connections the pool holds.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_pool_size: u32,

    /// Seconds a request waits for a free or new connection before failing with
    /// SERVICE_UNAVAILABLE.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub database_acquire_timeout: u64,
}

/// Who may introspect the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Introspection {
    /// Every caller, signed in or not.
    Anyone,
    /// Signed-in callers only.
    SignedIn,
}

/// Arguments of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database connection.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address and port to listen on.
    #[arg(long, env = "PEERLEARN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Do not apply pending migrations at start-up.
    #[arg(long, env = "PEERLEARN_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Load the demo program (two cohorts, a dozen organizations, staff, topics) unless it is
    /// already there, and print a sign-in token for the demo admin.
    #[arg(long, env = "PEERLEARN_DEMO")]
    pub demo: bool,

    /// Serve the GraphiQL developer UI at /graphiql (`true` or `false`). Turn it off in
    /// production.
    #[arg(long, env = "PEERLEARN_GRAPHIQL", default_value_t = true, action = ArgAction::Set)]
    pub graphiql: bool,

    /// Who may introspect the schema: `anyone`, or `signed-in` (anonymous requests then get
    /// neither introspection nor "did you mean" suggestions in errors; use it in production).
    #[arg(long, env = "PEERLEARN_INTROSPECTION", value_enum, default_value_t = Introspection::Anyone)]
    pub introspection: Introspection,

    /// Seconds a client may take to send a request body; slower ones get 408 and the
    /// connection is closed.
    #[arg(long, env = "PEERLEARN_BODY_READ_TIMEOUT", default_value_t = 10)]
    pub body_read_timeout: u64,

    /// Largest accepted request body in bytes; larger requests get 413.
    #[arg(long, env = "PEERLEARN_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,

    /// TOML file with the sign-in settings: identity providers, allowed redirect URLs, CORS
    /// origins, sign-up policy (see docs/auth.md). Without it, only personal access tokens work.
    #[arg(long, env = "PEERLEARN_AUTH_CONFIG")]
    pub auth_config: Option<PathBuf>,

    /// The URL at which browsers and identity providers reach this server (overrides
    /// `public_url` in the auth config; default `http://<listen address>`).
    #[arg(long, env = "PEERLEARN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Worker threads serving HTTP (default: one per CPU core).
    #[arg(long, env = "PEERLEARN_WORKERS")]
    pub workers: Option<usize>,
}

/// Arguments of `schema`.
#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// Compare the schema with the file instead of printing it; exit with status 1 on drift.
    #[arg(long)]
    pub check: bool,

    /// The checked-in schema file used by --check.
    #[arg(long, default_value = "schema.graphql")]
    pub path: PathBuf,
}

/// Migration actions.
#[derive(Debug, Clone, Subcommand)]
pub enum MigrateAction {
    /// Apply all pending migrations.
    Up,
    /// Roll back applied migrations, newest first.
    Down {
        /// How many to roll back.
        #[arg(long, default_value_t = 1, conflicts_with = "all")]
        steps: u32,
        /// Roll back every migration.
        #[arg(long)]
        all: bool,
    },
    /// List every migration and whether it is applied.
    Status,
}

/// Token actions.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Create a personal access token, creating the user first if there is none with that email
    /// (migrates the database first). Prints the token once; only its hash is stored.
    Create(TokenCreateArgs),
    /// List a user's personal access tokens.
    List(TokenListArgs),
    /// Revoke a personal access token by the id `token list` shows.
    Revoke(TokenRevokeArgs),
}

/// Arguments of `token list`.
#[derive(Debug, Clone, Args)]
pub struct TokenListArgs {
    /// Database connection.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Email of the user whose tokens to list.
    #[arg(long)]
    pub email: String,
}

/// Arguments of `token revoke`.
#[derive(Debug, Clone, Args)]
pub struct TokenRevokeArgs {
    /// Database connection.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The token's id, as printed by `token list`.
    pub id: uuid::Uuid,
}

/// Arguments of `token create`.
#[derive(Debug, Clone, Args)]
pub struct TokenCreateArgs {
    /// Database connection.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Email of the user the token belongs to.
    #[arg(long)]
    pub email: String,

    /// Display name, used when the user is created.
    #[arg(long)]
    pub name: Option<String>,

    /// Platform role, used when the user is created; `admin` also promotes an existing user.
    #[arg(long, value_enum, default_value_t = RoleArg::User)]
    pub role: RoleArg,

    /// A label for the token, to recognise it later.
    #[arg(long, default_value = "cli")]
    pub token_name: String,

    /// Days until the token expires (default: never).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires_in_days: Option<u32>,
}

/// Platform roles accepted on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// An administrator of the whole platform.
    Admin,
    /// A regular user (grantee staff or T/TA provider).
    User,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    fn walk(command: &clap::Command, path: &str, problems: &mut Vec<String>) {
        let path = format!("{path} {}", command.get_name());
        if command.get_about().is_none() {
            problems.push(format!("{path}: no description"));
        }
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() {
                problems.push(format!("{path} --{id}: no help text"));
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, &path, problems);
        }
    }

    #[test]
    fn every_subcommand_and_flag_is_documented() {
        let command = Cli::command();
        command.clone().debug_assert();
        let mut problems = Vec::new();
        walk(&command, "", &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn server_and_database_settings_come_from_the_environment_too() {
        let command = Cli::command();
        let serve = command
            .find_subcommand("serve")
            .map(|c| c.get_arguments().collect::<Vec<_>>())
            .unwrap_or_default();
        assert!(!serve.is_empty());
        for arg in serve {
            let id = arg.get_id().as_str();
            if id != "help" {
                assert!(
                    arg.get_env().is_some(),
                    "serve --{id} has no environment variable"
                );
            }
        }
    }
}
