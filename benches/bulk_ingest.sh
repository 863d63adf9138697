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
# What two cores give when nothing but extraction runs: two processes, half the files each.
echo "== raw extraction, two processes side by side"
find "$ARCHIVE/" -name '*.pdf' | sort > "$WORK/files.txt"
split -n r/2 -d "$WORK/files.txt" "$WORK/half-"
t0=$(date +%s.%N)
xargs -a "$WORK/half-00" "$BIN" bench extract > "$WORK/half-00.out" &
xargs -a "$WORK/half-01" "$BIN" bench extract > "$WORK/half-01.out"
wait
t1=$(date +%s.%N)
cat "$WORK/half-00.out" "$WORK/half-01.out"
awk -v secs="$(echo "$t1 - $t0" | bc)" '/^extracted/ { pages += $6 }
    END { printf "both: %d pages in %.2f s, %.1f pages/s\n", pages, secs, pages / secs }' \
    "$WORK/half-00.out" "$WORK/half-01.out"
for jobs in 1 2; do
    rm -rf "$WORK/data-$jobs"
    echo "== ingest --jobs $jobs"
    /usr/bin/time -f "cpu user %U s, sys %S s, wall %e s, max rss %M KiB" \
        "$BIN" ingest "$ARCHIVE" --data-dir "$WORK/data-$jobs" --jobs "$jobs" | tail -n 2
done
