"""The bad- and hostile-input corpus (issue 12), driven by ``tests/bad_input/cases.yaml``.

Each case starts from the small book in ``tests/bad_input/base/``, adds or
replaces a few files, and is built in-process with the ``html`` builder
(``SphinxTestApp``).  It asserts the exact set of messages as
``(file, line, type.subtype)`` — nothing missing, nothing extra — and that no
traceback or crash report appears.  Optional checks read the written page
(``contains`` / ``lacks``).  Cases marked ``cli: true`` are also built through
:func:`press.engine.build_book` (the staged, strict build ``make`` runs) over a
copy of the base book's good output: the build must fail, print ``ERROR`` at
the same ``file:line``, and leave the last good web book byte for byte.

Case fields: ``id``, ``files`` (path → text; a path may start with ``../`` to
write outside the book), ``encode`` (path → codec the text is saved in),
``crlf`` (paths saved with CRLF line ends), ``repeat`` (path → ``[head, body,
times]`` or ``[head, body, times, tail]``), ``symlinks`` (path → target), ``conf`` (conf overrides),
``expect`` (list of ``[file, line, subtype]``), ``match`` (substrings the
messages must contain), ``page``/``contains``/``lacks`` (output checks), ``cli``,
``left`` (a known gap and why: the case runs as a strict xfail, so fixing it shows).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import build_in_process
import yaml

from press.engine import build_book

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

HERE = Path(__file__).resolve().parent / "bad_input"
BASE = HERE / "base"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MESSAGE = re.compile(r"^(?P<loc>.+?): (?P<level>WARNING|ERROR|CRITICAL): (?P<msg>.*?)(?: \[(?P<sub>[\w.-]+)\])?$")


def parse_messages(text: str, srcdir: Path) -> list[tuple[str, int | None, str, str]]:
    """``(file relative to the book, line, type.subtype, message)`` of each message."""
    found = []
    for line in ANSI.sub("", text).splitlines():
        m = MESSAGE.match(line)
        if not m:
            continue
        loc = m["loc"]
        lm = re.match(r"^(.*?):(\d+)$", loc)
        path, lineno = (lm[1], int(lm[2])) if lm else (loc, None)
        try:  # as written first (a symbolic link to outside the book is named by its link)
            path = Path(path).relative_to(srcdir).as_posix()
        except ValueError:
            try:
                path = Path(path).resolve().relative_to(srcdir.resolve()).as_posix()
            except ValueError:
                pass
        found.append((path, lineno, m["sub"] or "", m["msg"]))
    return found


def make_book(case: dict, dest: Path) -> Path:
    """Copy the base book to ``dest/book`` and apply the case's files."""
    src = dest / "book"
    shutil.copytree(BASE, src)
    crlf = set(case.get("crlf", []))
    for rel, text in (case.get("files") or {}).items():
        path = (src / rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel in (case.get("repeat") or {}):
            head, body, times, *tail = case["repeat"][rel]
            text = head + body * times + "".join(tail)
        if text is None:
            text = ""
        if rel in crlf:
            text = text.replace("\n", "\r\n")
        codec = (case.get("encode") or {}).get(rel, "utf-8")
        path.write_bytes(text.encode(codec))
    for rel, target in (case.get("symlinks") or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).unlink(missing_ok=True)  # a link may replace a file of the base book
        (src / rel).symlink_to(target)
    for rel in case.get("remove", []):
        (src / rel).unlink()
    return src


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def expected(case: dict) -> set[tuple[str, int | None, str]]:
    return {(f, line, sub) for f, line, sub in case.get("expect", [])}


@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> tuple[Path, str]:
    """The base book built once through the strict staged CLI engine: the last good output."""
    out = tmp_path_factory.mktemp("good") / "_build"
    src = tmp_path_factory.mktemp("good-src") / "book"
    shutil.copytree(BASE, src)
    assert build_book(["html"], src, src, out) == 0
    return out, tree_digest(out / "html")


def test_corpus_size():
    """The issue asks for at least 60 cases, every id unique."""
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


def _param(case: dict):
    """A case marked ``left`` (a known gap, with the reason) must still fail: strict xfail."""
    marks = [pytest.mark.xfail(reason=case["left"], strict=True)] if case.get("left") else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict, tmp_path: Path, good_output, capsys) -> None:
    src = make_book(case, tmp_path)
    built = build_in_process("html", src, **(case.get("conf") or {}))
    log = built.warnings + built.status
    assert "Traceback" not in log and "Exception occurred" not in log, log
    messages = parse_messages(built.warnings, src)
    got = {(f, line, sub) for f, line, sub, _ in messages}
    assert got == expected(case), ANSI.sub("", built.warnings)
    text = " ".join(m for *_, m in messages)
    for needle in case.get("match", []):
        assert needle in text, text
    if "page" in case:
        page = (built.outdir / case["page"]).read_text(encoding="utf-8")
        for needle in case.get("contains", []):
            assert needle in page, needle
        for needle in case.get("lacks", []):
            assert needle.lower() not in page.lower(), needle
    if case.get("cli"):
        good, digest = good_output
        out = tmp_path / "_build"
        shutil.copytree(good / "html", out / "html")
        capsys.readouterr()
        assert build_book(["html"], src, src, out) != 0
        printed = ANSI.sub("", "".join(capsys.readouterr()))
        assert "Traceback" not in printed, printed
        for f, line, sub in expected(case):
            assert f"{f}:{line}: ERROR:" in printed if line else f"{f}: ERROR:" in printed, printed
        assert tree_digest(out / "html") == digest, "the last good web book changed"


