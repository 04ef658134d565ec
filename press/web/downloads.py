"""Copies of the PDF and EPUB of the same build, offered on every web page.

``python -m press build pdf epub html --out OUT`` (``make book``) builds the
PDF and the EPUB first; the build's state (:attr:`press.state.Outputs.downloads`)
names the folder ``D`` that holds them (a ``sphinx-build`` of the web book alone:
``press_download_dir``).  This module copies ``D/pdf/<slug>.pdf`` and
``D/epub/<epub_basename>.epub`` into the root of the HTML output and links
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
from .. import state
from ..formats import DOWNLOADS_PRIORITY
from ..warnings_ import PressWarning, warn
from . import downloads_of, is_web

SIZES = "press-download-sizes.js"
ICONS = {"pdf": "fas fa-file-pdf", "epub": "fas fa-book", "zip": "fas fa-file-zipper"}


@dataclass(frozen=True)
class Download:
    kind: str  # "pdf" | "epub"
    label: str  # "Download PDF"
    source: Path
    name: str  # file name in the HTML output root

    @property
    def size(self) -> str:
        """The size as readers are told it: MB with one decimal from 100 KB up, KB below."""
        return human_size(self.source.stat().st_size)


def find(app: Sphinx) -> list[Download]:
    """The downloads this build offers (none without a download folder): the files
    there, or about to be there (their folder exists: the engine, which makes the PDF and
    the EPUB of the same build while the web pages are written, creates it first)."""
    base = state.of(app).downloads_folder(press_config.get(app.config).download_dir, app.confdir)
    if base is None or not is_web(app.builder):
        return []
    slug = press_config.get(app.config).slug
    wanted = [
        ("pdf", "Download PDF", base / "pdf" / f"{slug}.pdf"),
        ("epub", "Download EPUB", base / "epub" / f"{app.config.epub_basename}.epub"),
    ]
    found = []
    for kind, label, path in wanted:
        if path.is_file() or path.parent.is_dir():
            found.append(Download(kind, label, path, path.name))
        else:
            _missing(kind, path)
    return found


def _missing(kind: str, path: Path) -> None:
    warn(PressWarning.WEB, f"press_download_dir is set but there is no {kind.upper()} at {path}: "
         f"build '{kind}' before 'html' (make book) so the web book can offer it")


def _init(app: Sphinx) -> None:
    app.builder.press_downloads = find(app) if is_web(app.builder) else []  # type: ignore[attr-defined]
    if app.builder.press_downloads:  # type: ignore[attr-defined]
        app.add_js_file(SIZES, loading_method="defer")


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``press_downloads`` for the sidebar, and a download menu in the header.  The pages
    carry no size: the files may still be in the making while the pages are written, and a
    size in every page would go stale on the pages an incremental build does not rewrite.
    ``_static/press-download-sizes.js``, written with the files, fills them in."""
    found = downloads_of(app)
    if not found:
        return
    pathto = context["pathto"]
    links = [{"kind": d.kind, "label": d.label, "href": pathto(d.name, 1), "name": d.name} for d in found]
    links += download_links(app, pathto)  # the zip of the web book itself
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
                    "tooltip": link["label"],
                    "icon": ICONS.get(link["kind"], "fas fa-download"),
                    "label": f"press-download-{link['kind']}",
                }
                for link in links
            ],
        })


def zip_name(app: Sphinx) -> str:
    return f"{press_config.get(app.config).slug}-web.zip"


def offers_zip(app: Sphinx) -> bool:
    """The zip is offered beside the PDF and EPUB, so whenever those are."""
    return is_web(app.builder) and bool(downloads_of(app))


def download_links(app: Sphinx, pathto: Any) -> list[dict[str, str]]:
    """The zip's entry for the download list of a page (see :mod:`press.web.downloads`)."""
    if not offers_zip(app):
        return []
    name = zip_name(app)
    return [{"kind": "zip", "label": "Download web book (zip)", "href": pathto(name, 1), "size": "", "name": name}]


def human_size(size: int) -> str:
    """A file size as readers are told it: MB with one decimal from 100 KB up, KB below."""
    return f"{size / 1_048_576:.1f} MB" if size >= 102_400 else f"{max(1, round(size / 1024))} KB"


def copy_files(app: Sphinx, exception: Exception | None) -> None:
    """At ``build-finished``: wait for a PDF compiled in the background (its errors are
    reported here), copy the files, write their sizes for the pages."""
    if exception is not None or not is_web(app.builder):
        return
    state.of(app).finish_compiles(app)
    for d in downloads_of(app):
        if not d.source.is_file():
            _missing(d.kind, d.source)
            continue
        shutil.copyfile(d.source, Path(app.outdir) / d.name)
    write_sizes(app)


def write_sizes(app: Sphinx, extra: dict[str, str] | None = None) -> None:
    """``_static/press-download-sizes.js``: the sizes of the PDF and EPUB, and ``extra`` (the
    web book's zip, made last: :func:`press.web.offline.finish` writes the file again with it)."""
    sizes = {d.kind: d.size for d in downloads_of(app) if d.source.is_file()}
    sizes.update(extra or {})
    if downloads_of(app) or extra:
        static = Path(app.outdir, "_static")
        static.mkdir(exist_ok=True)
        (static / SIZES).write_text(
            "// Sizes of the book's downloads (press.web.downloads); generated, do not edit.\n"
            f"(function () {{ var sizes = {json.dumps(sizes, sort_keys=True)};\n"
            "  document.querySelectorAll('[data-press-size]').forEach(function (el) {\n"
            "    var size = sizes[el.getAttribute('data-press-size')];\n"
            "    if (size) { el.textContent = size; }\n"
            "  });\n"
            "})();\n",
            encoding="utf-8",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Find the PDF and EPUB at ``builder-inited`` and link them; copy them, with a script
    that shows their sizes, at the end."""
    app.connect("builder-inited", _init)
    app.connect("html-page-context", page_context, priority=510)
    app.connect("build-finished", copy_files, priority=DOWNLOADS_PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
