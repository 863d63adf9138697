//! Opening the database: one function for SQLite and PostgreSQL, migrations applied on open.

use std::time::Duration;

use planarkiv_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::IngestError;

/// Connects and brings the schema up to date. SQLite files are created when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, IngestError> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        // WAL lets readers run beside the one writer; the busy timeout makes a second process
        // (a bulk ingest beside the server) wait for the write lock instead of failing.
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    } else {
        opts.max_connections(16);
    }
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
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

pub async fn ping(db: &DatabaseConnection) -> Result<(), IngestError> {
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}
