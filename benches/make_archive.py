#!/usr/bin/env python3
"""Generate a synthetic archive for the bulk-ingest benchmark.

usage: make_archive.py OUT_DIR [--files N] [--source DIR]...

Cycles through the PDFs under the source folders (default: the project's samples/) and
writes N distinct files in nested year/month folders. Each copy gets a comment appended after
%%EOF, which readers ignore but which gives it its own sha256, so every file is new to the
archive and is extracted and indexed. Only the standard library is used.
"""
import argparse
import pathlib
import sys

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--files", type=int, default=2000)
ap.add_argument("--source", action="append")
args = ap.parse_args()

here = pathlib.Path(__file__).resolve().parent.parent
sources = [pathlib.Path(s) for s in (args.source or [here / "samples"])]
pdfs = sorted(p for s in sources for p in s.rglob("*.pdf"))
if not pdfs:
    sys.exit("no source PDFs")
blobs = [p.read_bytes() for p in pdfs]
out = pathlib.Path(args.out)
for i in range(args.files):
    d = out / str(2010 + i % 15) / f"{i % 12 + 1:02d}"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"dok-{i:05d}.pdf").write_bytes(blobs[i % len(blobs)] + f"\n%bench {i}\n".encode())
print(f"wrote {args.files} files from {len(pdfs)} sources into {out}")
