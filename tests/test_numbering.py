"""Figure numbers after an edit (press/numbering.py): Sphinx's figure numbering, which loads
every page's doctree, runs only when a read page's numbering could have changed; the numbers
are always a cold build's."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.testing.util import SphinxTestApp

from conftest import copy_root


def _numbers(srcdir: Path, outdir: Path) -> tuple[dict, Path]:
    app = SphinxTestApp("html", srcdir=srcdir, builddir=outdir, status=StringIO(), warning=StringIO())
    try:
        app.build()
        return dict(app.env.toc_fignumbers), Path(app.outdir)
    finally:
        app.cleanup()


@pytest.mark.book
def test_an_edit_renumbers_only_when_a_pages_numbering_changed(tmp_path, monkeypatch):
    src = copy_root("pdf", tmp_path)
    calls = []
    real = TocTreeCollector.assign_figure_numbers

    def counted(self, env):
        calls.append(1)
        return real(self, env)

    monkeypatch.setattr(TocTreeCollector, "assign_figure_numbers", counted)
    first, _ = _numbers(src, tmp_path / "build")
    assert first and calls  # (a cold build numbers)

    def cold() -> dict:
        again = tmp_path / "cold"
        shutil.rmtree(again, ignore_errors=True)
        return _numbers(src, again)[0]

    # prose added to a page with numbered listings: its numbers and everyone's stay, unrenumbered,
    # and the page written is the new one (no old doctree kept for the rest of the build)
    alpha = src / "part-one" / "alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("## Tables", "PROSEADDED here.\n\n## Tables"),
                     encoding="utf-8")
    calls.clear()
    numbers, out = _numbers(src, tmp_path / "build")
    assert calls == [] and numbers == first
    assert "PROSEADDED" in (out / "part-one" / "alpha.html").read_text(encoding="utf-8")
    assert numbers == cold()
    # a captioned listing added before the others: Sphinx renumbers, as a cold build would
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "PROSEADDED here.", "```{code-block} python\n:caption: An added listing\n:name: code-added\n\nx = 1\n```\n"),
        encoding="utf-8")
    calls.clear()
    numbers, _ = _numbers(src, tmp_path / "build")
    assert calls and numbers != first and numbers == cold()
    assert "code-added" in numbers["part-one/alpha"]["code-block"]
