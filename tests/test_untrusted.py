"""Untrusted content, round two (issue 21), beyond the one-page cases of ``tests/bad_input``:

* every script probe of the corpus in one book, each page loaded in headless Chromium: no
  dialog, no probe flag set, no ``javascript:`` link, no foreign event handler, no full-page
  overlay, and the images and downloads opened directly run nothing either;
* the Content-Security-Policy is a wall of its own: with ``press_raw_html = "allow"`` an inline
  ``<script>`` and an ``onerror=`` reach the page and still do not run;
* a page deleted or renamed between two builds leaves every output (HTML, ``_sources``, the
  zip, the service worker's list);
* ``:url:`` in a network namespace under strace: refused at file:line, no ``connect``;
* a read-only or full output disk: one line naming the path and the cause.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import build_in_process, chromium_launch_options
from press.engine import build_book

pytestmark = pytest.mark.book  # every test here builds a book

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "bad_input"
BASE = HERE / "base"
CASES = {c["id"]: c for c in yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))}
#: Cases whose page tries to run script (each writes guide/bad.md or another page; evil files).
PROBES = [
    "math-text-svg-tab", "math-in-title-svg", "math-href-javascript", "html-entity-tab-javascript-url",
    "html-style-overlay", "html-title-onerror", "md-javascript-link", "bib-javascript-url",
    "svg-wildcard-script", "svg-set-href-javascript", "svg-animate-values-javascript",
    "download-html-script", "download-svg-script", "html-script-block", "html-img-onerror",
    "html-javascript-url", "html-inline-handler", "html-raw-directive", "svg-script", "svg-onload",
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
CHECK = """() => {
  const found = [];
  for (const a of document.querySelectorAll('a[href], area[href]'))
    if (a.protocol === 'javascript:' || a.protocol === 'vbscript:' || a.protocol === 'data:') found.push('link ' + a.href);
  for (const el of document.querySelectorAll('*'))
    for (const at of el.attributes)
      if (at.name.startsWith('on') && !['window.print()', 'toggleFullScreen()'].includes(at.value)) found.push('handler ' + at.name);
  for (const el of document.querySelectorAll('#main-content *, .bd-sidebar-primary *'))
    if (getComputedStyle(el).position === 'fixed') found.push('fixed ' + el.tagName);
  if (window.__probe) found.push('probe ran');
  return found;
}"""


def _probe_text(text: str) -> str:
    """The probe with ``alert(1)`` also setting a flag (a dialog is caught too)."""
    return text.replace("alert(1)", "window.__probe=1,alert(1)")


def probe_book(dest: Path) -> Path:
    """The base book with every probe's files, each page under its own name."""
    src = dest / "book"
    shutil.copytree(BASE, src)
    for n, case_id in enumerate(PROBES):
        case = CASES[case_id]
        for rel, text in (case.get("files") or {}).items():
            text = _probe_text(text or "")
            if rel == "guide/bad.md":
                rel = f"guide/probe{n:02d}.md"
            elif rel.startswith("guide/evil"):
                rel = rel.replace("evil", f"evil{n:02d}")
                (src / "guide" / f"probe{n:02d}.md").parent.mkdir(exist_ok=True)
            path = src / rel
            if rel == "refs.bib":
                path.write_text(text, encoding="utf-8")
                continue
            path.write_text(text, encoding="utf-8")
        page = src / "guide" / f"probe{n:02d}.md"
        if page.is_file():
            page.write_text(re.sub(r"\bevil\b", f"evil{n:02d}", page.read_text(encoding="utf-8")), encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """The probe book, built (not strict: every probe is also an error) before the browser starts."""
    built = build_in_process("html", probe_book(tmp_path_factory.mktemp("probes")))
    assert "Traceback" not in built.warnings + built.status
    return built


@pytest.fixture(scope="module")
def chromium(probes):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(args=ARGS, **chromium_launch_options(p))
        yield browser
        browser.close()


def _visit(browser, url: str) -> list[str]:
    context = browser.new_context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)
        found = [f"dialog {m}" for m in dialogs]
        if url.endswith(".html"):
            found += page.evaluate(CHECK)
        else:
            found += page.evaluate("() => window.__probe ? ['probe ran'] : []")
        return found
    finally:
        context.close()


