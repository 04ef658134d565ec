"""The ``press`` command: plain help, --version, new, build, clean; the book ``press new`` makes."""

from __future__ import annotations

import re
import tomllib
import zipfile

import pypdf
import pytest
import yaml
from bs4 import BeautifulSoup

import press
from conftest import REPO, run_press
from press import cli

COMMANDS = ("new", "build", "check", "serve", "publish", "clean")
#: reStructuredText that must never reach a terminal.
RST = re.compile(r"``|:(?:mod|func|class|ref|doc):`|^\.\. |^={3,}", re.M)


@pytest.mark.parametrize("args", [(), *((c,) for c in COMMANDS)])
def test_help_is_plain_text(args):
    proc = run_press(*args, "--help")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith(f"usage: press {' '.join(args)}".rstrip())
    assert not RST.search(text), text
    if not args:
        for command in COMMANDS:
            assert re.search(rf"^\s+{command}\s+\S", text, re.M), command


def test_version_matches_the_package_and_pyproject():
    proc = run_press("--version")
    assert proc.returncode == 0
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert proc.stdout.strip() == f"press (field-guide-press) {version}" and press.__version__ == version


def test_unknown_format_and_missing_command_are_usage_errors():
    bad = run_press("build", "docx")
    assert bad.returncode == 2 and "unknown format 'docx'" in bad.stderr and "pdf, epub, html" in bad.stderr
    none = run_press()
    assert none.returncode == 2 and "usage: press" in none.stderr


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    proc = run_press("new", str(tmp_path))
    assert proc.returncode == 1 and "not empty" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_clean_removes_the_output_folder(tmp_path):
    out = tmp_path / "_build" / "html"
    out.mkdir(parents=True)
    (out / "index.html").write_text("x")
    proc = run_press("clean", "--out", str(tmp_path / "_build"))
    assert proc.returncode == 0 and not (tmp_path / "_build").exists()
    again = run_press("clean", "--out", str(tmp_path / "_build"))
    assert again.returncode == 0 and "nothing to clean" in again.stdout


def test_build_passes_formats_in_build_order(monkeypatch):
    calls = []
    monkeypatch.setattr("press.engine.build_book", lambda formats, *a, **k: calls.append((formats, k)) or 0)
    assert cli.main(["build", "html", "pdf"]) == 0
    assert cli.main(["build"]) == 0
    assert cli.main(["build", "epub", "-j", "2"]) == 0
    assert calls == [
        (["pdf", "html"], {"strict": True}),
        (["pdf", "epub", "html"], {"strict": True}),
        (["epub"], {"strict": True, "jobs": 2}),
    ]


# --- the book `press new` makes (built strictly in all three formats by the fixture) ----


def test_new_book_has_every_file_a_book_needs(new_book):
    root = new_book.root
    for rel in ("conf.py", "Makefile", "README.md", "requirements.txt", ".gitignore", ".readthedocs.yaml",
                ".github/workflows/publish.yml", "source/index.md", "source/references.bib",
                "source/getting-started/index.md", "source/getting-started/first-page.md",
                "source/getting-started/img/pipeline.svg", "source/bibliography.md"):
        assert (root / rel).is_file(), rel
    for path in root.rglob("*"):
        if path.is_file() and "_build" not in path.parts and path.suffix != ".whl":
            assert "{{" not in path.read_text(encoding="utf-8").replace("${{", ""), path
    conf = (root / "conf.py").read_text()
    assert 'project = "My Book"' in conf and 'press_slug = "my-book"' in conf
    # press is not on PyPI: the book keeps a wheel of the press that made it, and names it
    wheel = f".press/wheels/field_guide_press-{press.__version__}-py3-none-any.whl"
    assert f"./{wheel}" in (root / "requirements.txt").read_text() and (root / wheel).is_file()
    assert (root / ".readthedocs.yaml").is_file()
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^book:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_new_book_workflow_builds_and_deploys_the_web_book(new_book):
    flow = yaml.safe_load((new_book.root / ".github/workflows/publish.yml").read_text())
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run") for s in steps]
    assert runs.count("make book") == 1 and "make test" not in runs  # one (strict) build
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    book_step = next(s for s in steps if s.get("run") == "make book")
    assert "PRESS_SITE_URL" in book_step["env"]
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")


def test_new_book_builds_in_all_three_formats(new_book):
    out = new_book.root / "_build"
    lines = [line for line in new_book.log.splitlines() if line.startswith("press: ")]
    # the build's last line says where each output is
    assert lines[-1].startswith("press: built pdf, epub, html"), lines
    for what in ("pdf/my-book.pdf", "epub/my-book.epub", "html/index.html"):
        assert what in lines[-1], (what, lines)
    # PDF: the citation, the figure's number in the cross-reference, the bibliography entry
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out / "pdf" / "my-book.pdf").pages)
    assert "Knuth" in text and "Fig. 1" in text and "Literate programming" in text.replace("\n", " ")
    # EPUB: the figure travels with the book
    with zipfile.ZipFile(out / "epub" / "my-book.epub") as epub:
        assert any(n.endswith("pipeline.svg") for n in epub.namelist())
    # web: the cross-references are links to the right places
    soup = BeautifulSoup((out / "html" / "getting-started" / "first-page.html").read_text(), "html.parser")
    hrefs = {a.get_text(" ", strip=True): a["href"] for a in soup.select("article a.reference")}
    assert hrefs["Fig. 1"].endswith("#fig-pipeline")
    assert hrefs["citing a source"] == "#citing-a-source"
    assert soup.select_one("figure img")["src"].endswith("pipeline.svg")


def test_site_url_option_reaches_the_canonical_links(new_book, tmp_path):
    proc = run_press("build", "html", "--out", str(tmp_path / "out"), "--site-url", "https://books.example.org/mine/",
                     cwd=new_book.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (tmp_path / "out" / "html" / "getting-started" / "first-page.html").read_text()
    assert '<link rel="canonical" href="https://books.example.org/mine/getting-started/first-page.html"' in page
    sitemap = (tmp_path / "out" / "html" / "sitemap.xml").read_text()
    assert "https://books.example.org/mine/index.html" in sitemap
