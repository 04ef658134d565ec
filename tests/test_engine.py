"""press.engine: one read for three formats, incremental rebuilds, faults and the lock.

Every test works on its own copy of ``tests/roots/test-book`` and of a first build of
it (made once per module), and runs the engine in a child process like ``make`` does.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdf
import pytest

from conftest import REPO, ROOTS, run_press
from press.engine import TRASH

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

FORMATS = ("pdf", "epub", "html")
#: Generated pages Sphinx writes on every build, whatever changed (tag pages are not:
#: press.web.tags writes them only when what they show changed).
ALWAYS = ("genindex.html", "search.html", "404.html")


def digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def digests(out: Path) -> dict[str, str]:
    return {fmt: digest(out / fmt) for fmt in FORMATS}


def build(src: Path, out: Path, *formats: str) -> subprocess.CompletedProcess:
    return run_press("build", *(formats or FORMATS), "--source", str(src), "--conf", str(src), "--out", str(out))


def engine_cmd(src: Path, out: Path, jobs: int = 1, prelude: str = "") -> list[str]:
    """``build_book`` in a child process (``prelude`` may patch the engine first)."""
    code = (f"import sys\nfrom pathlib import Path\nimport press.engine as engine\n{prelude}\n"
            f"sys.exit(engine.build_book(None, Path({str(src)!r}), Path({str(src)!r}), Path({str(out)!r}), jobs={jobs}))")
    return [sys.executable, "-c", code]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def html_mtimes(out: Path) -> dict[str, int]:
    html = out / "html"
    return {str(p.relative_to(html)): p.stat().st_mtime_ns for p in html.rglob("*.html")
            if not str(p.relative_to(html)).startswith(ALWAYS)}


def epub_text(out: Path) -> str:
    (epub,) = (out / "epub").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        assert z.testzip() is None
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xhtml"))


def pdf_text(out: Path) -> str:
    (pdf,) = (out / "pdf").glob("*.pdf")
    return "".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)


def assert_complete(out: Path) -> None:
    """Every format is a whole, readable output."""
    assert (out / "html" / "index.html").is_file() and (out / "html" / "alpha" / "able.html").is_file()
    assert "Able" in epub_text(out)
    assert "Able" in pdf_text(out)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The first build of the test book, made in ``work/`` and kept in ``pristine/``."""
    base = tmp_path_factory.mktemp("engine")
    src, out = base / "work" / "src", base / "work" / "out"
    shutil.copytree(ROOTS / "test-book", src)
    proc = build(src, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.copytree(base / "work", base / "pristine", symlinks=True)
    return src, out, proc.stdout + proc.stderr


@pytest.fixture
def book(first):
    """A private copy of the source and of its first build (state included), restored at the
    path it was built in: the environment names its source folder, so the copy is current and
    the test's first build reads nothing it did not change (tests of a module run one by one)."""
    src, out, _ = first
    work, pristine = src.parent, src.parent.parent / "pristine"
    if work.exists():  # moved away first: a detached `rm` of the last test's old outputs may still run in it
        old = work.with_name(f"old-{time.monotonic_ns()}")
        os.replace(work, old)
        shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(pristine, work, symlinks=True)
    return src, out


def test_one_read_three_writes(first):
    src, out, log = first
    assert log.count("reading 11 of 11 pages") == 1, log  # read once, not once per format
    assert not re.search(r"reading \d+ of", log.split("writing epub")[1]), log
    last = log.strip().splitlines()[-1]
    for fmt in FORMATS:
        assert str(out / fmt) in last, last  # the last line says where each output is
    kept = out.parent.parent / "pristine" / "out"  # as built (other tests change work/)
    assert_complete(kept)
    assert not (kept / ".press" / "staging").exists()


def test_no_change_rebuild_writes_no_page(book):
    src, out = book
    before = html_mtimes(out)
    typ = next(p for p in (out / "pdf").glob("*.typ") if not p.name.startswith("press-"))
    typ_before = typ.stat().st_mtime_ns
    pdf_before = typ.with_suffix(".pdf").read_bytes()
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert "reading" not in proc.stdout, proc.stdout
    assert html_mtimes(out) == before
    # the PDF's inputs did not change: the book is not even translated to Typst again
    assert typ.stat().st_mtime_ns == typ_before
    assert typ.with_suffix(".pdf").read_bytes() == pdf_before


def test_one_page_edit_rewrites_that_page_everywhere(book):
    src, out = book
    before = html_mtimes(out)
    page = src / "alpha" / "able.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA freshly edited sentence.\n", encoding="utf-8")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert "reading 1 of 11 pages" in proc.stdout, proc.stdout
    after = html_mtimes(out)
    changed = {p for p in before if after[p] != before[p]}
    assert "alpha/able.html" in changed
    assert "beta/links.html" not in changed and "alpha/baker.html" not in changed, changed
    assert "A freshly edited sentence." in (out / "html" / "alpha" / "able.html").read_text(encoding="utf-8")
    assert "A freshly edited sentence." in epub_text(out)
    assert "A freshly edited sentence." in pdf_text(out)
    (web_zip,) = (out / "html").glob("*-web.zip")  # the offline copy of the web book follows
    with zipfile.ZipFile(web_zip) as z:
        page = next(n for n in z.namelist() if n.endswith("/alpha/able.html"))
        assert "A freshly edited sentence." in z.read(page).decode("utf-8")