def test_no_probe_runs_in_chromium(probes, chromium):
    out = probes.outdir
    pages = sorted(p for p in out.rglob("*.html") if not p.relative_to(out).parts[0].startswith("_static"))
    assert len([p for p in pages if p.name.startswith("probe")]) >= 15, [p.name for p in pages]
    files = [p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] in ("_images", "_downloads")]
    ran = {}
    for path in pages + files:
        found = _visit(chromium, path.as_uri())
        if found:
            ran[path.relative_to(out).as_posix()] = found
    assert ran == {}, ran
    # the probes were really there: the sanitiser reported them
    assert probes.warnings.count("press.") >= 15, probes.warnings


def test_csp_stops_inline_script_that_got_in(tmp_path, chromium):
    """The second wall: ``press_raw_html = "allow"`` publishes the script; the browser refuses it."""
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    (src / "guide" / "trusted.md").write_text(
        "---\ntitle: Trusted\n---\n\n<script>window.__probe = 1</script>\n\n"
        "<img src=\"nosuch.png\" alt=\"x\" onerror=\"window.__probe = 2\">\n",
        encoding="utf-8",
    )
    built = build_in_process("html", src, press_raw_html="allow")
    page = (built.outdir / "guide" / "trusted.html").read_text(encoding="utf-8")
    assert "<script>window.__probe = 1</script>" in page and "Content-Security-Policy" in page
    context = chromium.new_context()
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto((built.outdir / "guide" / "trusted.html").as_uri())
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(100)
        assert tab.evaluate("() => window.__probe") is None
        assert tab.evaluate("() => document.documentElement.dataset.mode") is not None  # the theme's own inline script ran
        assert any("Content Security Policy" in e for e in errors), errors
    finally:
        context.close()


def _worker_files(html: Path) -> list[str]:
    text = (html / "sw.js").read_text(encoding="utf-8")
    return re.findall(r'"([^"]+)"', text.split("const FILES = ", 1)[1].split(";", 1)[0])