RAW_ODDITIES = """---
title: Raw HTML Oddities
---

Inline <b>bold</b>, <span class="note" onmouseover="steal()">hover</span>, a&nbsp;space,
a break<br>here and <kbd>Ctrl</kbd>.

<div class="box">
<hr>
<p>unclosed <i>italic
<input type="checkbox" checked disabled> done
</div>

<p><a href="https://example.org/" onclick="alert(1)">a link</a></p>

<svg viewBox="0 0 10 10" width="20" height="20" role="img" aria-hidden="true"><path d="M0 0h10v10H0z"/></svg>

<script>alert("never")</script>
"""


def test_raw_html_epub_is_valid_xhtml(tmp_path):
    """Issue 10/12: raw HTML never makes an invalid EPUB page, and nothing active survives."""
    from test_epub import epubcheck_messages

    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    (src / "guide" / "raw.md").write_text(RAW_ODDITIES, encoding="utf-8")
    built = build_in_process("epub", src)
    warning, app = io.StringIO(built.warnings), built.app
    got = {(f, line, sub) for f, line, sub, _ in parse_messages(warning.getvalue(), src)}
    # the three removals are reported where they were written, and nothing else
    assert got == {("guide/raw.md", 5, "press.raw_html"), ("guide/raw.md", 14, "press.raw_html"), ("guide/raw.md", 18, "press.raw_html")}, warning.getvalue()
    (epub,) = Path(app.outdir).glob("*.epub")
    import zipfile

    page = zipfile.ZipFile(epub).read("guide/raw.xhtml").decode("utf-8")
    for gone in ("onmouseover", "onclick", "<script", "alert("):
        assert gone not in page
    for kept in ("<b>bold</b>", "<hr/>", 'checked="', '<svg xmlns="http://www.w3.org/2000/svg"', 'viewBox="0 0 10 10"', "\u00a0space"):
        assert kept in page, kept
    bad = [m for m in epubcheck_messages(epub, tmp_path) if m.get("severity") in ("FATAL", "ERROR")]
    assert bad == [], bad


HOSTILE_PAGE = """---
title: Hostile
---

```{include} ../../secret.md
```

![evil](evil.svg)

```{literalinclude} ../../secret.md
```

<script>alert("TOP SECRET")</script>

Ordinary text stays.
"""
EVIL_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="5" height="5"/></svg>\n'