def test_no_change_keeps_the_web_books_zip(book):
    src, out = book
    (web_zip,) = (out / "html").glob("*-web.zip")
    before = web_zip.read_bytes(), web_zip.stat().st_mtime_ns
    proc = build(src, out, "html")
    assert proc.returncode == 0, proc.stderr
    assert (web_zip.read_bytes(), web_zip.stat().st_mtime_ns) == before


def genindex_pages(out: Path) -> dict[str, set[str]]:
    """``{entry: {page, ...}}`` that the web book's index links (no fragments)."""
    text = (out / "html" / "genindex.html").read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for li in re.findall(r"<li>(.*?)(?=<li>|</ul>)", text, re.S):
        links = re.findall(r'<a href="([^"#]+)#press-ix-[^"]+">([^<]*)</a>', li)
        if links:
            found[links[0][1]] = {href for href, _ in links}
    return found


def test_one_page_edit_keeps_the_other_pages_in_the_index(book):
    """The index page is written on every build, the pages only when they change: the
    mentions of the pages not rewritten still come from the last read (issue 14)."""
    src, out = book
    before = genindex_pages(out)
    assert "alpha/able.html" in before["Widget"] and len(before["Widget"]) >= 3, before
    page = src / "alpha" / "able.md"
    text = page.read_text(encoding="utf-8")
    page.write_text("\n".join(line for line in text.splitlines() if "Widget" not in line) + "\n", encoding="utf-8")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reading 1 of 11 pages" in proc.stdout, proc.stdout
    after = genindex_pages(out)
    assert after["Widget"] == before["Widget"] - {"alpha/able.html"}, after
    assert after["Able, Ada"] == before["Able, Ada"] - {"alpha/able.html"}, after
    (epub,) = (out / "epub").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        index = z.read(next(n for n in z.namelist() if n.endswith("genindex.xhtml"))).decode("utf-8")
    widget = re.search(r"<li>Widget (.*?)<ul>", index).group(1)
    assert set(re.findall(r'href="([^"#]+)\.xhtml#press-ix-', widget)) == {p[: -len(".html")] for p in after["Widget"]}


def _retitle(src: Path, title: str) -> None:
    page = src / "alpha" / "baker.md"
    text = page.read_text(encoding="utf-8")
    old = re.search(r"^title: (.+)$", text, re.M).group(1)
    page.write_text(text.replace(f"title: {old}", f"title: {title}"), encoding="utf-8")


def test_title_change_rewrites_every_navigation(book):
    src, out = book
    _retitle(src, "Renamed Baker")
    proc = build(src, out, "html")
    assert proc.returncode == 0, proc.stderr
    for other in ("index.html", "beta/links.html", "alpha/zeta.html"):
        assert "Renamed Baker" in (out / "html" / other).read_text(encoding="utf-8"), other
    # The EPUB was not built then; building it later still picks the change up.
    proc = build(src, out, "epub")
    assert proc.returncode == 0, proc.stderr
    assert "Renamed Baker" in epub_text(out)


def test_title_change_rewrites_the_tag_pages_too(book):
    src, out = book
    before = html_mtimes(out)
    assert any(p.startswith("tags/") for p in before)
    _retitle(src, "Baker Renamed Again")
    proc = build(src, out, "html")
    assert proc.returncode == 0, proc.stderr
    after = html_mtimes(out)
    assert all(after[p] != before[p] for p in before if p.startswith("tags/")), "tag pages kept a stale navigation"
    assert "Baker Renamed Again" in (out / "html" / "tags" / "index.html").read_text(encoding="utf-8")


