#!/usr/bin/env bash
# Bulk-ingest benchmark: 2,000 generated PDFs end to end with --jobs 1 and --jobs 2, beside
# the raw single-thread extraction rate of the same files, measured in the same run.
#   usage: benches/bulk_ingest.sh [WORK_DIR]   (needs: cargo build --release; pip install pypdf)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/planarkiv}
WORK=${1:-$(mktemp -d)}
ARCHIVE="$WORK/archive"
[ -d "$ARCHIVE" ] || python3 benches/make_archive.py "$ARCHIVE" --files 2000 --min-pages 10
echo "== raw extraction, one thread"
/usr/bin/time -f "cpu user %U s, sys %S s, wall %e s, max rss %M KiB" "$BIN" bench extract "$ARCHIVE"
for jobs in 1 2; do
    rm -rf "$WORK/data-$jobs"
    echo "== ingest --jobs $jobs"
    /usr/bin/time -f "cpu user %U s, sys %S s, wall %e s, max rss %M KiB" \
        "$BIN" ingest "$ARCHIVE" --data-dir "$WORK/data-$jobs" --jobs "$jobs" | tail -n 2
done
