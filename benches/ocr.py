#!/usr/bin/env python3
"""OCR benchmark (BENCHMARKS.md, "OCR"): word F1 against the corpus's exact truth, CPU seconds
and wall seconds per page, for `planarkiv extract` and OCRmyPDF `--skip-text` side by side.

Sets (`--sets`, comma-separated; `HARD` below lists the variants):
  scanned  the corpus's own image-only variants (`*.scanned.pdf`, 100 dpi RGB Flate images);
  hard     scans made here from each seed's LibreOffice PDF: rendered at 200 dpi in grey,
           skewed by a random angle of up to 3°, photocopy speckle (black specks and white
           drop-outs), saved as JPEG quality 35, and one page of each document upside down;
  300dpi   the same pages clean at 300 dpi (JPEG quality 90): CPU per full page at 300 dpi
           (US letter, as the corpus is set; A4 is 5 % larger).

usage (Pillow and OCRmyPDF in a virtualenv; Tesseract `nor` and poppler-utils installed):
  python3 -m venv /tmp/ocrbench && /tmp/ocrbench/bin/pip install pillow ocrmypdf
  /tmp/ocrbench/bin/python benches/ocr.py --planarkiv target/release/planarkiv \
      --corpus ../shared/corpus/generated --scorer ../shared/tools/score_extraction.py \
      --ocrmypdf /tmp/ocrbench/bin/ocrmypdf [--json out.json]

F1 is the scorer's (its `words` and `f1`: Unicode word runs, NFKC, case-folded, multiset
precision and recall). CPU is user + system time of the command and every process it waited
for (Tesseract, pdftoppm, pdftotext), from the children's rusage. Each command runs alone, one
file at a time; OCRmyPDF with `-j 1`, so both use one core.
"""
import argparse, glob, importlib.util, json, os, random, resource, subprocess, sys, tempfile, time
from pathlib import Path


def load_scorer(path):
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pages_of(pdf):
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def make_clean(src, out, dpi=300):
    """A clean scan of `src`: grey at `dpi`, JPEG quality 90."""
    from PIL import Image
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(src), f"{d}/p"], check=True)
        pages = [Image.open(f).convert("L") for f in sorted(glob.glob(f"{d}/p*.pgm"))]
        pages[0].save(out, save_all=True, append_images=pages[1:], resolution=float(dpi), quality=90)


# The hard variants: (skew, specks per pixel area, JPEG quality, a page upside down). `hard`
# is all of them at once; the others take one degradation each, to see what costs what.
HARD = {
    "hard": (True, 400, 35, True),
    "hard-light": (True, 4000, 35, True),
    "skew": (True, 0, 90, False),
    "speckle": (False, 400, 90, False),
    "speckle-light": (False, 4000, 90, False),
    "jpeg35": (False, 0, 35, False),
    "flip": (False, 0, 90, True),
    "200dpi": (False, 0, 90, False),
}


