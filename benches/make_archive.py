#!/usr/bin/env python3
"""Generate a synthetic archive for the bulk-ingest benchmark.

usage: make_archive.py OUT_DIR [--files N] [--min-pages P] [--source DIR]...

Builds N distinct PDFs in nested year/month folders from the PDFs under the source folders
(default: the project's samples/). Each output file joins source documents (in rotation, so
every file's mix differs) until it has at least P pages; that needs pypdf
(`pip install pypdf`); with --min-pages 0 files are plain copies and only the standard library
is used. Every file gets a comment appended after %%EOF, which readers ignore but which gives
it its own sha256, so every file is new to the archive and is extracted and indexed.
"""
import argparse
import io
import pathlib
import sys

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--files", type=int, default=2000)
ap.add_argument("--min-pages", type=int, default=10)
ap.add_argument("--source", action="append")
args = ap.parse_args()

here = pathlib.Path(__file__).resolve().parent.parent
sources = [pathlib.Path(s) for s in (args.source or [here / "samples"])]
pdfs = sorted(p for s in sources for p in s.rglob("*.pdf"))
if not pdfs:
    sys.exit("no source PDFs")
blobs = [p.read_bytes() for p in pdfs]

combos = []
if args.min_pages > 0:
    from pypdf import PdfReader, PdfWriter

    readers = [PdfReader(io.BytesIO(b)) for b in blobs]
    # A handful of distinct multi-document combinations, reused with distinct tails.
    for start in range(len(readers)):
        w = PdfWriter()
        pages, k = 0, start
        while pages < args.min_pages:
            r = readers[k % len(readers)]
            for page in r.pages:
                w.add_page(page)
            pages += len(r.pages)
            k += 1
        buf = io.BytesIO()
        w.write(buf)
        combos.append((buf.getvalue(), pages))
else:
    combos = [(b, None) for b in blobs]

out = pathlib.Path(args.out)
total_pages = 0
for i in range(args.files):
    data, pages = combos[i % len(combos)]
    total_pages += pages or 0
    d = out / str(2010 + i % 15) / f"{i % 12 + 1:02d}"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"dok-{i:05d}.pdf").write_bytes(data + f"\n%bench {i}\n".encode())
print(f"wrote {args.files} files ({total_pages or 'unknown'} pages) from {len(pdfs)} sources into {out}")
