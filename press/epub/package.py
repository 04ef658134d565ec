"""The EPUB container: metadata, package document, navigation, cover and the zip.

Pure functions over plain data, so the builder stays short and the pieces can
be tested alone.  Everything here is deterministic: same input, same bytes.
"""

from __future__ import annotations

import html
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import jinja2

from .. import reprozip

MEDIA_TYPES = {
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ncx": "application/x-dtbncx+xml",
}

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class NavItem:
    """One entry of the table of contents."""

    text: str
    href: str
    children: list[NavItem] = field(default_factory=list)

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


@dataclass
class Metadata:
    """What the package document says about the book."""

    identifier: str
    title: str
    language: str
    modified: str  # 2026-01-01T00:00:00Z
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str = ""
    description: str = ""
    subjects: list[str] = field(default_factory=list)
    rights: str = ""
    date: str = ""
    access_modes: list[str] = field(default_factory=lambda: ["textual"])
    features: list[str] = field(default_factory=list)
    summary: str = ""
    conforms: bool = True  # claim EPUB Accessibility 1.1 / WCAG 2.1 AA (only when nothing is known to fail)
    #: further identifiers (e.g. the book's web address), shown by libraries beside the UUID
    other_identifiers: list[str] = field(default_factory=list)
    #: authors that are organisations (filed under their own name, never inverted)
    organisations: list[str] = field(default_factory=list)
    #: the print edition the page list follows (``dc:source`` refined by ``source-of``
    #: ``pagination``; the draft ``pageBreakSource`` property is not written: EPUBCheck 5
    #: rejects it as undefined); empty when the EPUB has no page list
    page_source: str = ""


@dataclass
class ManifestEntry:
    href: str
    properties: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[PurePosixPath(self.href).suffix.lower()]


#: last words that mark a corporate author ("Field Guide Press", "Acme Inc.")
ORGANISATION_WORDS = {
    "press", "publishing", "publishers", "books", "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "co.",
    "company", "corporation", "foundation", "institute", "university", "team", "group", "project",
    "committee", "association", "society", "lab", "labs", "collective", "contributors", "authors",
}


def file_as(name: str, organisations: list[str] | tuple[str, ...] = ()) -> str:
    """How a library files an author: "Surname, Given names" for a person, the name as
    written for an organisation (one of ``organisations``, or ending in a word such as
    "Press", "Inc." or "Foundation") or a one-word name."""
    name = " ".join(name.split())
    words = name.split(" ")
    if name in organisations or len(words) < 2 or words[-1].lower() in ORGANISATION_WORDS:
        return name
    if "," in name:  # already "Surname, Given"
        return name
    suffix = ""
    if words[-1].rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv"} and len(words) > 2:
        suffix = ", " + words.pop()
    # surname particles stay with the surname: "van Rossum, Guido", "de la Cruz, Ana"
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in {"van", "von", "de", "del", "della", "der", "den", "la", "le", "du", "da", "di", "bin", "ibn"}:
        i -= 1
    return f"{' '.join(words[i:])}, {' '.join(words[:i])}{suffix}"


def book_uuid(name: str) -> str:
    """A stable ``urn:uuid`` for the book (UUID 5 of its name; never random)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def w3c_datetime(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def manifest_ids(entries: list[ManifestEntry]) -> None:
    """Give each entry a readable, unique XML id derived from its path."""
    seen: set[str] = set()
    for entry in entries:
        base = "x-" + re.sub(r"[^A-Za-z0-9._-]+", "-", entry.href).strip("-")
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}-{n}"
        seen.add(candidate)
        entry.id = candidate


#: The OPF, navigation and NCX templates (``*_t``, as Sphinx names its own EPUB templates).
TEMPLATES = Path(__file__).with_name("templates")


def _templates() -> jinja2.Environment:
    """The templates' environment: no autoescape (every value is escaped with ``|esc``,
    :func:`html.escape`, whose entities the EPUB has always used), block tags leave no line.
    Made for each file (four per book: no cache kept between builds)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["esc"] = esc
    return env


def _render(name: str, **context: object) -> str:
    return _templates().get_template(name).render(**context)


def package_document(
    meta: Metadata,
    manifest: list[ManifestEntry],
    spine: list[tuple[str, bool]],
    guide: list[tuple[str, str, str]],
    cover_id: str = "",
) -> str:
    """The OPF package document (EPUB 3.3 with EPUB 2 fallbacks for old readers): ``content.opf_t``."""
    sufficient = [",".join(meta.access_modes)]
    if meta.access_modes != ["textual"] and "alternativeText" in meta.features:
        sufficient.append("textual")
    ids = {e.href: e.id for e in manifest}
    return _render(
        "content.opf_t", meta=meta, manifest=manifest, spine=spine, guide=guide, cover_id=cover_id,
        sufficient=sufficient, ids=ids, ncx=ids.get("toc.ncx"), conforms_to=CONFORMS_TO, file_as=file_as,
    )


def xhtml_page(lang: str, title: str, body: str, css: str, body_type: str = "") -> str:
    """One XHTML page of the EPUB's own (cover, index): ``page.xhtml_t``."""
    return _render("page.xhtml_t", lang=lang, title=title, body=body, css=css, body_type=body_type)


def nav_document(
    lang: str, toc_title: str, toc: list[NavItem], landmarks: list[tuple[str, str, str]], css: str,
    page_list: list[NavItem] | None = None,
) -> str:
    """The EPUB 3 navigation document (``nav.xhtml_t``): the full table of contents, the
    landmarks and, when the book has print page numbers, the page list (hidden: reading
    systems offer it as "go to page")."""
    return _render(
        "nav.xhtml_t", lang=lang, title=toc_title, toc=toc, landmarks=landmarks, css=css,
        page_list=page_list, body_type="frontmatter",
    )


@dataclass
class _NavPoint:
    """One ``navPoint`` of the NCX: its number, its play order and its target."""

    n: int
    order: int
    text: str
    href: str
    children: list[_NavPoint]


def ncx_document(identifier: str, title: str, lang: str, toc: list[NavItem]) -> str:
    """The EPUB 2 ``toc.ncx`` for reading systems that still use it (older Kobo, ADE): ``toc.ncx_t``."""
    counter = [0]
    orders: dict[str, int] = {}  # one playOrder per target: points to the same place share it

    def first_href(item: NavItem) -> str:
        return item.href or next((h for c in item.children if (h := first_href(c))), "")

    def points(items: list[NavItem]) -> list[_NavPoint]:
        out = []
        for item in items:
            counter[0] += 1
            n = counter[0]
            href = first_href(item)  # a part without a page of its own: its first chapter
            if href not in orders:
                orders[href] = len(orders) + 1
            out.append(_NavPoint(n, orders[href], item.text, href, points(item.children)))
        return out

    depth = max((i.depth() for i in toc), default=1)
    return _render("toc.ncx_t", identifier=identifier, title=title, lang=lang, depth=depth, points=points(toc))


def write_zip(target: Path, root: Path, files: list[str], epoch: int) -> None:
    """Zip an EPUB reproducibly (:mod:`press.reprozip`): ``mimetype`` first and stored, then
    ``files`` of ``root`` in the given order (images and fonts stored: they are compressed
    already)."""
    entries = [("mimetype", b"application/epub+zip")] + [(name, (root / name).read_bytes()) for name in files]
    reprozip.write_zip(target, entries, epoch, stored=("mimetype",), store_packed=True)
