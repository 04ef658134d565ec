"""Bad input: one clear file:line message, a non-zero exit, the last good output untouched."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOTS, run_press

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

# (case, file, transform of its text, expected message regex)
BAD = [
    ("malformed-yaml", "alpha/zeta.md", lambda t: t.replace("weight: 1", "weight: [1"),
     r"alpha/zeta\.md:3: ERROR: malformed YAML front matter.*\[press\.frontmatter_yaml\]"),
    ("missing-title", "alpha/zeta.md", lambda t: t.replace("title: Zeta Page\n", ""),
     r"alpha/zeta\.md:1: ERROR: front matter has no 'title' \(required\) \[press\.frontmatter_field\]"),
    ("weight-not-int", "alpha/zeta.md", lambda t: t.replace("weight: 1", "weight: first"),
     r"alpha/zeta\.md:3: ERROR: 'weight' must be an integer, got str 'first' \[press\.frontmatter_field\]"),
    ("tags-not-list", "alpha/zeta.md", lambda t: t.replace("tags: [one]", "tags: one"),
     r"alpha/zeta\.md:4: ERROR: 'tags' must be a list of strings.*\[press\.frontmatter_field\]"),
    ("date-not-date", "beta/links.md", lambda t: t.replace("date: 2026-03-14", "date: soon"),
     r"beta/links\.md:6: ERROR: 'date' must be an ISO date.*\[press\.frontmatter_field\]"),
    ("missing-page", "alpha/able.md", lambda t: t + "\nSee [gone](/alpha/gone.html).\n",
     r"alpha/able\.md:8: ERROR: site link '/alpha/gone\.html': no page.*\[press\.sitelink_page\]"),
    ("missing-anchor", "alpha/able.md", lambda t: t + "\nSee [x](/alpha/zeta.html#no-such-heading).\n",
     r"alpha/able\.md:8: ERROR: site link .*#no-such-heading.*\[press\.sitelink_anchor\]"),
    ("unknown-citation", "alpha/able.md", lambda t: t + "\nAs {cite:p}`nobody1999` found.\n",
     r"alpha/able\.md:8: ERROR: could not find bibtex key \"nobody1999\""),
    ("missing-image", "alpha/able.md", lambda t: t + "\n![a chart](img/missing.png)\n",
     r"alpha/able\.md:8: ERROR: image file not readable: alpha/img/missing\.png"),
    ("mojibake-front-matter", "alpha/zeta.md", lambda t: t.replace("title: Zeta Page", "title: Zeta Pageâ€”Extended"),
     r"alpha/zeta\.md:2: ERROR: mojibake .*repaired text: 'title: Zeta Page—Extended' \[press\.mojibake\]"),
    ("mojibake", "alpha/able.md", lambda t: t + "\nThe authorâ€™s view.\n",
     r"alpha/able\.md:8: ERROR: mojibake .*repaired text: 'The author’s view\.' \[press\.mojibake\]"),
]


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The test book built once in all formats: the 'last good output'."""
    base = tmp_path_factory.mktemp("strict")
    src = base / "src"
    shutil.copytree(ROOTS / "test-book", src)
    out = base / "out"
    proc = run_press("build", "pdf", "epub", "html", "--source", str(src), "--conf", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return src, out


def _break(good, tmp_path, case, file, transform):
    src, out = good
    bad_src, bad_out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(src, bad_src)
    shutil.copytree(out, bad_out)
    shutil.rmtree(bad_out / ".doctrees", ignore_errors=True)
    page = bad_src / file
    page.write_text(transform(page.read_text(encoding="utf-8")), encoding="utf-8")
    return bad_src, bad_out


@pytest.mark.parametrize(("case", "file", "transform", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_fails_clearly_and_keeps_output(good, tmp_path, case, file, transform, message):
    src, out = _break(good, tmp_path, case, file, transform)
    before = tree_digest(out / "html")
    proc = run_press("build", "html", "--source", str(src), "--conf", str(src), "--out", str(out))
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert re.search(message, log), log
    warnings = [line for line in log.splitlines() if "ERROR:" in line]  # strict: warnings are labelled ERROR
    assert len(warnings) == 1, warnings  # one clear message, no cascade
    assert "left untouched" in log
    assert tree_digest(out / "html") == before


def test_failed_build_keeps_every_format(good, tmp_path):
    src, out = _break(good, tmp_path, *BAD[0][:3])
    before = {fmt: tree_digest(out / fmt) for fmt in ("html", "epub", "pdf")}
    proc = run_press("build", "pdf", "epub", "html", "--source", str(src), "--conf", str(src), "--out", str(out))
    assert proc.returncode != 0
    assert {fmt: tree_digest(out / fmt) for fmt in ("html", "epub", "pdf")} == before
    assert proc.stderr.count("left untouched") == 3


def test_successful_build_replaces_output(good, tmp_path):
    src, out = _break(good, tmp_path, "edit", "alpha/able.md", lambda t: t + "\nA new sentence.\n")
    proc = run_press("build", "html", "--source", str(src), "--conf", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "A new sentence." in (out / "html" / "alpha" / "able.html").read_text()
    assert not (out / ".old-html").exists()
