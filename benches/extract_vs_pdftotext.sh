#!/usr/bin/env bash
# Extraction speed on one core: planarkiv (in one process, and one process per file as a CLI)
# beside pdftotext (one process per file), on the same PDFs, in the same run.
#   usage: benches/extract_vs_pdftotext.sh CORPUS_DIR...   (dirs with manifest.json; needs pdftotext)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/planarkiv}
ROUNDS=${ROUNDS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for dir in "$@"; do
    python3 - "$dir" "$WORK" <<'PY'
import json, os, sys
d, out = sys.argv[1], sys.argv[2]
for e in json.load(open(os.path.join(d, "manifest.json"))):
    if e.get("expect") == "text":
        src = os.path.join(os.path.abspath(d), e["pdf"])
        os.symlink(src, os.path.join(out, os.path.basename(d) + "__" + e["pdf"]))
PY
done
n=$(ls "$WORK" | wc -l)
echo "files: $n (text layer expected), rounds: $ROUNDS, pinned to CPU 0"
echo "== planarkiv, one process"
taskset -c 0 "$BIN" bench extract "$WORK" --repeat "$ROUNDS"
pages=$(taskset -c 0 "$BIN" bench extract "$WORK" | sed -n 's/.*, \([0-9]*\) pages,.*/\1/p')
per_run() {
    local start end
    start=$(date +%s.%N)
    for _ in $(seq "$ROUNDS"); do
        for f in "$WORK"/*; do "$@" "$f" >/dev/null 2>&1 || true; done
    done
    end=$(date +%s.%N)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); p=int(sys.argv[3])*int(sys.argv[4]); print(f'{s:.2f} s, {p/s:.1f} pages/s')" "$start" "$end" "$pages" "$ROUNDS"
}
echo "== planarkiv extract, one process per file"
per_run taskset -c 0 "$BIN" extract
echo "== pdftotext, one process per file"
per_run taskset -c 0 sh -c 'exec pdftotext -q "$0" -'
