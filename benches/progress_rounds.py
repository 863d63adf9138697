#!/usr/bin/env python3
"""Cost of one progress round of a bulk ingest, by the size of the run.

usage: progress_rounds.py ARCHIVE.sqlite3 [--files N]

Copies an SQLite archive that a bulk run has written (any `planarkiv ingest --data-dir D`
leaves D/planarkiv.sqlite3), grows run 1 to N files by copying its rows, marks one file in
500 pending, and times the statements a running ingest makes every round: settling pending
files from their documents' state, and counting the run's files by outcome. It times them as
they were before migration 008 (an IN list of every indexed document of the archive, no index
on the outcome) and as they are now.
"""
import argparse
import shutil
import sqlite3
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("archive")
ap.add_argument("--files", type=int, default=100_000)
args = ap.parse_args()

tmp = tempfile.mkdtemp()
db = f"{tmp}/copy.sqlite3"
shutil.copy(args.archive, db)
c = sqlite3.connect(db)
c.execute("DROP INDEX IF EXISTS idx_ingest_files_run_outcome")
have = c.execute("SELECT COUNT(*) FROM ingest_files WHERE run_id = 1").fetchone()[0]
copies = max(0, -(-args.files // have) - 1)
if copies:
    c.execute(
        "INSERT INTO ingest_files (run_id, origin, sha256, size_bytes, outcome, reason, "
        "document_id, page_count, updated_at) SELECT run_id, origin || '#' || x.n, sha256, "
        "size_bytes, outcome, reason, document_id, page_count, updated_at FROM ingest_files, "
        f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {copies}) "
        "SELECT n FROM s) x WHERE run_id = 1"
    )
c.commit()
files = c.execute("SELECT COUNT(*) FROM ingest_files WHERE run_id = 1").fetchone()[0]
docs = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


def settle(status, column, source, new):
    if new:
        cond = f"(SELECT d.status FROM documents d WHERE d.id = ingest_files.document_id) = '{status}'"
    else:
        cond = f"document_id IN (SELECT id FROM documents WHERE status = '{status}')"
    outcome = "indexed" if status == "indexed" else "failed"
    return (
        f"UPDATE ingest_files SET outcome = '{outcome}', updated_at = 1, {column} = "
        f"(SELECT d.{source} FROM documents d WHERE d.id = ingest_files.document_id) "
        f"WHERE run_id = 1 AND outcome = 'pending' AND {cond}"
    )


COUNT = (
    "SELECT outcome, COUNT(*), COALESCE(SUM(page_count), 0) FROM ingest_files "
    "WHERE run_id = 1 GROUP BY outcome"
)
PENDING = "SELECT COUNT(*) FROM ingest_files WHERE run_id = 1 AND outcome = 'pending'"


def timed(statements, rounds=5):
    best = float("inf")
    for _ in range(rounds):
        c.execute("UPDATE ingest_files SET outcome = 'pending' WHERE id % 500 = 0")
        c.commit()
        t = time.perf_counter()
        for s in statements:
            c.execute(s).fetchall()
        c.commit()
        best = min(best, time.perf_counter() - t)
    return best * 1000


print(f"run of {files:,} files, archive of {docs:,} documents (best of 5 rounds)")
before = timed([settle("failed", "reason", "error", False), settle("indexed", "page_count", "page_count", False), COUNT])
print(f"before: settle + count every round            {before:8.2f} ms")
c.execute(
    "CREATE INDEX idx_ingest_files_run_outcome ON ingest_files (run_id, outcome, page_count)"
)
c.commit()
settle_now = [
    settle("failed", "reason", "error", True),
    settle("indexed", "page_count", "page_count", True),
    PENDING,
]
now = timed(settle_now)
print(f"now:    settle + pending check every round     {now:8.2f} ms")
print(f"now:    full count, once a second              {timed([COUNT]):8.2f} ms")
shutil.rmtree(tmp)