def test_download_sizes_come_with_the_files_not_the_pages(book):
    """The pages link the PDF and EPUB of the same build without a size (they are written
    while Typst still lays out the PDF); a script written with the copies fills it in."""
    src, out = book
    _edit(src, "A change that makes both files bigger.")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    html = out / "html"
    page = (html / "alpha" / "baker.html").read_text(encoding="utf-8")  # not rewritten by the edit
    assert 'data-press-size="pdf"' in page and 'data-press-size="epub"' in page
    script = (html / "_static" / "press-download-sizes.js").read_text(encoding="utf-8")
    sizes = json.loads(re.search(r"var sizes = (\{.*?\});", script).group(1))
    for kind, pattern in (("pdf", "*.pdf"), ("epub", "*.epub")):
        (copy,) = html.glob(pattern)
        (published,) = (out / kind).glob(pattern)
        assert copy.read_bytes() == published.read_bytes()
        size = copy.stat().st_size
        expected = f"{size / 1_048_576:.1f} MB" if size >= 102_400 else f"{max(1, round(size / 1024))} KB"
        assert sizes[kind] == expected


def sitemap_locs(out: Path) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", (out / "html" / "sitemap.xml").read_text(encoding="utf-8"))


def test_sitemap_stays_complete_after_a_one_page_edit(book):
    """sphinx-sitemap lists the pages written by this build; press.web.sitemap adds the
    ones kept from the last build, so an incremental build gives the clean build's file."""
    src, out = book
    site = ["--site-url", "https://books.example.org/test/"]
    proc = run_press("build", "html", "--source", str(src), "--conf", str(src), "--out", str(out), *site)
    assert proc.returncode == 0, proc.stderr
    clean = (out / "html" / "sitemap.xml").read_bytes()
    locs = sitemap_locs(out)
    assert "https://books.example.org/test/alpha/baker.html" in locs
    assert "https://books.example.org/test/tags/index.html" in locs
    assert locs == sorted(locs) and len(locs) == len(set(locs))
    _edit(src, "An edit that rewrites one page.")
    proc = run_press("build", "html", "--source", str(src), "--conf", str(src), "--out", str(out), *site)
    assert proc.returncode == 0, proc.stderr
    assert "reading 1 of" in proc.stdout
    assert (out / "html" / "sitemap.xml").read_bytes() == clean


def test_incremental_web_data_matches_a_clean_build(book, tmp_path):
    """Link previews and search snippets are refreshed only for the pages a build rewrote;
    after an edit that adds links, they equal a clean build's."""
    src, out = book
    page = src / "alpha" / "able.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\nSee [the target](#site-links-target) and the [Links page](/beta/links.html).\n", encoding="utf-8")
    proc = build(src, out, "html")
    assert proc.returncode == 0, proc.stderr
    assert "reading 1 of" in proc.stdout
    clean = tmp_path / "clean"
    proc = build(src, clean, "html")
    assert proc.returncode == 0, proc.stderr
    for name in ("press-previews-data.js", "press-search-text.js"):
        incremental = (out / "html" / "_static" / name).read_text(encoding="utf-8")
        assert incremental == (clean / "html" / "_static" / name).read_text(encoding="utf-8"), name
    assert '"beta/links.html#site-links-target"' in (out / "html" / "_static" / "press-previews-data.js").read_text(encoding="utf-8")


