"""``python -m benchmarks [--pages 200] [--books light,heavy] [--scaling 50,200] [--large 2000]
[--no-latex] [--phases] [--no-jb1 | --only-jb1] [--edits]`` (``make bench``).

Generates a book of N pages of each kind (*light*: about 400 words a page; *heavy*: about
1,000, see :mod:`benchmarks.generate`) and builds it, each step in a child process, with
our engine (``python -m press build``: each format cold, all three cold, a no-change
rebuild, one-page edits, ``press serve``'s save-to-page loop) and with the stock stack
Jupyter Book runs on the same pages (Sphinx + sphinx-book-theme HTML, Sphinx ``epub``,
Sphinx ``latexpdf`` with xelatex; TeX Live is installed by the benchmark only, with
apt-get) and with Pandoc (``--citeproc``) and Typst run bare, the floor #25 names
(``pypandoc-binary`` in a venv of the benchmark's own), and prints wall time, CPU time and peak memory of each with the ratios, and the
peak memory of each process of our builds (the build, its forked web book, the Typst
compile, the PDF packing); ``--scaling`` times our three formats at other sizes (light
book), ``--large`` builds books of that many pages of each kind (ours only, all three cold:
time and memory per process).  The JB1 row builds a real Jupyter Book 1 book (the pbdl
corpus) with ``press build`` and with ``jupyter-book<2`` (HTML and ``--builder pdflatex``),
installed into a venv of the benchmark's own.  Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pypdf

from .generate import generate, stock

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEX_PACKAGES = ["texlive-xetex", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-freefont-otf", "tex-gyre"]


#: what Jupyter Book 1's PDF needs beyond that (its documented apt list): sphinx-jupyterbook-latex's
#: jupyterBook.cls loads bbm.sty, which is in texlive-fonts-extra
JB1_TEX_PACKAGES = ["texlive-fonts-extra"]
JB1_TEX_FILES = ["bbm.sty"]


def _tex_files_missing(files: list[str]) -> bool:
    if not files:
        return False
    if not shutil.which("kpsewhich"):
        return True
    return any(not subprocess.run(["kpsewhich", f], capture_output=True, text=True).stdout.strip() for f in files)


def ensure_tex(extra: list[str] | None = None, files: list[str] | None = None) -> str | None:
    """Make sure xelatex and latexmk (and the TeX ``files``, from the ``extra`` packages)
    exist (apt-get, benchmark only); return a reason if not."""
    if shutil.which("xelatex") and shutil.which("latexmk") and not _tex_files_missing(files or []):
        return None
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return "xelatex is missing and cannot be installed here (needs apt-get as root)"
    print("bench: installing TeX Live for the latexpdf baseline (apt-get)...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *TEX_PACKAGES, *(extra or [])]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            return f"could not install TeX Live ({' '.join(cmd[:2])} failed)"
    if not shutil.which("xelatex"):
        return "xelatex still missing after apt-get"
    return f"{', '.join(files or [])} still missing after apt-get" if _tex_files_missing(files or []) else None


def measure(cmd: list[str], cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1795564800")}
    out = subprocess.run([sys.executable, "-m", "benchmarks.measure", "--", *cmd], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(str(pdf)).pages) if pdf.is_file() else 0


def timed(book: Path, name: str, cmd: list[str], pdf: str | None = None) -> dict:
    """Run one route (``{out}`` in ``cmd``) into a fresh ``book/<name>``; time it, count PDF pages."""
    out = book / name
    shutil.rmtree(out, ignore_errors=True)
    result = measure([c.replace("{out}", str(out)) for c in cmd], book)
    if pdf is not None:
        result["pages"] = pages(out / pdf)
    return result


def sphinx_build() -> str:
    return str(Path(sys.executable).with_name("sphinx-build"))


def phases(book: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "benchmarks.phases", str(book), str(book / "_phases")],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # extensions may print before


def press_cmd(book: Path, out: str, *formats: str) -> list[str]:
    return [sys.executable, "-m", "press", "build", *formats, "--source", str(book / "source"),
            "--conf", str(book), "--out", out]


def run(book: Path, cmd: list[str], out: Path | None = None) -> dict:
    """One timed step (``out`` wiped first when given: a cold build)."""
    if out is not None:
        shutil.rmtree(out, ignore_errors=True)
    result = measure(cmd, book)
    if result["status"] != 0:
        raise SystemExit(f"bench: {' '.join(cmd[:6])}... failed:\n{result['stderr']}")
    return result


def edit(page: Path, n: int) -> None:
    page.write_text(page.read_text(encoding="utf-8") + f"\nAn edit for the benchmark, number {n}.\n", encoding="utf-8")


def resident(book: Path, out: Path, edits: int = 3) -> dict[str, float]:
    """``press serve``'s edit loop: seconds from a save to the saved page shown (the server's
    first change after the save: its fast path, :mod:`press.preview`, or the web book when the
    fast path cannot show it), then to all three formats published by the deferred full
    build, in the server's long-lived processes (the last of ``edits`` saves: the first
    ones warm them up)."""
    proc = subprocess.Popen([sys.executable, "-m", "press.serve", "--source", str(book / "source"), "--conf", str(book),
                             "--out", str(out), "--port", "0"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        url = next(line.split()[2] for line in proc.stdout if line.startswith("press serve: http://"))
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained

        def generation() -> int:
            with urllib.request.urlopen(url + "__press_build", timeout=30) as response:
                return int(response.read())

        def until(target: int, started: float) -> float:
            while generation() < target:
                if time.perf_counter() - started > 600:
                    raise SystemExit("bench: press serve did not publish the edit")
                time.sleep(0.02)
            return time.perf_counter() - started

        result: dict[str, float] = {}
        pages = sorted((book / "source" / "alpha").glob("page-*.md"))  # not the page the other edits change
        page = pages[1] if len(pages) > 1 else pages[0]
        for n in range(edits):
            g = generation()
            started = time.perf_counter()
            edit(page, 100 + n)
            result = {"html": until(g + 1, started), "all": until(g + 2, started)}
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def compare(book: Path, with_latex: bool) -> dict[str, dict]:
    """Every step of the issue's table, ours and the stock stack's, on one generated book."""
    r: dict[str, dict] = {}
    ours, st = book / "_ours", book / "_stock"
    stock_src = stock(book)
    sb = sphinx_build()
    # ours: each format cold, then all three cold, no change, one-page edits
    for fmt in ("html", "epub", "pdf"):
        r[f"ours_{fmt}"] = run(book, press_cmd(book, str(book / f"_ours_{fmt}"), fmt), book / f"_ours_{fmt}")
    r["ours_all"] = run(book, press_cmd(book, str(ours), "pdf", "epub", "html"), ours)
    r["ours_nochange"] = run(book, press_cmd(book, str(ours), "pdf", "epub", "html"))
    edit(book / "source" / "alpha" / "page-001.md", 1)
    r["ours_edit_html"] = run(book, press_cmd(book, str(ours), "html"))
    edit(book / "source" / "alpha" / "page-001.md", 2)
    r["ours_edit_all"] = run(book, press_cmd(book, str(ours), "pdf", "epub", "html"))
    r["ours_all"]["pages"] = pages(ours / "pdf" / "bench.pdf")
    live = resident(book, ours)
    r["serve_edit_html"], r["serve_edit_all"] = {"wall": live["html"]}, {"wall": live["all"]}
    # the stock stack: three builds, each with its own environment, as Jupyter Book runs them
    r["stock_html"] = run(book, [sb, "-q", "-b", "html", str(stock_src), str(st / "html"), "-d", str(st / "dt-html")], st)
    r["stock_nochange"] = run(book, [sb, "-q", "-b", "html", str(stock_src), str(st / "html"), "-d", str(st / "dt-html")])
    edit(stock_src / "alpha" / "page-001.md", 1)
    r["stock_edit_html"] = run(book, [sb, "-q", "-b", "html", str(stock_src), str(st / "html"), "-d", str(st / "dt-html")])
    r["stock_epub"] = run(book, [sb, "-q", "-b", "epub", str(stock_src), str(st / "epub"), "-d", str(st / "dt-epub")])
    if with_latex:
        r["stock_pdf"] = run(book, [sb, "-M", "latexpdf", str(stock_src), str(st / "latex"), "-q"])
        r["stock_pdf"]["pages"] = pages(st / "latex" / "latex" / "bench.pdf")
    return r


def edit_rows(book: Path, repeat: int = 2) -> dict[str, list[dict]]:
    """Only the one-page-edit rows (``--edits``): our three formats after a one-page edit and
    the stock stack's incremental HTML, ``repeat`` times each, on the books' last builds
    (each built cold first when it has none)."""
    ours, st = book / "_ours", book / "_stock"
    stock_src = stock(book)
    sb = sphinx_build()
    stock_html = [sb, "-q", "-b", "html", str(stock_src), str(st / "html"), "-d", str(st / "dt-html")]
    if not (ours / "pdf").is_dir():
        run(book, press_cmd(book, str(ours), "pdf", "epub", "html"), ours)
    if not (st / "html").is_dir():
        run(book, stock_html)
    run(book, press_cmd(book, str(ours), "pdf", "epub", "html"))  # whatever an earlier run left pending
    r: dict[str, list[dict]] = {"ours_edit_html": [], "ours_edit_all": [], "stock_edit_html": []}
    for n in range(repeat):
        edit(book / "source" / "alpha" / "page-001.md", 1000 + 2 * n)
        r["ours_edit_html"].append(run(book, press_cmd(book, str(ours), "html")))
        edit(book / "source" / "alpha" / "page-001.md", 1001 + 2 * n)
        r["ours_edit_all"].append(run(book, press_cmd(book, str(ours), "pdf", "epub", "html")))
        edit(stock_src / "alpha" / "page-001.md", 1000 + n)
        r["stock_edit_html"].append(run(book, stock_html))
    live = resident(book, ours)
    r["serve_edit_html"], r["serve_edit_all"] = [{"wall": live["html"]}], [{"wall": live["all"]}]
    return r


def print_edit_rows(kind: str, pages_: int, r: dict[str, list[dict]]) -> None:
    print(f"\n## {pages_} generated {kind} pages: one-page edits (best of {len(r['stock_edit_html'])}; "
          "ratio = ours / stock incremental HTML)\n")
    print("| step | stock wall | ours wall | wall ratio | stock CPU | ours CPU | CPU ratio | target |")
    print("|---|---|---|---|---|---|---|---|")
    stock_ = {k: min(x[k] for x in r["stock_edit_html"]) for k in ("wall", "cpu")}
    for name, key, target in (("one-page edit, HTML", "ours_edit_html", "≤ 0.5"),
                              ("one-page edit, all three", "ours_edit_all", "≤ 2")):
        o = {k: min(x[k] for x in r[key]) for k in ("wall", "cpu")}
        print(f"| {name} | {stock_['wall']:.1f} s | {o['wall']:.1f} s | {o['wall'] / stock_['wall']:.2f} | "
              f"{stock_['cpu']:.1f} s | {o['cpu']:.1f} s | {o['cpu'] / stock_['cpu']:.2f} | {target} |", flush=True)
    for name, key, target in (("`press serve`: save → page shown", "serve_edit_html",
                               "≤ 0.5 s" if kind == "light" else "≤ 0.8 s"),
                              ("`press serve`: save → all three published", "serve_edit_all", "≤ 3 s")):
        print(f"| {name} | | {r[key][0]['wall']:.1f} s | | | | | {target} |", flush=True)


#: The Jupyter Book 1 book of the JB1 row (the corpus test root, copied before each build).
JB1_BOOK = REPO / "tests" / "roots" / "test-corpus-jb1-pbdl"


def ensure_jupyter_book(work: Path) -> Path | str:
    """``jupyter-book<2`` in a venv of the benchmark's own (never in the project's); its
    ``jupyter-book`` command, or why it is missing."""
    venv = work / "jupyter-book-1"
    command = venv / "bin" / "jupyter-book"
    if command.exists():
        return command
    print("bench: installing jupyter-book<2 into its own venv for the JB1 baseline...", flush=True)
    if subprocess.run([sys.executable, "-m", "venv", str(venv)]).returncode != 0:
        return "could not create a venv for jupyter-book"
    # sphinx-proof: the book's own sphinx.extra_extensions
    if subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "jupyter-book<2",
                       "sphinx-proof"]).returncode != 0:
        return "could not install jupyter-book<2"
    return command


def ensure_pandoc(work: Path) -> Path | str:
    """Pandoc (``pypandoc-binary``'s, in a venv of the benchmark's own; or ``pandoc`` on the
    PATH): the path of the command, or why it is missing."""
    found = shutil.which("pandoc")
    if found:
        return Path(found)
    venv = work / "pandoc"
    command = next(iter(venv.glob("lib/python*/site-packages/pypandoc/files/pandoc")), None)
    if command is not None:
        return command
    print("bench: installing pypandoc-binary into its own venv for the Pandoc + Typst baseline...", flush=True)
    if subprocess.run([sys.executable, "-m", "venv", str(venv)]).returncode != 0:
        return "could not create a venv for pandoc"
    if subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pypandoc-binary"]).returncode != 0:
        return "could not install pypandoc-binary"
    command = next(iter(venv.glob("lib/python*/site-packages/pypandoc/files/pandoc")), None)
    return command if command is not None else "pypandoc-binary has no pandoc"


def pandoc_row(book: Path, work: Path) -> dict | str:
    """The floor #25 names: Pandoc (``--citeproc``) and Typst run bare on the same pages, the
    three formats summed: one HTML file, one EPUB, Typst source compiled by the ``typst``
    wheel (no Quarto around them, no MyST: its directives stay text).  ``{"wall", "cpu",
    "maxrss_mb"}`` summed over the four steps, or why it could not run."""
    pandoc = ensure_pandoc(work)
    if isinstance(pandoc, str):
        return pandoc
    src = book / "source"
    files = [str(p) for p in sorted(src.rglob("*.md"))]
    out = book / "_pandoc"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    common = [str(pandoc), "--citeproc", "--bibliography", str(src / "refs.bib"), "--resource-path", str(src),
              "--metadata", "title=Benchmark Book"]
    steps = [
        [*common, "-s", "-o", str(out / "book.html"), *files],
        [*common, "-o", str(out / "book.epub"), *files],
        [*common, "-s", "-t", "typst", "-o", str(out / "book.typ"), *files],
        [sys.executable, "-c", f"import typst; typst.compile({str(out / 'book.typ')!r}, output={str(out / 'book.pdf')!r})"],
    ]
    total = {"wall": 0.0, "cpu": 0.0, "maxrss_mb": 0.0}
    for cmd in steps:
        res = measure(cmd, src)
        if res["status"] != 0:
            return f"{Path(cmd[0]).name} failed: {res['stderr'][-300:]}"
        total["wall"] += res["wall"]
        total["cpu"] += res["cpu"]
        total["maxrss_mb"] = max(total["maxrss_mb"], res["maxrss_mb"])
    total["pages"] = pages(out / "book.pdf")
    return total


def fresh_copy(src: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return dest


def jupyter_book_row(work: Path, with_latex: bool) -> dict[str, dict | str]:
    """The JB1 row: the pbdl book, our three formats (one ``press build`` in the book's
    folder, as a user runs it) against ``jupyter-book build`` (HTML) and ``jupyter-book
    build --builder pdflatex``, each on a fresh copy."""
    r: dict[str, dict | str] = {}
    ours = fresh_copy(JB1_BOOK, work / "jb1-ours")
    # --no-strict: the book's own figures have no alt text (tests/test_jupyterbook.py, BOOK_OWN)
    r["ours"] = measure([sys.executable, "-m", "press", "build", "--no-strict", "--source", str(ours),
                         "--out", str(ours / "_build")], ours)
    jb = ensure_jupyter_book(work)
    if isinstance(jb, str):
        r["why"] = jb
        return r
    html = fresh_copy(JB1_BOOK, work / "jb1-html")
    r["jb_html"] = measure([str(jb), "build", str(html)], html)
    if with_latex:
        pdf = fresh_copy(JB1_BOOK, work / "jb1-pdf")
        r["jb_pdf"] = measure([str(jb), "build", str(pdf), "--builder", "pdflatex"], pdf)
    return r


def print_jupyter_book_row(r: dict) -> None:
    print("\n## A Jupyter Book 1 book (pbdl, 44 pages, 16 notebooks): ours vs jupyter-book 1\n")
    ours = r["ours"]
    print("| step | jupyter-book 1 | ours | ours / theirs | target |")
    print("|---|---|---|---|---|")
    if ours["status"] != 0:
        print(f"| ours failed | | status {ours['status']} | | |\n```\n{ours['stderr']}\n```")
    html, pdf = r.get("jb_html"), r.get("jb_pdf")
    if html is None:
        print(f"| all three (ours) | n/a ({r.get('why', '')}) | {ours['wall']:.1f} s | n/a | ≤ 0.3 |")
        return
    theirs = dict(html) if pdf is None else {k: html[k] + pdf[k] for k in ("wall", "cpu")}
    theirs["maxrss_mb"] = max(html["maxrss_mb"], pdf["maxrss_mb"]) if pdf else html["maxrss_mb"]
    what = "HTML + pdflatex" if pdf else "HTML only (no TeX)"
    failed = [name for name, res in (("html", html), ("pdflatex", pdf)) if res and res["status"] != 0]
    print(ratio_row(f"ours: all three; theirs: {what}", theirs, ours, target="≤ 0.3"))
    print(ratio_row("CPU time", theirs, ours, key="cpu"))
    print(ratio_row("peak memory", theirs, ours, key="maxrss_mb"))
    if failed:
        print(f"\njupyter-book failed: {', '.join(failed)} (time still counted)")
        for name, res in (("html", html), ("pdflatex", pdf)):
            if res and res["status"] != 0:
                print(f"```\n{name}: {res['stderr'][-1500:]}\n```")


def ratio_row(name: str, stock_r: dict | None, ours_r: dict, key: str = "wall", target: str = "") -> str:
    unit = "MB" if key == "maxrss_mb" else "s"
    fmt = (lambda v: f"{v:,.0f} MB") if unit == "MB" else (lambda v: f"{v:.1f} s")
    if stock_r is None:
        return f"| {name} | n/a | {fmt(ours_r[key])} | n/a | {target} |"
    ratio = ours_r[key] / stock_r[key] if stock_r[key] else float("inf")
    return f"| {name} | {fmt(stock_r[key])} | {fmt(ours_r[key])} | {ratio:.2f} | {target} |"


def processes(r: dict) -> str:
    """``main 223 MB · fork 220 MB · typst 675 MB · pack 89 MB``: peak memory per process."""
    procs = {k: v for k, v in r.get("procs", {}).items() if v >= 1}
    order = ["main", "fork", "typst", "pack", "merge", "helper"]
    names = [k for k in order if k in procs] + sorted(k for k in procs if k not in order)
    return " · ".join(f"{k} {procs[k]:,} MB" for k in names)


PROCESS_ROLES = ("main: the build (Sphinx environment, translators); fork: the web book's process; "
                 "helper: another copy of the build it forked (sphinx-sitemap's manager); "
                 "typst: the Typst compile (the largest piece's, by pieces); pack: qpdf packing the PDF; "
                 "merge: the join of the pieces")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="source pages in the generated books")
    parser.add_argument("--books", default="light,heavy", help="which generated books: light, heavy or both")
    parser.add_argument("--scaling", default="50,200", help="also time our three formats at these sizes (\"\" to skip)")
    parser.add_argument("--large", type=int, default=0, metavar="N",
                        help="also build N-page books of each kind, ours only (e.g. 2000; slow)")
    parser.add_argument("--no-latex", action="store_true", help="skip the latexpdf baseline")
    parser.add_argument("--phases", action="store_true", help="also split our PDF time into phases")
    parser.add_argument("--pieces", action="store_true",
                        help="also compile the PDF by pieces (benchmarks.chapters, an experiment): memory and time")
    parser.add_argument("--work", type=Path, default=HERE / "_work")
    parser.add_argument("--no-jb1", action="store_true", help="skip the Jupyter Book 1 row (pbdl vs jupyter-book<2)")
    parser.add_argument("--only-jb1", action="store_true", help="only the Jupyter Book 1 row")
    parser.add_argument("--edits", action="store_true",
                        help="only the one-page-edit rows (ours: HTML, all three, press serve's loop; stock: incremental HTML), "
                             "on the books' last builds (built cold when missing)")
    args = parser.parse_args(argv)
    # press's bytecode written first, as pip writes an installed package's (the stock stack's
    # packages have theirs): a checkout run under PYTHONDONTWRITEBYTECODE compiled press's
    # modules from source in every build, 0.2 s of each start
    compileall.compile_dir(str(REPO / "press"), quiet=1)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.edits:
        for kind in [k.strip() for k in args.books.split(",") if k.strip()]:
            book = args.work / f"{kind}-{args.pages}"
            if not (book / "conf.py").is_file():
                generate(book, args.pages, heavy=kind == "heavy")
            print_edit_rows(kind, args.pages, edit_rows(book))
        return 0
    if args.only_jb1:
        reason = "skipped (--no-latex)" if args.no_latex else ensure_tex(JB1_TEX_PACKAGES, JB1_TEX_FILES)
        print_jupyter_book_row(jupyter_book_row(args.work, with_latex=reason is None))
        return 0
    kinds = [k.strip() for k in args.books.split(",") if k.strip()]
    if not kinds or any(k not in ("light", "heavy") for k in kinds):
        parser.error("--books takes light, heavy or light,heavy")
    reason = "skipped (--no-latex)" if args.no_latex else ensure_tex()
    for kind in kinds:
        book = generate(args.work / f"{kind}-{args.pages}", args.pages, heavy=kind == "heavy")
        print(f"bench: generated {args.pages} {kind} pages in {book}", flush=True)
        result = compare(book, with_latex=reason is None)
        result["pandoc"] = pandoc_row(book, args.work)
        report(args, kind, book, result, reason)
    if not args.no_jb1:
        if reason is None:
            reason = ensure_tex(JB1_TEX_PACKAGES, JB1_TEX_FILES)
        print_jupyter_book_row(jupyter_book_row(args.work, with_latex=reason is None))
    if args.large:
        print(f"\n## {args.large:,} pages: our three formats (cold)\n")
        print("| book | wall time | per page | peak memory, any one process | per process |")
        print("|---|---|---|---|---|")
        for kind in kinds:
            big = generate(args.work / f"{kind}-{args.large}", args.large, heavy=kind == "heavy")
            res = run(big, press_cmd(big, str(big / "_ours"), "pdf", "epub", "html"), big / "_ours")
            print(f"| {kind} | {res['wall']:.1f} s | {1000 * res['wall'] / args.large:.0f} ms | "
                  f"{res['maxrss_mb']:,.0f} MB | {processes(res)} |", flush=True)
        print(f"\n({PROCESS_ROLES})")
    return 0


def report(args: argparse.Namespace, kind: str, book: Path, r: dict, reason: str | None) -> None:
    """The tables of one generated book."""
    s_pdf = r.get("stock_pdf")
    stock_sum = None
    if s_pdf is not None:
        stock_sum = {k: r["stock_html"][k] + r["stock_epub"][k] + s_pdf[k] for k in ("wall", "cpu")}
        stock_sum["maxrss_mb"] = max(r["stock_html"]["maxrss_mb"], r["stock_epub"]["maxrss_mb"], s_pdf["maxrss_mb"])

    print(f"\n## {args.pages} generated {kind} pages: ours vs the stock stack (wall time; ratio = ours / stock)\n")
    print("| step | stock stack | ours | ours / stock | target |")
    print("|---|---|---|---|---|")
    print(ratio_row("HTML (cold)", r["stock_html"], r["ours_html"]))
    print(ratio_row("EPUB (cold)", r["stock_epub"], r["ours_epub"]))
    print(ratio_row("PDF (cold)", s_pdf, r["ours_pdf"]))
    print(ratio_row("all three (cold; stock = sum of three builds)", stock_sum, r["ours_all"], target="≤ 0.25" if kind == "light" else "≤ 0.35"))
    floor = r.get("pandoc")
    if isinstance(floor, dict):
        print(ratio_row(f"all three (cold) vs Pandoc + Typst run bare (HTML, EPUB, Typst → PDF summed; "
                        f"their PDF {floor['pages']} pages)", floor, r["ours_all"], target="≤ 1.0" if kind == "light" else ""))
    elif floor:
        print(f"| all three (cold) vs Pandoc + Typst run bare | n/a ({floor}) | {r['ours_all']['wall']:.1f} s | n/a | |")
    print(ratio_row("no-change rebuild (stock: HTML; ours: all three)", r["stock_nochange"], r["ours_nochange"]))
    print(ratio_row("one-page edit, HTML", r["stock_edit_html"], r["ours_edit_html"], target="≤ 0.5"))
    print(ratio_row("one-page edit, all three (vs stock's incremental HTML)", r["stock_edit_html"], r["ours_edit_all"], target="≤ 2"))
    print(ratio_row("one-page edit, `press serve`: save → page shown", r["stock_edit_html"],
                    r["serve_edit_html"], target="≤ 0.5 s" if kind == "light" else "≤ 0.8 s"))
    print(ratio_row("one-page edit, `press serve`: save → all three published", r["stock_edit_html"],
                    r["serve_edit_all"], target="≤ 3 s"))
    print(ratio_row("peak memory, PDF", s_pdf, r["ours_pdf"], "maxrss_mb", target="≤ 500 MB"))
    print(ratio_row("peak memory, HTML", r["stock_html"], r["ours_html"], "maxrss_mb"))
    print(ratio_row("peak memory, all three", stock_sum, r["ours_all"], "maxrss_mb",
                    target="≤ 600 MB" if kind == "light" else "≤ 1,000 MB"))
    print("\nPeak memory of each of our processes:\n")
    print("| step | per process |")
    print("|---|---|")
    for name, key in (("HTML", "ours_html"), ("EPUB", "ours_epub"), ("PDF", "ours_pdf"), ("all three", "ours_all"),
                      ("one-page edit, all three", "ours_edit_all")):
        print(f"| {name} | {processes(r[key])} |")
    print(f"\n({PROCESS_ROLES})")
    print("\nCPU time (user+sys of the build and its children; less sensitive to a busy machine):\n")
    print("| step | stock stack | ours | ours / stock |")
    print("|---|---|---|---|")
    for name, sk, ok in (("HTML", "stock_html", "ours_html"), ("EPUB", "stock_epub", "ours_epub"), ("PDF", "stock_pdf", "ours_pdf"),
                         ("one-page edit, HTML", "stock_edit_html", "ours_edit_html")):
        sr = r.get(sk)
        print(f"| {name} | {sr['cpu']:.1f} s |" if sr else f"| {name} | n/a |", f"{r[ok]['cpu']:.1f} s |",
              f"{r[ok]['cpu'] / sr['cpu']:.2f} |" if sr else "n/a |")
    if stock_sum:
        print(f"| all three | {stock_sum['cpu']:.1f} s | {r['ours_all']['cpu']:.1f} s | {r['ours_all']['cpu'] / stock_sum['cpu']:.2f} |")
    print(f"\nPDF pages: ours {r['ours_all']['pages']}" + (f", latexpdf {s_pdf['pages']}" if s_pdf else f"; latexpdf: {reason}"))

    if args.phases:
        split = phases(book)
        print("\n## Where our PDF time goes\n")
        print("| phase | time | share |")
        print("|---|---|---|")
        for key in ("read", "assemble", "write", "compile", "other"):
            print(f"| {key} | {split[key]:.2f} s | {100 * split[key] / split['total']:.0f}% |")

    if args.pieces:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        out = subprocess.run([sys.executable, "-m", "benchmarks.chapters", str(book / "_ours" / "pdf"), "--whole",
                              "--jobs", str(os.cpu_count() or 1), "--merge", str(book / "_pieces.pdf")],
                             cwd=REPO, env=env, capture_output=True, text=True, check=True)
        lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
        split, merged = lines[0], lines[-1]
        print("\n## The PDF by pieces (experiment, not the build): Typst's peak memory and time\n")
        print("| | peak memory | CPU | wall |")
        print("|---|---|---|---|")
        whole = split["whole"]
        print(f"| whole book, one compile | {whole['rss_mb']:,.0f} MB | {whole['cpu']:.1f} s | {whole['wall']:.1f} s |")
        print(f"| {split['pieces']} pieces, {split['jobs']} at a time | {split['max_piece_rss_mb']:,} MB (largest) | "
              f"{split['cpu_sum_pieces']:.1f} s | {split['wall_all_pieces']:.1f} s |")
        print(f"| join (pikepdf) | {merged['merge_rss_mb']:,} MB | | {merged['merge_seconds']:.1f} s |")

    if args.scaling and kind == "light":
        sizes = [int(x) for x in args.scaling.split(",") if x.strip()]
        print("\n## Growth: our three formats (cold)\n")
        print("| source pages | wall time | per page | peak memory |")
        print("|---|---|---|---|")
        for n in sizes:
            if n == args.pages:
                res = r["ours_all"]
            else:
                other = generate(args.work / f"book-{n}", n)
                res = run(other, press_cmd(other, str(other / "_ours"), "pdf", "epub", "html"), other / "_ours")
            print(f"| {n} | {res['wall']:.1f} s | {1000 * res['wall'] / n:.0f} ms | {res['maxrss_mb']:,.0f} MB |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