def make_hard(src, out, seed, skew=True, speckle=400, quality=35, upside_down=True):
    """A harder scan of `src`: 200 dpi grey, skew ≤ 3°, one speck per `speckle` pixels (0:
    none), JPEG at `quality`, a page upside down."""
    from PIL import Image
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["pdftoppm", "-r", "200", "-gray", str(src), f"{d}/p"], check=True)
        files = sorted(glob.glob(f"{d}/p*.pgm"))
        flip = (1 if len(files) > 1 else 0) if upside_down else -1
        pages = []
        for i, f in enumerate(files):
            im = Image.open(f).convert("L")
            angle = rnd.uniform(-3.0, 3.0)
            if skew:
                im = im.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            px = im.load()
            w, h = im.size
            # Photocopy speckle: dark specks on the paper, light drop-outs in the ink.
            for _ in range(w * h // speckle if speckle else 0):
                x, y = rnd.randrange(w - 2), rnd.randrange(h - 2)
                v = 0 if rnd.random() < 0.7 else 255
                for dx in range(rnd.choice((1, 2))):
                    for dy in range(rnd.choice((1, 2))):
                        px[x + dx, y + dy] = v
            if i == flip:
                im = im.rotate(180)
            pages.append(im)
        # Pillow stores grey images in a PDF as JPEG (DCTDecode): the JPEG noise.
        pages[0].save(out, save_all=True, append_images=pages[1:], resolution=200.0,
                      quality=quality)
    return flip + 1 if upside_down else None


def run(cmd, timeout=600):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, shell=isinstance(cmd, str))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, p.stdout.decode("utf-8", "replace"), wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--planarkiv", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--scorer", required=True)
    ap.add_argument("--ocrmypdf")
    ap.add_argument("--only-planarkiv", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--sets", default="scanned,hard,300dpi")
    a = ap.parse_args()
    sets = a.sets.split(",")
    scorer = load_scorer(a.scorer)
    corpus = Path(a.corpus)
    work = Path(tempfile.mkdtemp(prefix="ocrbench"))
    files = []
    for pdf in sorted(corpus.glob("*.scanned.pdf")) if "scanned" in sets else []:
        truth = pdf.with_name(pdf.name.replace(".scanned.pdf", ".truth.txt"))
        files.append(("scanned", pdf, truth, None))
    for i, src in enumerate(sorted(corpus.glob("*.libreoffice.pdf"))):
        truth = src.with_name(src.name.replace(".libreoffice.pdf", ".truth.txt"))
        for name, (skew, speckle, quality, flip) in HARD.items():
            if name in sets:
                out = work / src.name.replace(".libreoffice.pdf", f".{name}.pdf")
                flipped = make_hard(src, out, i, skew, speckle, quality, flip)
                files.append((name, out, truth, flipped))
        if "300dpi" in sets:
            out = work / src.name.replace(".libreoffice.pdf", ".300dpi.pdf")
            make_clean(src, out)
            files.append(("300dpi", out, truth, None))

    tools = {"planarkiv": lambda pdf: [a.planarkiv, "extract", str(pdf)]}
    if a.ocrmypdf and not a.only_planarkiv:
        # `--rotate-pages`: OCRmyPDF's own orientation fix, so the upside-down page is a fair
        # test of both; `--output-type pdf`: no PDF/A conversion (Ghostscript), only OCR.
        tools["ocrmypdf"] = lambda pdf: (
            f"{a.ocrmypdf} --skip-text --rotate-pages -l nor -j 1 --output-type pdf "
            f"--optimize 0 '{pdf}' - 2>/dev/null | pdftotext - -"
        )
    rows = []
    for kind, pdf, truth, flipped in files:
        ref = scorer.words(truth.read_text(encoding="utf-8"))
        n = pages_of(pdf)
        for tool, cmd in tools.items():
            rc, out, wall, cpu = run(cmd(pdf))
            f1 = scorer.f1(ref, scorer.words(out))[0]
            rows.append(dict(set=kind, tool=tool, pdf=pdf.name, pages=n, rc=rc, f1=round(f1, 4),
                             wall=round(wall, 2), cpu=round(cpu, 2), flipped_page=flipped))
            print(f"{kind:8} {tool:10} {pdf.name:40} pages={n:3} rc={rc} f1={f1:.4f} "
                  f"wall={wall:6.2f}s cpu={cpu:6.2f}s", flush=True)
    print()
    print(f"{'set':8} {'tool':10} {'files':>5} {'pages':>5} {'mean F1':>8} {'min F1':>7} "
          f"{'CPU s/page':>10} {'wall s/page':>11}")
    for kind in sets:
        for tool in tools:
            sel = [r for r in rows if r["set"] == kind and r["tool"] == tool]
            if not sel:
                continue
            pages = sum(r["pages"] for r in sel)
            print(f"{kind:8} {tool:10} {len(sel):5} {pages:5} "
                  f"{sum(r['f1'] for r in sel) / len(sel):8.4f} {min(r['f1'] for r in sel):7.4f} "
                  f"{sum(r['cpu'] for r in sel) / pages:10.2f} {sum(r['wall'] for r in sel) / pages:11.2f}")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    sys.exit(main())
