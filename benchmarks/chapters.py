"""The PDF by parts, measured: ``python -m benchmarks.chapters PDFDIR [--jobs 2] [--merge OUT.pdf]``.

The experiment that led to the build's route (:mod:`press.typst.pieces`, ``press_pdf_pieces``).  ``PDFDIR`` is the ``pdf/`` folder of a ``press build`` (the
book's ``<slug>.typ``, templates and cover, and ``press-pages.json`` of its doctree folder in
``../.press/doctrees/``: the previous pass).  The book's Typst source is cut at every
level-1 heading (the front chapter, each part with its chapters, the back matter); each
piece becomes a Typst document of its own that starts at the page number, part number and
chapter number the previous pass gave it, with a stand-in for every label it points to in
another piece; each is compiled in a child process of its own, ``--jobs`` at a time, and its
peak resident set and time printed beside the whole book's.  ``--merge`` then joins the
pieces with pikepdf into one tagged PDF (pages, structure trees, page labels, outline) to
check what a merged book keeps.

What it showed (2026-12, typst 0.15.2, 13 pieces: front chapter, ten parts, bibliography, index):

* memory: the whole light 200-page book (623 pages) peaks at 667 MB in Typst, its largest
  piece at 123 MB; the heavy one (823 pages) 912 MB against 151 MB.  The join
  (:mod:`press.typst.merge`) peaks at 157-172 MB and takes about 1 s of CPU.
* CPU: the pieces together cost what the whole book costs (heavy: 6.9 s both), so two
  cores halve the wall time of the compile; after an edit only the changed piece needs it.
* pages: each piece started at the page, part and chapter numbers the previous pass gave
  it ends exactly where it ends in the whole book (the body's page count of a piece does not
  depend on the rest), so a second pass only settles "p. N" references.
* the join passes the PDF/UA checks (``pdfua``) with one structure tree, the same number of
  paragraphs, headings and table cells, one outline (1,013 entries, as the whole book) and
  one page-label tree, and gives the same bytes twice.

What the template (``book.typ``) lacked then, and :mod:`press.typst.pieces` now does:
a piece's first page has the parity it has in the book (Typst alternates the inside and
outside margins and ``pagebreak(to:)`` by the physical page in the document, and the
running head by ``here().page()``: a part that starts on an even book page is set as a
right-hand page, measured); the contents, the list of figures and tables and the index
must be drawn from the previous pass's map (``outline()`` and ``query`` see only their own
piece); a reference to a label in another piece must print the page number from that map
and link through a ``press:`` URI the join rewrites (today ``locate`` fails on it).  The
builder then needs: cutting the translated book at level-1 headings, the two-pass loop,
compiles of the pieces in parallel (:class:`press.typst.worker.Worker` each), the page map
joined from the pieces' maps, errors mapped through each piece's ``.typ``, and a cache of
each piece's PDF by the hash of its source and numbers (what makes an edit recompile one
piece).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, typst
root, typ, out, fonts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
started = time.perf_counter()
f = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=fonts)
c = typst.Compiler(root=root, font_paths=f, ignore_system_fonts=True)
pdf, warnings = c.compile_with_warnings(input=typ, format="pdf", timestamp=1795564800, pdf_standards=["ua-1"])
open(out, "wb").write(pdf)
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": u.ru_utime + u.ru_stime, "rss_mb": u.ru_maxrss / 1024}))
"""

LEVEL1 = re.compile(r'^(?:/\*@ [^\n]*\*/\n)?#press-heading\(level: 1, kind: "(?:part|chapter)"\)', re.M)
REF = re.compile(r"(?:\(|target: )<(d\.[^>]+)>")
LABEL = re.compile(r"<(d\.[^>]+)>")


def part_template(book_typ: str) -> str:
    """``book.typ`` with ``front``, ``start-page``, ``part-start`` and ``chapter-start``
    parameters: a piece without the front matter that continues the book's numbering."""
    t = book_typ.replace("mono-font: \"DejaVu Sans Mono\", cover: none, body,",
                         "mono-font: \"DejaVu Sans Mono\", cover: none, front: true, start-page: 1, "
                         "part-start: 0, chapter-start: 0, body,")
    head, rest = t.split("  // Front matter:", 1)
    front, body = rest.split("  // Body: arabic numbers", 1)
    first, after = front.split("\n", 1)
    t = head + "  // Front matter:" + first + "\n  if front {\n" + after + "  }\n  // Body: arabic numbers" + body
    return t.replace("  counter(page).update(1)\n  body\n}",
                     "  counter(page).update(start-page)\n  press-part-counter.update(part-start)\n"
                     "  press-chapter-no.update(chapter-start)\n  body\n}")