def test_removed_and_renamed_pages_leave_every_output(tmp_path):
    src, out = tmp_path / "book", tmp_path / "_build"
    shutil.copytree(BASE, src)
    (src / "guide" / "gone.md").write_text("---\ntitle: Soon Gone\n---\n\nDELETED PAGE TEXT.\n", encoding="utf-8")
    (src / "guide" / "old.md").write_text("---\ntitle: Old Name\n---\n\nRENAMED PAGE TEXT.\n", encoding="utf-8")
    assert build_book(None, src, src, out) == 0
    html = out / "html"
    assert (html / "guide" / "gone.html").is_file() and (html / "_sources" / "guide" / "gone.md").is_file()
    (zip_path,) = html.glob("*-web.zip")
    assert any(n.endswith("guide/gone.html") for n in zipfile.ZipFile(zip_path).namelist())
    assert "guide/gone.html" in _worker_files(html)

    (src / "guide" / "gone.md").unlink()
    (src / "guide" / "old.md").rename(src / "guide" / "new.md")
    assert build_book(None, src, src, out) == 0
    assert (html / "guide" / "new.html").is_file()
    names = zipfile.ZipFile(next(html.glob("*-web.zip"))).namelist()
    worker = _worker_files(html)
    for old in ("guide/gone", "guide/old"):
        assert not (html / f"{old}.html").exists(), old
        assert not list((html / "_sources").glob(f"{old}.md*")), old
        assert not any(n.endswith(f"{old}.html") or f"_sources/{old}.md" in n for n in names), old
        assert not any(w.startswith(old + ".") or w.startswith(f"_sources/{old}.") for w in worker), old
    for path in html.rglob("*"):
        if path.suffix in (".html", ".txt", ".js"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "DELETED PAGE TEXT" not in text, path
    assert "guide/new.html" in worker


def _unshare_ok() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(not _unshare_ok(), reason="needs mount/network namespaces (unshare)")


@needs_namespaces
@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_url_options_refused_in_a_network_namespace(tmp_path):
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    (src / "guide" / "fetch.md").write_text(
        "---\ntitle: Fetch\n---\n\n```{csv-table} Data\n:url: http://10.0.0.1/data.csv\n```\n\n"
        "```{raw} html\n:url: http://169.254.169.254/latest/meta-data/\n```\n",
        encoding="utf-8",
    )
    trace = tmp_path / "connect.trace"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    cmd = [
        "unshare", "-n", "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
        sys.executable, "-m", "press", "build", "html",
        "--source", str(src), "--conf", str(src), "--out", str(tmp_path / "_build"),
    ]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert "guide/fetch.md:5: ERROR:" in log and "guide/fetch.md:9: ERROR:" in log and "[press.network]" in log, log
    assert "Traceback" not in log
    inet = [line for line in trace.read_text().splitlines() if re.search(r"sa_family=AF_INET6?\b", line)]
    assert inet == [], inet


def _press_in_mount_namespace(tmp_path: Path, setup: str, out: Path) -> subprocess.CompletedProcess:
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    script = (
        f"{setup} && exec {sys.executable} -m press build html --source {src} --conf {src} --out {out}"
    )
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


@needs_namespaces
def test_read_only_output_is_one_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    proc = _press_in_mount_namespace(tmp_path, f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro}", ro / "_build")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in log and "Exception occurred" not in log, log
    assert f"cannot write '{ro / '_build'}': Read-only file system" in log, log


@needs_namespaces
def test_full_disk_is_one_line_and_no_crash_report(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    proc = _press_in_mount_namespace(tmp_path, f"mount -t tmpfs -o size=600k tmpfs {full}", full / "_build")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in log and "Exception occurred" not in log and "sphinx-err-" not in log, log
    assert re.search(r"press: ERROR: cannot write '[^']*': No space left on device", log), log


def test_no_probe_is_active_in_the_epub(tmp_path):
    """The same probes in the EPUB: no script, handler or script link in any page, nothing
    that makes the package "scripted", and EPUBCheck finds no error."""
    from lxml import etree

    from press.sanitize import safe_url
    from test_epub import epubcheck_messages

    built = build_in_process("epub", probe_book(tmp_path))
    (epub,) = built.outdir.glob("*.epub")
    found = []
    with zipfile.ZipFile(epub) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        assert "scripted" not in z.read(opf).decode("utf-8")
        for name in z.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(z.read(name))
            for el in root.iter():
                if not isinstance(el.tag, str):
                    continue
                local = etree.QName(el).localname
                if local in ("script", "iframe", "object", "embed", "foreignObject"):
                    found.append(f"{name}: <{local}>")
                for attr, value in el.attrib.items():
                    a = etree.QName(attr).localname
                    if a.startswith("on"):
                        found.append(f"{name}: {a}= on <{local}>")
                    if a == "href" and not safe_url(value):
                        found.append(f"{name}: href={value!r}")
                    if a == "style" and "position" in value:
                        found.append(f"{name}: style={value!r}")
            assert b"window.__probe" not in z.read(name) or name.endswith(".xhtml"), name
        assert not [n for n in z.namelist() if "evil" in n], z.namelist()
    assert found == [], found
    bad = [
        m for m in epubcheck_messages(epub, tmp_path) if m.get("severity") in ("FATAL", "ERROR")
        and "pic.png" not in m.get("message", "")  # the html-img-onerror probe's raw <img src="pic.png">
    ]
    assert bad == [], bad
