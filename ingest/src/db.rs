//! Opening the database: one function for SQLite and PostgreSQL, migrations applied on open.

use std::time::Duration;

use planarkiv_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::IngestError;

/// Connects and brings the schema up to date. SQLite files are created when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, IngestError> {
    let mut opts = ConnectOptions::new(url.to_owned());
    // PLANARKIV_SQL_LOG=1 logs every statement with its timing (at info, so RUST_LOG=info
    // shows it): how the write path's statement counts were found.
    opts.sqlx_logging(std::env::var_os("PLANARKIV_SQL_LOG").is_some())
        .sqlx_logging_level(tracing::log::LevelFilter::Info)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        // An in-memory database lives in its pool: it is new, so nothing refers to anything
        // yet and its migrations run there.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            migrate_sqlite(opts.clone()).await?;
        }
        // WAL lets readers run beside the one writer; the busy timeout makes a second process
        // (a bulk ingest beside the server) wait for the write lock instead of failing.
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
        let db = Database::connect(opts).await?;
        if in_memory {
            Migrator::up(&db, None).await?;
        }
        return Ok(db);
    }
    opts.max_connections(16);
    let db = Database::connect(opts).await?;
    // PostgreSQL runs the pending migrations in one transaction.
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// SQLite migrations run on one connection of their own with foreign keys off: a migration that
/// changes a column rebuilds its table (SQLite has no ALTER COLUMN), and dropping the old table
/// with foreign keys on would cascade into the rows that refer to it. Afterwards every foreign
/// key is checked, so a migration that broke one fails here instead of later.
async fn migrate_sqlite(mut opts: ConnectOptions) -> Result<(), IngestError> {
    opts.max_connections(1)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(false)
        });
    let db = Database::connect(opts).await?;
    if !Migrator::get_pending_migrations(&db).await?.is_empty() {
        Migrator::up(&db, None).await?;
        let broken = db
            .query_all(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_key_check",
            ))
            .await?;
        if !broken.is_empty() {
            return Err(IngestError::Internal(format!(
                "after migrating, {} rows break a foreign key",
                broken.len()
            )));
        }
    }
    db.close().await?;
    Ok(())
}

/// The SQLite URL of a database file inside a data directory.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Placeholders differ per backend (`?` on SQLite, `$n` on PostgreSQL); raw statements are
/// written with `$n` and rewritten here for SQLite, which accepts `?NNN` numbered parameters.
pub fn sql(backend: DbBackend, text: &str) -> String {
    match backend {
        DbBackend::Postgres => text.to_owned(),
        _ => text.replace('$', "?"),
    }
}

/// SQLite lets one connection write at a time; the others retry on a timer (1, 2, 5, 10 … ms),
/// so a writer that loses the race sleeps past the moment the lock came free. Within this
/// process the writers of the ingest path queue here instead and take the lock in turn, at
/// once. On PostgreSQL writers do not block each other and this is a no-op.
///
/// Take it before `begin()` and only at the top of a write (never while holding a connection
/// or another guard); writers that do not take it stay correct and just retry as before.
pub async fn write_turn(db: &DatabaseConnection) -> Option<tokio::sync::MutexGuard<'static, ()>> {
    static SQLITE_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    match db.get_database_backend() {
        DbBackend::Sqlite => Some(SQLITE_WRITES.lock().await),
        _ => None,
    }
}

/// Begins a transaction that will write, in the write turn (the guard must outlive it). On
/// SQLite its first statement takes the write lock: a transaction that has only read and then
/// writes fails at once ("database is locked") while another process holds the lock, because
/// SQLite does not use the busy handler for that upgrade; one that starts by writing waits.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<
    (
        Option<tokio::sync::MutexGuard<'static, ()>>,
        sea_orm::DatabaseTransaction,
    ),
    IngestError,
> {
    use sea_orm::TransactionTrait;
    let turn = write_turn(db).await;
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Changes nothing, but as a write statement it takes the lock (waiting if need be).
        txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0")
            .await?;
    }
    Ok((turn, txn))
}

pub async fn ping(db: &DatabaseConnection) -> Result<(), IngestError> {
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}
