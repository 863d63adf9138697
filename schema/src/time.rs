//! Job scheduling stores instants as milliseconds since the Unix epoch in a BIGINT: the one
//! representation whose comparison in SQL behaves the same on SQLite and PostgreSQL.

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