def pieces(typ: str, page_map: dict) -> list[tuple[str, str]]:
    """``[(name, source)]``: the book cut at its level-1 headings."""
    at = typ.index("\n)\n") + 3
    preamble, body = typ[:at], typ[at:]
    cuts = [m.start() for m in LEVEL1.finditer(body)]
    cuts = [0] + [c for c in cuts if c > 0] + [len(body)]
    anchors = {a[0]: a[1] for a in page_map["anchors"]}
    out = []
    parts = chapters = 0
    for i in range(len(cuts) - 1):
        text = body[cuts[i]:cuts[i + 1]]
        defined = {m.group(1) for m in LABEL.finditer(text)
                   if not (text[max(0, m.start() - 9):m.start()].endswith("(") or text[max(0, m.start() - 9):m.start()].endswith("target: "))}
        first = next((lab for lab in LABEL.findall(text) if lab in anchors), None)
        physical = anchors.get(first, 1)
        printed = page_map["pages"].get(str(physical), "1")
        stubs = sorted(set(REF.findall(text)) - defined)
        if i == 0:
            pre = preamble
        else:
            pre = preamble.replace('#import "press-book.typ": *', '#import "press-book-part.typ": *').replace(
                "#show: book.with(\n", f"#show: book.with(\n  front: false, start-page: {printed if printed.isdigit() else 1}, "
                f"part-start: {parts}, chapter-start: {chapters},\n").replace('  cover: "cover.svg",\n', "  cover: none,\n")
        stub_text = "".join(f"#metadata(none) <{s}>\n" for s in stubs)
        out.append((f"piece-{i:02d}", pre + text + ("\n#place(hide[" + stub_text + "])\n" if stubs else "")))
        parts += len(re.findall(r'#press-heading\(level: 1, kind: "part"\)', text))
        chapters += len(re.findall(r'#press-heading\(level: [2-9], kind: "chapter"\)', text))
    return out


def compile_child(root: Path, typ: Path, out: Path, fonts: list[str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-I", "-c", CHILD, str(root), str(typ), str(out), json.dumps(fonts)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr[-1500:], "wall": time.perf_counter() - started}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "wall": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfdir", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--whole", action="store_true", help="also compile the whole book the same way")
    parser.add_argument("--merge", type=Path, help="join the pieces into this PDF (pikepdf)")
    args = parser.parse_args(argv)
    import importlib.resources

    fonts = [str(importlib.resources.files("font_source_sans_pro") / "files")]
    src = args.pdfdir
    work = src.parent / "_pieces"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work)
    page_map = json.loads((src.parent / ".press" / "doctrees" / "press-pages.json").read_text())
    (work / "press-book-part.typ").write_text(part_template((work / "press-book.typ").read_text()))
    typ = (work / f"{args.slug}.typ").read_text()
    made = pieces(typ, page_map)
    for name, text in made:
        (work / f"{name}.typ").write_text(text)
    results = {}
    if args.whole:
        results["whole"] = compile_child(work, work / f"{args.slug}.typ", work / "whole.pdf", fonts)
        print(f"whole book: {results['whole']}", flush=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {name: pool.submit(compile_child, work, work / f"{name}.typ", work / f"{name}.pdf", fonts)
                   for name, _ in made}
        for name, fut in futures.items():
            results[name] = fut.result()
            print(name, results[name], flush=True)
    wall = time.perf_counter() - started
    ok = [r for n, r in results.items() if n != "whole" and "error" not in r]
    print(json.dumps({"pieces": len(made), "jobs": args.jobs, "wall_all_pieces": round(wall, 2),
                      "cpu_sum_pieces": round(sum(r["cpu"] for r in ok), 2),
                      "max_piece_rss_mb": round(max((r["rss_mb"] for r in ok), default=0)),
                      "whole": results.get("whole")}))
    if args.merge:
        merger = Path(__file__).resolve().parent.parent / "press" / "typst" / "merge.py"
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-I", str(merger), str(args.merge),
                               *[str(work / f"{name}.pdf") for name, _ in made]], capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            return 1
        print(json.dumps({"merge_seconds": round(time.perf_counter() - started, 2),
                          "merge_rss_mb": round(int(proc.stderr.strip().splitlines()[-1]) / 1024)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