def processes_naming(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (a build's leftovers), except the
    detached ``rm`` that removes the previous outputs after a swap (by design)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if str(path) in cmdline and not (cmdline.startswith("rm ") and f"/{TRASH}" in cmdline):
                found.append(int(proc.name))
    return found


def test_epub_and_web_book_written_by_two_processes(book):
    """With two cores the EPUB is written here and the web book in a forked child, both
    while Typst compiles; the child and what it started (sphinx-sitemap's manager, with a
    site URL) are gone when the build returns, and the outputs are those of one process."""
    src, out = book
    _edit(src, "Written by two processes.")
    site = ["--site-url", "https://books.example.org/test/"]
    proc = run_press("build", "--source", str(src), "--conf", str(src), "--out", str(out), *site, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = proc.stdout
    if (os.cpu_count() or 1) > 1:
        # the web book's process starts once the book is read and its environment saved (the
        # PDF's application), on its own doctree folder, before the EPUB's application
        assert (log.index("writing pdf") < log.index("writing html (in a second process)") < log.index("writing epub")
                < log.index("html written")), log
        # its folder gone with the staging folder (its records moved back: test_engine_processes.py)
        assert not (out / ".press" / "doctrees-web").exists() and not (out / ".press" / "staging").exists()
        assert (out / ".press" / "doctrees" / "press-web-docs.json").is_file()  # a record the web book wrote
    else:  # one core: one process, the formats one after the other
        assert "second process" not in log and log.index("epub written") < log.index("writing html"), log
    assert not processes_naming(out)
    assert "Written by two processes." in (out / "html" / "alpha" / "able.html").read_text(encoding="utf-8")
    assert "Written by two processes." in epub_text(out) and "Written by two processes." in pdf_text(out)
    assert "https://books.example.org/test/alpha/able.html" in sitemap_locs(out)
    for kind, pattern in (("pdf", "*.pdf"), ("epub", "*.epub")):
        (copy,) = (out / "html").glob(pattern)
        (published,) = (out / kind).glob(pattern)
        assert copy.read_bytes() == published.read_bytes()


def test_one_process_when_asked(book, monkeypatch):
    src, out = book
    _edit(src, "Written by one process.")
    monkeypatch.setenv("PRESS_SERIAL", "1")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.index("epub written") < proc.stdout.index("writing html"), proc.stdout
    assert "Written by one process." in (out / "html" / "alpha" / "able.html").read_text(encoding="utf-8")


def test_failed_epub_stops_the_web_books_process(book):
    """The parent's EPUB fails while the child writes the web book: the child stops at its
    gate, nothing is published and no process is left."""
    src, out = book
    before = digests(out)
    _edit(src, "Words from a build whose EPUB fails.")
    prelude = "engine.Engine.publish_epub = lambda self: 1\n"
    proc = subprocess.run(engine_cmd(src, out, prelude=prelude), cwd=REPO, env=child_env(), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "writing html" in proc.stdout and "html written" not in proc.stdout, proc.stdout
    assert digests(out) == before
    assert not processes_naming(out)
    assert not (out / ".press" / "staging").exists()


def test_pdf_compiled_alongside_the_other_formats_is_the_pdf_built_alone(book, tmp_path):
    """With more formats to write, the Typst compile runs in a thread while the EPUB and
    the web book are written; the PDF is the same file as a PDF-only build's."""
    src, out = book
    _edit(src, "Compiled in the background.")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    alone = tmp_path / "alone"
    proc = build(src, alone, "pdf")
    assert proc.returncode == 0, proc.stderr
    (together,) = (out / "pdf").glob("*.pdf")
    assert (alone / "pdf" / together.name).read_bytes() == together.read_bytes()
    assert (out / "html" / together.name).read_bytes() == together.read_bytes()  # the web book's copy


def test_background_compile_error_fails_the_build_at_the_authors_line(book):
    src, out = book
    before = digests(out)
    page = src / "alpha" / "able.md"
    text = page.read_text(encoding="utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\npress_raw_typst = "allow"  # trusted raw Typst that does not compile\n')
    page.write_text(text + "\n```{raw} typst\n#no-such-typst-function()\n```\n", encoding="utf-8")
    line = len(text.splitlines()) + 2  # the fence's line
    proc = build(src, out)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert re.search(rf"alpha/able\.md:{line}: ERROR: Typst could not compile the PDF", log.replace("\x1b[31m", "")), log
    assert "Traceback" not in log
    assert digests(out) == before  # every format as it was
    assert not (out / ".press" / "staging").exists()


def test_broken_page_keeps_outputs_and_fails_again_until_fixed(book):
    src, out = book
    before = digests(out)
    page = src / "alpha" / "zeta.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good.replace("weight: 1", "weight: [1"), encoding="utf-8")
    for _ in range(2):  # the second build must not forget the error the first one read
        proc = build(src, out)
        assert proc.returncode != 0
        assert re.search(r"alpha/zeta\.md:3: .*malformed YAML", proc.stderr), proc.stderr
        assert digests(out) == before
    page.write_text(good, encoding="utf-8")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert_complete(out)


def _edit(src: Path, words: str) -> None:
    page = src / "alpha" / "able.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def _kill_when(cmd: list[str], marker: str, sig: int) -> int:
    # (SIGINT as a terminal sends it: a suite started in the background by a non-interactive
    # shell runs with SIGINT ignored, and its children would inherit that and run to the end)
    proc = subprocess.Popen(cmd, cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    seen = ""
    for line in proc.stdout:
        seen += line
        if marker in line:
            proc.send_signal(sig)
            break
    rest = proc.communicate(timeout=120)[0]
    assert marker in seen, seen + rest
    return proc.returncode


@pytest.mark.parametrize(("sig", "marker"), [(signal.SIGKILL, "writing epub"), (signal.SIGINT, "writing html")],
                         ids=["SIGKILL-writing epub", "SIGINT-writing html"])  # each signal, each writer
def test_interrupted_build_keeps_outputs_and_next_build_succeeds(book, marker, sig):
    src, out = book
    before = digests(out)
    _edit(src, "Words from an interrupted build.")
    code = _kill_when(engine_cmd(src, out), marker, sig)
    assert code != 0
    assert digests(out) == before
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert "Words from an interrupted build." in pdf_text(out)
    assert "Words from an interrupted build." in (out / "html" / "alpha" / "able.html").read_text(encoding="utf-8")
    assert not (out / ".press" / "staging").exists()


@pytest.mark.parametrize("after", [1, 3])
def test_killed_during_the_swap(book, after):
    """SIGKILL between two exchanges: each format is its old or its new output, whole."""
    src, out = book
    _edit(src, "Words from a build killed while swapping.")
    prelude = (
        "import os, signal\n"
        "real = engine.staging.exchange\n"
        "count = [0]\n"
        "def exchange(new, final):\n"
        "    real(new, final)\n"
        "    count[0] += 1\n"
        f"    if count[0] == {after}:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "engine.staging.exchange = exchange  # the swap's primitive (press/engine/staging.py)\n"
    )
    proc = subprocess.run(engine_cmd(src, out, prelude=prelude), cwd=REPO, env=child_env(), capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert_complete(out)
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert_complete(out)
    assert "Words from a build killed while swapping." in epub_text(out)
    assert "Words from a build killed while swapping." in pdf_text(out)


def test_second_build_waits_for_the_lock(book):
    src, out = book
    lock = out / ".press" / "lock"
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242")
        handle.flush()
        proc = subprocess.Popen(engine_cmd(src, out), cwd=REPO, env=child_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "another build is running" in line and "4242" in line, line
        time.sleep(0.5)
        assert proc.poll() is None  # still waiting, wrote nothing
        fcntl.flock(handle, fcntl.LOCK_UN)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr
    assert_complete(out)


def test_two_builds_at_once(book):
    src, out = book
    _edit(src, "Two builds at once.")
    procs = [subprocess.Popen(engine_cmd(src, out), cwd=REPO, env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert any("another build is running" in err for _, err in results), results
    assert_complete(out)
    assert "Two builds at once." in epub_text(out)


def test_parallel_build_matches_serial(tmp_path):
    outs = {}
    for jobs in (1, 2):
        src = tmp_path / f"src{jobs}"
        shutil.copytree(ROOTS / "test-book", src)
        out = tmp_path / f"out{jobs}"
        proc = subprocess.run(engine_cmd(src, out, jobs=jobs), cwd=REPO, env=child_env(), capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outs[jobs] = out
    one, two = outs[1], outs[2]
    pages = sorted(str(p.relative_to(one / "html")) for p in (one / "html").rglob("*.html"))
    assert pages == sorted(str(p.relative_to(two / "html")) for p in (two / "html").rglob("*.html"))
    for page in pages:
        a = (one / "html" / page).read_text(encoding="utf-8").replace(str(tmp_path / "src1"), "SRC")
        b = (two / "html" / page).read_text(encoding="utf-8").replace(str(tmp_path / "src2"), "SRC")
        assert a == b, page
    assert epub_text(one) == epub_text(two)
    assert pdf_text(one) == pdf_text(two)


def test_serve_rebuilds_after_a_save(book):
    import urllib.request

    src, out = book
    proc = subprocess.Popen(
        [sys.executable, "-m", "press.serve", "--source", str(src), "--conf", str(src), "--out", str(out), "--port", "0"],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("press serve: http://"):
                url = line.split()[2]
                break
        else:
            pytest.fail("press serve did not start")

        def get(path: str) -> str:
            with urllib.request.urlopen(url + path, timeout=10) as response:
                return response.read().decode("utf-8")

        generation = get("__press_build")
        assert "/__press_build" in get("alpha/able.html")  # the reload script
        _edit(src, "Saved while serving.")
        deadline = time.monotonic() + 120
        while get("__press_build") == generation and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "Saved while serving." in get("alpha/able.html")
        while "Saved while serving." not in pdf_text(out) and time.monotonic() < deadline:
            time.sleep(0.5)  # the PDF follows in the background
        assert "Saved while serving." in pdf_text(out)
        with urllib.request.urlopen(url + "test-book.pdf", timeout=10) as response:
            assert response.read(5) == b"%PDF-"  # the download link keeps working
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_navigation_once_per_build_is_the_themes_markup(tmp_path, monkeypatch):
    """press.web.nav renders the sidebar once per build; every page equals the theme's own."""
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    from press.web import nav

    pages = {}
    for enabled in (False, True):
        monkeypatch.setattr(nav, "ENABLED", enabled)
        src = tmp_path / f"src-{enabled}"
        shutil.copytree(ROOTS / "test-book", src)
        app = SphinxTestApp("html", srcdir=src, status=StringIO(), warning=StringIO())
        try:
            app.build()
        finally:
            app.cleanup()
        out = Path(app.outdir)
        pages[enabled] = {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    assert pages[True].keys() == pages[False].keys()
    assert len(pages[True]) > 10
    for name, html in pages[False].items():
        assert pages[True][name] == html, name
    assert 'class="current reference internal" href="#"' in pages[True]["alpha/able.html"]


def _page_list(out: Path) -> list[str]:
    (epub,) = (out / "epub").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        nav = z.read("nav.xhtml").decode("utf-8")
        markers = sum(z.read(n).decode("utf-8").count('role="doc-pagebreak"') for n in z.namelist() if n.endswith(".xhtml"))
    listed = re.findall(r'<a href="[^"]+#(page-[^"]+)">([^<]+)</a>', nav.split('epub:type="page-list"')[1]) \
        if 'epub:type="page-list"' in nav else []
    assert markers == len(listed)
    return [text for _, text in listed]


def test_epub_alone_reuses_the_page_map_only_while_the_sources_are_unchanged(book):
    src, out = book
    pages = _page_list(out)
    assert pages[:2] == ["1", "2"], pages  # made with the PDF of the same build
    proc = build(src, out, "epub")  # nothing changed: the last PDF build's map still holds
    assert proc.returncode == 0, proc.stderr
    assert _page_list(out) == pages
    _edit(src, "A sentence the PDF has not seen.")
    proc = build(src, out, "epub")
    assert proc.returncode == 0, proc.stderr
    assert _page_list(out) == []  # the map is stale: no page list, and no old markers either
    proc = build(src, out)
    assert proc.returncode == 0, proc.stderr
    assert _page_list(out) == pages


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_format_built_alone_is_the_same_format_from_the_whole_build(book, fmt):
    """``press build <fmt>`` after ``press build`` (that format's output removed, the
    environment kept): the same bytes.  The EPUB's page list and page-break markers come
    from the page map kept in the doctree folder (press.pagemap), not from the process
    that made the PDF; the web book copies the PDF and EPUB published beside it."""
    src, out = book
    before = digest(out / fmt)
    shutil.rmtree(out / fmt)
    if fmt == "epub":
        shutil.rmtree(out / ".press" / "epub-work")
    proc = build(src, out, fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not re.search(r"reading \d+ of", proc.stdout), proc.stdout  # the environment was kept
    assert digest(out / fmt) == before
    if fmt == "epub":
        assert _page_list(out)[:2] == ["1", "2"]


def test_numbers_follow_an_edit_in_every_format(book):
    """A figure added to an earlier page renumbers a later page's figure in every format,
    although only the first format's application reads the page (press.numbering: the
    others keep the numbers that read assigned)."""
    src, out = book

    def numbers() -> tuple[str, str]:
        html = (out / "html" / "beta" / "links.html").read_text(encoding="utf-8")
        return re.findall(r"Fig\. \d+", html)[0], re.findall(r"Fig\. \d+", epub_text(out))[-1]

    assert numbers() == ("Fig. 1", "Fig. 1")
    part = src / "beta" / "index.md"  # the part's opener comes before its pages
    part.write_text(part.read_text(encoding="utf-8") + "\n:::{figure} dot.svg\n:alt: Another dot.\n\n"
                    "An earlier figure.\n:::\n", encoding="utf-8")
    proc = build(src, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert numbers() == ("Fig. 2", "Fig. 2")