@pytest.mark.parametrize("builder", ["html", "epub", "typst"])
def test_nothing_hostile_reaches_any_format(builder, tmp_path):
    """The outside file's text and the active SVG reach none of the three formats."""
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    (tmp_path / "secret.md").write_text("TOP SECRET from outside the book\n", encoding="utf-8")
    (src / "guide" / "evil.svg").write_text(EVIL_SVG, encoding="utf-8")
    (src / "guide" / "hostile.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    built = build_in_process(builder, src)
    warning, app = io.StringIO(built.warnings), built.app
    got = {(f, line, sub) for f, line, sub, _ in parse_messages(warning.getvalue(), src)}
    expect = {("guide/hostile.md", 5, "press.containment"), ("guide/hostile.md", 8, "press.svg"),
              ("guide/hostile.md", 10, "press.containment")}
    if builder != "typst":
        expect.add(("guide/hostile.md", 13, "press.raw_html"))
    assert expect <= got, warning.getvalue()
    out = Path(app.outdir)
    assert not [p for p in out.rglob("*.svg") if "evil" in p.name]
    import zipfile

    for path in out.rglob("*"):
        if path.suffix in (".html", ".xhtml", ".typ", ".txt", ".js"):
            assert "TOP SECRET" not in path.read_text(encoding="utf-8", errors="replace"), path
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as z:
                assert not [n for n in z.namelist() if "evil" in n]
                assert not any(b"TOP SECRET" in z.read(n) for n in z.namelist())
    page = {"html": "guide/hostile.html", "epub": "guide/hostile.xhtml"}.get(builder)
    text = (out / page).read_text(encoding="utf-8") if page else "\n".join(p.read_text() for p in out.glob("*.typ"))
    assert "Ordinary text stays" in text


def test_page_turned_latin1_in_an_incremental_build(tmp_path, capsys):
    """A page read by an earlier build and then saved as Latin-1: one ERROR, no crash, then recovery."""
    src, out = tmp_path / "book", tmp_path / "_build"
    shutil.copytree(BASE, src)
    assert build_book(["html"], src, src, out) == 0
    digest = tree_digest(out / "html")
    page = src / "guide" / "page.md"
    good = page.read_text(encoding="utf-8")
    page.write_bytes(good.replace("Opening paragraph", "Opening caf\u00e9 paragraph").encode("latin1"))
    capsys.readouterr()
    assert build_book(["html"], src, src, out) != 0
    printed = ANSI.sub("", "".join(capsys.readouterr()))
    assert "Traceback" not in printed and "Exception occurred" not in printed, printed
    errors = [line for line in printed.splitlines() if ": ERROR: " in line]
    assert len(errors) == 1 and "guide/page.md:9: ERROR: the page is not UTF-8" in errors[0], printed
    assert tree_digest(out / "html") == digest
    page.write_text(good.replace("Opening paragraph", "Opening caf\u00e9 paragraph"), encoding="utf-8")
    assert build_book(["html"], src, src, out) == 0
    assert "café" in (out / "html" / "guide" / "page.html").read_text(encoding="utf-8")


def test_a_failed_build_fails_again_until_the_page_is_fixed(tmp_path, capsys):
    """The cached doctree of a page with problems does not let the next build pass in silence."""
    src, out = tmp_path / "book", tmp_path / "_build"
    shutil.copytree(BASE, src)
    (src / "guide" / "bad.md").write_text("---\ntitle: Bad\nweight: x\n---\n\nBody.\n", encoding="utf-8")
    for _ in range(2):
        capsys.readouterr()
        assert build_book(["html"], src, src, out) != 0
        printed = ANSI.sub("", "".join(capsys.readouterr()))
        assert "guide/bad.md:3: ERROR: 'weight' must be an integer" in printed, printed
    (src / "guide" / "bad.md").write_text("---\ntitle: Bad\nweight: 3\n---\n\nBody.\n", encoding="utf-8")
    assert build_book(["html"], src, src, out) == 0
