"""Copies of the PDF and EPUB of the same build, offered on every web page.

``python -m press build pdf epub html --out OUT`` (``make book``) builds the
PDF and the EPUB first; for the HTML build the CLI sets ``press_download_dir``
to ``OUT``.  This module copies ``OUT/pdf/<slug>.pdf`` and
``OUT/epub/<epub_basename>.epub`` into the root of the HTML output and links
them, with relative URLs (so they work from a server and from ``file://``),
from the sidebar and the download menu of the header of every page.  A
configured folder without one of the files is a ``press.web`` warning.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from .. import config as press_config
from ..typst.builder import finish_pending
from ..warnings_ import PressWarning, warn
from . import is_web, offline

LABELS = "press-downloads.json"
ICONS = {"pdf": "fas fa-file-pdf", "epub": "fas fa-book", "zip": "fas fa-file-zipper"}


@dataclass(frozen=True)
class Download:
    kind: str  # "pdf" | "epub"
    label: str  # "Download PDF"
    source: Path
    name: str  # file name in the HTML output root

    @property
    def size(self) -> str:
        """The size as readers are told it: MB with one decimal from 100 KB up (a label
        that an edit rarely changes, since a changed label rewrites every page), KB below."""
        size = self.source.stat().st_size
        return f"{size / 1_048_576:.1f} MB" if size >= 102_400 else f"{max(1, round(size / 1024))} KB"


def find(app: Sphinx) -> list[Download]:
    """The downloads this build offers (empty without ``press_download_dir``)."""
    folder = press_config.get(app.config).download_dir
    if not folder or not is_web(app.builder):
        return []
    base = Path(app.confdir, folder)
    slug = press_config.get(app.config).slug
    wanted = [
        ("pdf", "Download PDF", base / "pdf" / f"{slug}.pdf"),
        ("epub", "Download EPUB", base / "epub" / f"{app.config.epub_basename}.epub"),
    ]
    found = []
    for kind, label, path in wanted:
        if path.is_file():
            found.append(Download(kind, label, path, path.name))
        else:
            warn(PressWarning.WEB, f"press_download_dir is set but there is no {kind.upper()} at {path}: "
                 f"build '{kind}' before 'html' (make book) so the web book can offer it")
    return found


def _init(app: Sphinx) -> None:
    # found at first use in the web book; nothing to offer in other formats
    app.builder.press_downloads = None if is_web(app.builder) else []  # type: ignore[attr-defined]


def downloads_of(app: Sphinx) -> list[Download]:
    """The downloads, found when the first page is written: by then the PDF that the
    engine compiles in the background, while this build reads, is finished and written
    (:func:`press.typst.builder.finish_pending`), so sizes and copies are of this build."""
    found = getattr(app.builder, "press_downloads", [])
    if found is None:
        finish_pending(app)
        found = app.builder.press_downloads = find(app)  # type: ignore[attr-defined]
    return found


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``press_downloads`` for the sidebar, and a download menu in the header."""
    found = downloads_of(app)
    if not found:
        return
    pathto = context["pathto"]
    links = [
        {"kind": d.kind, "label": d.label, "href": pathto(d.name, 1), "size": d.size, "name": d.name}
        for d in found
    ]
    links += offline.download_links(app, pathto)  # the zip of the web book itself
    context["press_downloads"] = links
    buttons = context.get("header_buttons")
    if isinstance(buttons, list):
        buttons.insert(0, {
            "type": "group",
            "tooltip": "Download the book",
            "icon": "fas fa-download",
            "label": "press-downloads",
            "buttons": [
                {
                    "type": "link",
                    "url": link["href"],
                    "text": link["label"],
                    "tooltip": f"{link['label']} ({link['size']})" if link["size"] else link["label"],
                    "icon": ICONS.get(link["kind"], "fas fa-download"),
                    "label": f"press-download-{link['kind']}",
                }
                for link in links
            ],
        })


def labels(app: Sphinx) -> dict[str, str]:
    """What every page says of the downloads (kind -> size label)."""
    return {d.kind: d.size for d in downloads_of(app)}


def _labels_file(app: Sphinx) -> Path:
    # In the doctree folder: the engine stages and publishes it with the pages that show them.
    return Path(app.doctreedir, LABELS)


def rewrite_if_labels_changed(app: Sphinx, env: Any) -> list[str]:
    """``env-get-updated``: every page shows the downloads' sizes, so when a label changes
    (or was never recorded) every page is rewritten, not only the pages that changed."""
    if not is_web(app.builder):
        return []
    try:
        previous = json.loads(_labels_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    return sorted(env.found_docs) if labels(app) != previous else []


def copy_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not is_web(app.builder):
        return
    for d in downloads_of(app):
        shutil.copyfile(d.source, Path(app.outdir) / d.name)
    _labels_file(app).write_text(json.dumps(labels(app), sort_keys=True), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Look for the PDF and EPUB when the first page is written, link them, copy them at
    the end; rewrite every page when their size labels change."""
    app.connect("builder-inited", _init)
    app.connect("env-get-updated", rewrite_if_labels_changed)
    app.connect("html-page-context", page_context, priority=510)
    app.connect("build-finished", copy_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
