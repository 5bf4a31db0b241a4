//! Database connections and migrations.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

use crate::config::DatabaseArgs;
use crate::store::begin_write;

/// Counts the SQL statements run through one connection pool, and keeps their text while asked
/// to (tests check what a request runs with it).
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<Statements>);

#[derive(Debug, Default)]
struct Statements {
    count: AtomicU64,
    recording: AtomicBool,
    recorded: Mutex<Vec<String>>,
}

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }

    /// Keeps the text of every statement from now on, until [`StatementCounter::stop_recording`].
    pub fn start_recording(&self) {
        self.recorded().clear();
        self.0.recording.store(true, Ordering::SeqCst);
    }

    /// Stops keeping statements and returns those kept since recording started.
    pub fn stop_recording(&self) -> Vec<String> {
        self.0.recording.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.recorded())
    }

    fn count(&self, sql: &str) {
        self.0.count.fetch_add(1, Ordering::Relaxed);
        if self.0.recording.load(Ordering::Relaxed) {
            self.recorded().push(sql.to_owned());
        }
    }

    fn recorded(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A push or a clear leaves the list whole even if it panicked.
        self.0
            .recorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How long a pooled connection may sit unused before it is checked on its next use.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(1);

/// Key of the PostgreSQL advisory lock held while migrating, so that instances starting
/// together migrate one after the other.
const MIGRATION_LOCK_KEY: i64 = 0x7065_6572_6c65_6172; // "peerlear"

/// Opens a connection pool: SQLite with WAL, foreign keys and a busy timeout (the file and its
/// folder are created if missing), or PostgreSQL.
pub async fn connect(args: &DatabaseArgs) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    if let Some(path) = sqlite_file(&args.database_url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            DbErr::Custom(format!("cannot create the folder {}: {e}", dir.display()))
        })?;
    }
    let mut options = ConnectOptions::new(args.database_url.clone());
    options
        .max_connections(args.database_pool_size)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(args.database_acquire_timeout))
        .connect_timeout(Duration::from_secs(args.database_acquire_timeout))
        .sqlx_logging(false)
        // A connection the pool handed out within the last second is in use and alive; one
        // idle for longer (perhaps closed by a database restart) is checked with a round trip
        // first. Checking every one cost a round trip per statement.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_CHECK)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    let mut db = Database::connect(options).await?;
    let counter = StatementCounter::default();
    let count = counter.clone();
    db.set_metric_callback(move |info| {
        count.count(&info.statement.sql);
        if info.failed {
            tracing::debug!(elapsed = ?info.elapsed, "statement failed");
        }
    });
    Ok((db, counter))
}

/// The file path of an SQLite URL, or `None` for other databases and in-memory SQLite.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// Runs `f` inside one transaction, holding the migration lock on PostgreSQL and the write
/// lock on SQLite. SQLite and
/// PostgreSQL both have transactional DDL, so a failed migration leaves nothing half-applied.
async fn locked<F>(db: &DatabaseConnection, f: F) -> Result<(), DbErr>
where
    F: AsyncFnOnce(&sea_orm::DatabaseTransaction) -> Result<(), DbErr>,
{
    let txn = begin_write(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK_KEY.into()],
        ))
        .await?;
    }
    f(&txn).await?;
    txn.commit().await
}

/// Applies every pending migration.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    locked(db, async |txn| Migrator::up(txn, None).await).await
}

/// Rolls back the newest `steps` migrations, or all of them.
pub async fn migrate_down(db: &DatabaseConnection, steps: Option<u32>) -> Result<(), DbErr> {
    locked(db, async |txn| Migrator::down(txn, steps).await).await
}

/// Every migration with whether it is applied.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let status = Migrator::get_migration_with_status(db).await?;
    Ok(status
        .into_iter()
        .map(|m| {
            let applied = matches!(m.status(), migration::MigrationStatus::Applied);
            (m.name().to_owned(), applied)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/peerlearn.db?mode=rwc").as_deref(),
            Some("data/peerlearn.db")
        );
        assert_eq!(sqlite_file("sqlite:x.db").as_deref(), Some("x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/db"), None);
    }
}
