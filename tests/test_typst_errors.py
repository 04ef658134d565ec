"""A Typst compile error is a failed build, reported at the author's file:line.

A small book whose page carries a raw Typst block that does not compile is built with a plain
``sphinx-build -b typst`` (no ``-W``) and with ``-W``: both exit non-zero, write no PDF, and
name the page and line of the raw block, never a line of the generated ``.typ``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from press.typst import errors

PAGE = """---
title: Broken
---

A paragraph that compiles.

```{raw} typst
#this-function-does-not-exist()
```
"""
RAW_LINE = PAGE.splitlines().index("```{raw} typst") + 1


@pytest.fixture(scope="module")
def broken_book(tmp_path_factory):
    src = tmp_path_factory.mktemp("typst-broken")
    (src / "conf.py").write_text(
        'project = "Broken"\nextensions = ["press"]\nbibtex_bibfiles = []\n'
        'press_raw_typst = "allow"  # the raw block is trusted; it just does not compile\n'
    )
    (src / "index.md").write_text(PAGE)
    return src


@pytest.mark.parametrize("strict", [False, True], ids=["plain", "-W"])
def test_compile_error_fails_at_author_line(broken_book, tmp_path, strict):
    out = tmp_path / "out"
    args = [sys.executable, "-m", "sphinx", "-b", "typst", "-q", str(broken_book), str(out)]
    if strict:
        args += ["-W", "--keep-going"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log
    assert not list(out.glob("*.pdf"))
    assert f"index.md:{RAW_LINE}:" in log, log
    assert "unknown variable: this-function-does-not-exist" in log
    assert ".typ:" not in log
    # an author's mistake, not a crash: an ERROR line, no traceback, no Sphinx crash report
    assert f"index.md:{RAW_LINE}: ERROR:" in log.replace("\x1b[31m", ""), log
    assert "Traceback" not in log and "sphinx-err-" not in log, log


def test_locate_walks_back_to_the_nearest_marker():
    typ = "\n".join([
        "#import x",
        errors.comment("a/page.md", 3) + "Text",
        "more",
        "#broken(" + errors.comment("a/page.md", 9) + "[x]",
    ])
    assert errors.locate(typ, 3, 1, "/src") == "/src/a/page.md:3"
    assert errors.locate(typ, 4, 2, "/src") == "/src/a/page.md:3"  # before the marker on line 4
    assert errors.locate(typ, 4, 30, "/src") == "/src/a/page.md:9"
    assert errors.locate(typ, 1, 0, "/src") is None
    assert errors.strip_markers(typ).count("/*@") == 0


def test_error_in_the_template_is_placed_at_the_label_use(tmp_path):
    """An error whose span lies in the template (a link to a missing label) is placed at the
    first use of that label in the book's file, then mapped to the author's line."""
    typ = tmp_path / "book.typ"
    typ.write_text("\n".join([
        '#import "press-book.typ": *',
        errors.comment("intro.md", 4) + "Some text.",
        errors.comment("intro.md", 12) + "See #press-xref(<d.intro:gone>)[there].",
    ]), encoding="utf-8")

    class Failure:
        message = "label `<d.intro:gone>` does not exist in the document"
        diagnostic = "error: ...\n   ┌─ ../press-book.typ:25:4\n"
        hints: list[str] = []
        trace: list[str] = []

    assert errors.source_location(Failure(), typ, "/src") == "/src/intro.md:12"
