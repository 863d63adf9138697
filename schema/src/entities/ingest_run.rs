use sea_orm::entity::prelude::*;

/// One invocation of `planarkiv ingest`. Instants are epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ingest_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// Renewed every few seconds while the run is alive.
    pub heartbeat_at: i64,
    /// running, finished, interrupted
    pub state: String,
    pub dry_run: bool,
    /// The paths given on the command line, one per line.
    #[sea_orm(column_type = "Text")]
    pub paths: String,
    pub jobs: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::ingest_file::Entity")]
    File,
}

impl Related<super::ingest_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::File.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// A run whose heartbeat is older than this was stopped without a chance to say so.
pub const HEARTBEAT_STALE_MS: i64 = 60_000;

impl Model {
    /// running, finished, interrupted, or abandoned (killed outright; run it again to finish).
    pub fn effective_state(&self, now_ms: i64) -> &str {
        if self.state == "running" && now_ms - self.heartbeat_at > HEARTBEAT_STALE_MS {
            "abandoned"
        } else {
            &self.state
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_run_without_heartbeat_is_abandoned() {
        let run = Model {
            id: 1,
            started_at: 0,
            finished_at: None,
            state: "running".into(),
            dry_run: false,
            paths: String::new(),
            jobs: 1,
            heartbeat_at: 1_000,
        };
        assert_eq!(
            run.effective_state(1_000 + HEARTBEAT_STALE_MS / 2),
            "running"
        );
        assert_eq!(
            run.effective_state(1_000 + HEARTBEAT_STALE_MS + 1),
            "abandoned"
        );
        let done = Model {
            state: "finished".into(),
            ..run
        };
        assert_eq!(done.effective_state(i64::MAX), "finished");
    }
}
