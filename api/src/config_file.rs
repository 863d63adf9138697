//! Settings from a TOML file. Every setting already has an environment variable
//! (`PLANARKIV_…`, `DATABASE_URL`); the file supplies those that the environment does not, so
//! the order of precedence is: command-line flag, environment, file, built-in default.
//!
//! ```toml
//! data_dir = "/var/lib/planarkiv"
//! listen = "0.0.0.0:8080"
//! database_url = "postgres://planarkiv@db/planarkiv"
//! anonymous_role = "reader"
//! cors_origins = ["https://arkiv.example.no"]
//! max_upload_mb = 200
//! job_lease_secs = 30
//! ```

use std::path::Path;

/// File keys and the environment variables they stand for.
pub const KEYS: &[(&str, &str)] = &[
    ("data_dir", "PLANARKIV_DATA_DIR"),
    ("listen", "PLANARKIV_LISTEN"),
    ("database_url", "DATABASE_URL"),
    ("index_dir", "PLANARKIV_INDEX_DIR"),
    ("anonymous_role", "PLANARKIV_ANONYMOUS_ROLE"),
    ("cors_origins", "PLANARKIV_CORS_ORIGINS"),
    ("max_upload_mb", "PLANARKIV_MAX_UPLOAD_MB"),
    ("job_lease_secs", "PLANARKIV_JOB_LEASE_SECS"),
    ("samples", "PLANARKIV_SAMPLES"),
    ("allowed_hosts", "PLANARKIV_ALLOWED_HOSTS"),
    ("max_connections", "PLANARKIV_MAX_CONNECTIONS"),
    ("max_concurrent_uploads", "PLANARKIV_MAX_CONCURRENT_UPLOADS"),
];

/// Reads the file and returns `(environment variable, value)` for every setting in it.
/// Unknown keys are an error: a misspelt setting silently ignored is a misconfigured server.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some((_, env)) = KEYS.iter().find(|(k, _)| *k == key) else {
            let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "{}: unknown setting {key:?} (known: {})",
                path.display(),
                known.join(", ")
            ));
        };
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect::<Vec<_>>()
                .join(","),
            other => {
                return Err(format!(
                    "{}: {key} must be a string, number or list, not {other}",
                    path.display()
                ))
            }
        };
        out.push((env.to_string(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keys_to_variables_and_refuses_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("planarkiv.toml");
        std::fs::write(
            &p,
            "listen = \"0.0.0.0:9000\"\nmax_upload_mb = 5\ncors_origins = [\"https://a.no\", \"https://b.no\"]\n",
        )
        .unwrap();
        let mut got = read(&p).unwrap();
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    "PLANARKIV_CORS_ORIGINS".to_string(),
                    "https://a.no,https://b.no".to_string()
                ),
                ("PLANARKIV_LISTEN".to_string(), "0.0.0.0:9000".to_string()),
                ("PLANARKIV_MAX_UPLOAD_MB".to_string(), "5".to_string()),
            ]
        );
        std::fs::write(&p, "lisen = \"x\"\n").unwrap();
        assert!(read(&p).unwrap_err().contains("unknown setting"));
    }
}
