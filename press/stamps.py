"""Small records kept beside the doctrees (the shared state of the last good build).

Formats and web extras that skip work when nothing they depend on changed keep what they
were made from in one file each in the doctree folder (staged and swapped with it, so a
failed build never leaves a record of an output that was not published):

==========================  ======================================================
``press-pdf.sha256``        the inputs of the last PDF (:mod:`press.typst.builder`)
``press-pages.json``        the PDF's page map (:mod:`press.pagemap`)
``press-tags.sha256``       what the tag pages show (:mod:`press.web.tags`)
``press-genindex.json``     whether the sidebar links the index (:mod:`press.web.genindex`)
``press-previews.json``     link preview data per page (:mod:`press.web.previews`)
==========================  ======================================================

:class:`Stamp` reads and writes them: a missing or unreadable record reads as ``None``
(the work is done again), never as an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class Stamp:
    """One record ``name`` in the doctree folder ``doctreedir``."""

    def __init__(self, doctreedir: str | Path, name: str) -> None:
        self.path = Path(doctreedir, name)

    def text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def data(self) -> Any:
        """The JSON value recorded, or ``None``."""
        text = self.text()
        try:
            return None if text is None else json.loads(text)
        except ValueError:
            return None

    def mtime_ns(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return 0

    def write(self, value: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(value, encoding="utf-8")

    def write_data(self, value: Any) -> None:
        """Record a JSON value (keys sorted, so the same value is the same bytes)."""
        self.write(json.dumps(value, sort_keys=True, separators=(",", ":")))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
