"""The web book offline, both ways.

1. **A zip of the whole web book**, ``<slug>-web.zip`` in the root of the HTML
   output, offered beside the PDF and the EPUB whenever the build offers those
   (``press build`` / ``make book``; see :mod:`press.web.downloads`).  Unzipped,
   ``<slug>/index.html`` opens from disk with navigation and search working
   (every link is relative; search snippets come from :mod:`press.web.search`).
   The zip is reproducible: sorted entries, dates from ``SOURCE_DATE_EPOCH``.

2. **An installable web app.**  Every page links ``manifest.webmanifest``
   (name, colours, 192/512 px icons) and loads ``press-offline.js``, which
   registers ``sw.js`` when the book is served over HTTP(S).  ``sw.js`` is
   written at the end of the build with the list of every file of the book
   (pages, assets, search index and snippet data, PDF, EPUB; not the zip, which
   would only store the book twice, nor the themes' source maps and message
   catalogues, which no page loads) and a version that is the hash of those
   files.  On first visit it stores them all in a cache named after the book's
   address and that version, then answers from the cache first, so a reader who
   loses the connection keeps reading and searching.  A new build has a new
   version: the new worker fills a new cache and deletes the old one.

Everything is relative to the book's root, so both work under a sub-path
(``https://example.org/my-book/``) as well as at a domain's root.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx.application import Sphinx

from .. import config as press_config
from .. import reprozip
from . import downloads, downloads_of, is_web
from .downloads import download_links, offers_zip, zip_name  # noqa: F401 (the zip's own entry lives with the downloads)

MANIFEST = "manifest.webmanifest"
WORKER = "sw.js"
REGISTER = "press-offline.js"
WORKER_SOURCE = Path(__file__).resolve().with_name("sw.js")
ICONS = ((192, "_static/press-icon-192.png"), (512, "_static/press-icon-512.png"))
THEME_COLOR = "#1a5fb4"  # the favicon's blue
#: Files that are never precached (the worker itself, the zip, Sphinx's build stamp).
NOT_CACHED = frozenset({WORKER, ".buildinfo"})
#: Files a reader's browser never asks for, left out of the zip and the precache: the
#: themes' source maps (opened only by developer tools, 3.4 MB) and the message catalogues
#: sphinx-book-theme copies beside its assets (read by Sphinx at build time, not by pages).
DEV_ONLY_SUFFIXES = (".map", ".po", ".mo")


def _add_assets(app: Sphinx) -> None:
    if is_web(app.builder):
        app.add_js_file(REGISTER, loading_method="defer")


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Link the manifest and the theme colour from every page."""
    if not is_web(app.builder):
        return
    pathto = context["pathto"]
    tags = (
        f'<link rel="manifest" href="{pathto(MANIFEST, 1)}">\n'
        f'<meta name="theme-color" content="{THEME_COLOR}">\n'
        f'<link rel="apple-touch-icon" href="{pathto(ICONS[0][1], 1)}">\n'
    )
    context["metatags"] = context.get("metatags", "") + tags


