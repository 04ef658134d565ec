"""What the author removed leaves the web book too.

An incremental build writes only the pages that changed into the last good output, so a page
deleted or renamed in ``source/`` would keep its old HTML file and its ``_sources`` copy, and
with them its entry in the zip and the service worker's cache (both list the files of the
output).  At ``build-finished`` (before :mod:`press.web.offline` makes the zip and the worker)
every page that is no document any more is deleted: those the previous web build recorded
(``press-web-docs.json`` beside the doctrees) and those whose ``_sources`` copy names a document
that is gone.  Empty folders left behind go too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import is_web

RECORD = "press-web-docs.json"


def _record(app: Sphinx) -> Path:
    return Path(app.doctreedir) / RECORD


def _sources_docs(outdir: Path, suffixes: list[str], link_suffix: str) -> dict[str, Path]:
    """``docname -> _sources copy`` for every source copy in the output."""
    found: dict[str, Path] = {}
    root = outdir / "_sources"
    if not root.is_dir():
        return found
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if link_suffix and rel.endswith(link_suffix) and not any(rel.endswith(s) for s in suffixes):
            rel = rel[: -len(link_suffix)]
        for suffix in suffixes:
            if rel.endswith(suffix):
                found[rel[: -len(suffix)]] = path
                break
    return found


def prune(app: Sphinx, exception: Exception | None) -> None:
    """Delete the output of every page that is no longer a document."""
    if exception is not None or not is_web(app.builder):
        return
    env = app.env
    docs = set(env.found_docs)
    outdir = Path(app.outdir)
    try:
        before = set(json.loads(_record(app).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        before = set()
    suffixes = sorted(app.config.source_suffix, key=len, reverse=True)
    copies = _sources_docs(outdir, suffixes, getattr(app.config, "html_sourcelink_suffix", "") or "")
    stale = (before | set(copies)) - docs
    for doc in sorted(stale):
        targets = [Path(app.builder.get_outfilename(doc))]
        if doc in copies:
            targets.append(copies[doc])
        for path in targets:
            resolved = path.resolve()
            if not resolved.is_relative_to(outdir.resolve()):
                continue
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            parent = path.parent
            while parent != outdir and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    try:
        _record(app).write_text(json.dumps(sorted(docs)), encoding="utf-8")
    except OSError:
        pass
    if stale:
        app.builder.__dict__["press_pruned"] = sorted(stale)


def setup(app: Sphinx) -> dict[str, Any]:
    # before the security policy (540), the wait for the PDF (550) and the zip (900)
    app.connect("build-finished", prune, priority=530)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