def _manifest(app: Sphinx) -> str:
    title = app.config.project
    short = app.config.project if len(app.config.project) <= 24 else press_config.get(app.config).slug
    data = {
        "name": title,
        "short_name": short,
        "description": press_config.get(app.config).subtitle or title,
        "lang": app.config.language or "en",
        "id": "./",
        "start_url": "./index.html",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"} for size, src in ICONS
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def book_files(outdir: Path, skip: set[str]) -> list[str]:
    """Every file of the built book, as sorted POSIX paths relative to ``outdir``."""
    found = []
    for path in outdir.rglob("*"):
        rel = path.relative_to(outdir).as_posix()
        if path.is_file() and rel not in skip and not rel.startswith(".") and not rel.endswith(DEV_ONLY_SUFFIXES):
            found.append(rel)
    return sorted(found)


def _version(outdir: Path, files: list[str], digest: Any = None) -> str:
    """A digest of every file's path and content (``digest(rel)``: a file's SHA-256 digest
    known already, or ``None``)."""
    version = hashlib.sha256()
    for rel in files:
        known = digest(rel) if digest is not None else None
        version.update(rel.encode() + b"\0" + (known or hashlib.sha256((outdir / rel).read_bytes()).digest()))
    return version.hexdigest()[:16]


def write_worker(outdir: Path, skip: set[str], digest: Any = None) -> str:
    """Write ``sw.js`` with the file list and the version; return the version."""
    files = book_files(outdir, skip)
    version = _version(outdir, files, digest)
    urls = [quote(rel) for rel in files]
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    source = source.replace('"@VERSION@"', json.dumps(version)).replace('["@FILES@"]', json.dumps(urls, indent=0))
    (outdir / WORKER).write_text(source, encoding="utf-8")
    return version


#: the zip's deflate effort
LEVEL = 6
#: the builder's attribute holding the files read ahead (:func:`prepare`)
AHEAD = "press_offline_ahead"


def write_zip(outdir: Path, name: str, folder: str, confdir: str | Path,
              ahead: dict[str, tuple[bytes, reprozip.Packed]] | None = None) -> None:
    """A reproducible zip of the whole book under ``folder/`` (:mod:`press.reprozip`); the
    files packed ``ahead`` (:meth:`Ahead.unchanged`) are not read again."""
    entries: list[tuple[str, bytes | None]] = []
    packed: dict[str, reprozip.Packed] = {}
    for rel in book_files(outdir, {name, ".buildinfo"}):
        known = (ahead or {}).get(rel)
        if known is not None:
            packed[f"{folder}/{rel}"] = known[1]
            entries.append((f"{folder}/{rel}", None))
        else:
            entries.append((f"{folder}/{rel}", (outdir / rel).read_bytes()))
    # (the unchanged pages of the last build's zip are copied, not compressed again)
    reprozip.write_zip(outdir / name, entries, press_config.source_date_epoch(confdir), level=LEVEL, reuse=True,
                       store_packed=True, packed=packed)


class Ahead:
    """The web book's files read, digested and packed for the zip before its process waits for
    the PDF and the EPUB (:func:`prepare`), so that after the wait only the files written since
    are (the downloads, their sizes, the manifest, the worker: :attr:`late`, and any file whose
    size or modification time changed)."""

    def __init__(self, late: set[str]) -> None:
        self.late = late
        self.files: dict[str, tuple[tuple[int, int], bytes, reprozip.Packed]] = {}

    def unchanged(self, outdir: Path) -> dict[str, tuple[bytes, reprozip.Packed]]:
        """``{path: (SHA-256 digest, packed entry)}`` of the files still as they were read ahead."""
        out = {}
        for rel, (stat, digest, packed) in self.files.items():
            try:
                now = (outdir / rel).stat()
            except OSError:
                continue
            if rel not in self.late and stat == (now.st_mtime_ns, now.st_size):
                out[rel] = (digest, packed)
        return out


def prepare(app: Sphinx, exception: Exception | None) -> None:
    """Read, digest and pack the book's files for the worker and the zip while the web book's
    process has nothing else to do (``build-finished`` before it waits for the PDF and the EPUB)."""
    if exception is not None or not is_web(app.builder) or not offers_zip(app):
        return
    outdir = Path(app.outdir)
    name = zip_name(app)
    folder = press_config.get(app.config).slug
    ahead = Ahead({MANIFEST, WORKER, f"_static/{downloads.SIZES}", *(d.name for d in downloads_of(app))})
    packer = reprozip.Packer(outdir / name, level=LEVEL, reuse=True, store_packed=True)
    try:
        for rel in book_files(outdir, {name, ".buildinfo"}):
            if rel in ahead.late:
                continue
            path = outdir / rel
            before = path.stat()
            data = path.read_bytes()
            ahead.files[rel] = ((before.st_mtime_ns, before.st_size), hashlib.sha256(data).digest(),
                                packer.pack(f"{folder}/{rel}", data))
    finally:
        packer.close()
    app.builder.__dict__[AHEAD] = ahead


def finish(app: Sphinx, exception: Exception | None) -> None:
    """At the very end of a web build: manifest, worker, then the zip of it all."""
    if exception is not None or not is_web(app.builder):
        return
    outdir = Path(app.outdir)
    read_ahead: Ahead | None = app.builder.__dict__.pop(AHEAD, None)
    # (looked at once: after the wait only the late files change, and they are never taken)
    ahead = read_ahead.unchanged(outdir) if read_ahead is not None else {}
    before = [_read(outdir / MANIFEST), _read(outdir / WORKER)]
    (outdir / MANIFEST).write_text(_manifest(app), encoding="utf-8")
    name = zip_name(app)
    write_worker(outdir, set(NOT_CACHED) | {name}, lambda rel: ahead[rel][0] if rel in ahead else None)
    # The worker names every file with a digest of all their contents: the same worker and
    # manifest as the zip's build mean the same files, so the zip is kept as it is.
    same = before == [_read(outdir / MANIFEST), _read(outdir / WORKER)] and (outdir / name).is_file()
    if offers_zip(app) and not same:
        write_zip(outdir, name, press_config.get(app.config).slug, app.confdir, ahead)
    if offers_zip(app):  # the zip's size beside the PDF's and the EPUB's (not in the zip itself)
        downloads.write_sizes(app, {"zip": downloads.human_size((outdir / name).stat().st_size)})


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the worker script, link the manifest, write the files last (priority 900)."""
    app.connect("builder-inited", _add_assets)
    app.connect("html-page-context", page_context)
    # (packed ahead after the pages, pruning and the policy, before the web book's process
    # waits for the PDF and the EPUB: press.formats.DOWNLOADS_PRIORITY - 50)
    app.connect("build-finished", prepare, priority=545)
    app.connect("build-finished", finish, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
