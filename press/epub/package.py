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


def package_document(
    meta: Metadata,
    manifest: list[ManifestEntry],
    spine: list[tuple[str, bool]],
    guide: list[tuple[str, str, str]],
    cover_id: str = "",
) -> str:
    """The OPF package document (EPUB 3.3 with EPUB 2 fallbacks for old readers)."""
    m = ['<?xml version="1.0" encoding="UTF-8"?>']
    m.append(
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" xml:lang="{esc(meta.language)}" '
        f'unique-identifier="book-id">'
    )
    m.append('  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">')
    m.append(f'    <dc:identifier id="book-id">{esc(meta.identifier)}</dc:identifier>')
    for i, other in enumerate(meta.other_identifiers, 1):
        m.append(f'    <dc:identifier id="book-id-{i}">{esc(other)}</dc:identifier>')
    m.append(f'    <dc:title id="title">{esc(meta.title)}</dc:title>')
    m.append('    <meta refines="#title" property="title-type">main</meta>')
    if meta.subtitle:
        m.append(f'    <dc:title id="subtitle">{esc(meta.subtitle)}</dc:title>')
        m.append('    <meta refines="#subtitle" property="title-type">subtitle</meta>')
    for i, author in enumerate(meta.authors, 1):
        m.append(f'    <dc:creator id="creator{i}">{esc(author)}</dc:creator>')
        m.append(f'    <meta refines="#creator{i}" property="role" scheme="marc:relators">aut</meta>')
        m.append(f'    <meta refines="#creator{i}" property="file-as">{esc(file_as(author, meta.organisations))}</meta>')
        m.append(f'    <meta refines="#creator{i}" property="display-seq">{i}</meta>')
    m.append(f"    <dc:language>{esc(meta.language)}</dc:language>")
    if meta.publisher:
        m.append(f"    <dc:publisher>{esc(meta.publisher)}</dc:publisher>")
    if meta.description:
        m.append(f"    <dc:description>{esc(meta.description)}</dc:description>")
    for subject in meta.subjects:
        m.append(f"    <dc:subject>{esc(subject)}</dc:subject>")
    if meta.rights:
        m.append(f"    <dc:rights>{esc(meta.rights)}</dc:rights>")
    if meta.date:
        m.append(f"    <dc:date>{esc(meta.date)}</dc:date>")
    if meta.page_source:
        m.append(f'    <dc:source id="print-source">{esc(meta.page_source)}</dc:source>')
        m.append('    <meta refines="#print-source" property="source-of">pagination</meta>')
    m.append(f'    <meta property="dcterms:modified">{esc(meta.modified)}</meta>')
    # EPUB Accessibility 1.1 (schema.org accessibility properties)
    for mode in meta.access_modes:
        m.append(f'    <meta property="schema:accessMode">{esc(mode)}</meta>')
    sufficient = [",".join(meta.access_modes)]
    if meta.access_modes != ["textual"] and "alternativeText" in meta.features:
        sufficient.append("textual")
    for mode in sufficient:
        m.append(f'    <meta property="schema:accessModeSufficient">{esc(mode)}</meta>')
    for feature in meta.features:
        m.append(f'    <meta property="schema:accessibilityFeature">{esc(feature)}</meta>')
    m.append('    <meta property="schema:accessibilityHazard">none</meta>')
    if meta.summary:
        m.append(f'    <meta property="schema:accessibilitySummary">{esc(meta.summary)}</meta>')
    if meta.conforms:
        m.append(f'    <meta property="dcterms:conformsTo">{CONFORMS_TO}</meta>')
        if meta.publisher:
            m.append(f'    <meta property="a11y:certifiedBy">{esc(meta.publisher)}</meta>')
    if cover_id:
        m.append(f'    <meta name="cover" content="{esc(cover_id)}"/>')
    m.append("  </metadata>")
    m.append("  <manifest>")
    for e in manifest:
        props = f' properties="{" ".join(sorted(e.properties))}"' if e.properties else ""
        m.append(f'    <item id="{e.id}" href="{esc(e.href)}" media-type="{e.media_type}"{props}/>')
    m.append("  </manifest>")
    ids = {e.href: e.id for e in manifest}
    ncx = ids.get("toc.ncx")
    toc_attr = f' toc="{ncx}"' if ncx else ""
    m.append(f'  <spine{toc_attr} page-progression-direction="ltr">')
    for href, linear in spine:
        nonlinear = "" if linear else ' linear="no"'
        m.append(f'    <itemref idref="{ids[href]}"{nonlinear}/>')
    m.append("  </spine>")
    if guide:
        m.append("  <guide>")
        for kind, title, href in guide:
            m.append(f'    <reference type="{esc(kind)}" title="{esc(title)}" href="{esc(href)}"/>')
        m.append("  </guide>")
    m.append("</package>")
    return "\n".join(m) + "\n"


def xhtml_page(lang: str, title: str, body: str, css: str, body_type: str = "") -> str:
    epub_type = f' epub:type="{esc(body_type)}"' if body_type else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{esc(lang)}" xml:lang="{esc(lang)}">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{esc(css)}" />\n</head>\n'
        f"<body{epub_type}>\n{body}\n</body>\n</html>\n"
    )


def _nav_list(items: list[NavItem], indent: str) -> str:
    out = [f"{indent}<ol>"]
    for item in items:
        # a heading without a page of its own (a toctree caption): a span over its entries
        link = f'<a href="{esc(item.href)}">{esc(item.text)}</a>' if item.href else f"<span>{esc(item.text)}</span>"
        if item.children:
            out.append(f"{indent}  <li>{link}")
            out.append(_nav_list(item.children, indent + "    "))
            out.append(f"{indent}  </li>")
        else:
            out.append(f"{indent}  <li>{link}</li>")
    out.append(f"{indent}</ol>")
    return "\n".join(out)


def nav_document(
    lang: str, toc_title: str, toc: list[NavItem], landmarks: list[tuple[str, str, str]], css: str,
    page_list: list[NavItem] | None = None,
) -> str:
    """The EPUB 3 navigation document: the full table of contents, the landmarks and, when
    the book has print page numbers, the page list (hidden: reading systems offer it as
    "go to page")."""
    body = [
        '<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-title">',
        f'<h1 id="toc-title">{esc(toc_title)}</h1>',
        _nav_list(toc, ""),
        "</nav>",
        '<nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-title" hidden="hidden">',
        '<h2 id="landmarks-title">Landmarks</h2>',
        "<ol>",
    ]
    for kind, text, href in landmarks:
        body.append(f'  <li><a epub:type="{esc(kind)}" href="{esc(href)}">{esc(text)}</a></li>')
    body += ["</ol>", "</nav>"]
    if page_list:
        body += [
            '<nav epub:type="page-list" id="page-list" role="doc-pagelist" aria-labelledby="page-list-title" hidden="hidden">',
            '<h2 id="page-list-title">Pages</h2>',
            _nav_list(page_list, ""),
            "</nav>",
        ]
    return xhtml_page(lang, toc_title, "\n".join(body), css, body_type="frontmatter")


def ncx_document(identifier: str, title: str, lang: str, toc: list[NavItem]) -> str:
    """The EPUB 2 ``toc.ncx`` for reading systems that still use it (older Kobo, ADE)."""
    counter = [0]
    orders: dict[str, int] = {}  # one playOrder per target: points to the same place share it

    def first_href(item: NavItem) -> str:
        return item.href or next((h for c in item.children if (h := first_href(c))), "")

    def points(items: list[NavItem], indent: str) -> list[str]:
        out = []
        for item in items:
            counter[0] += 1
            n = counter[0]
            href = first_href(item)  # a part without a page of its own: its first chapter
            if href not in orders:
                orders[href] = len(orders) + 1
            out.append(f'{indent}<navPoint id="nav-{n}" playOrder="{orders[href]}">')
            out.append(f"{indent}  <navLabel><text>{esc(item.text)}</text></navLabel>")
            out.append(f'{indent}  <content src="{esc(href)}"/>')
            out += points(item.children, indent + "  ")
            out.append(f"{indent}</navPoint>")
        return out

    depth = max((i.depth() for i in toc), default=1)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="{esc(lang)}">',
        "  <head>",
        f'    <meta name="dtb:uid" content="{esc(identifier)}"/>',
        f'    <meta name="dtb:depth" content="{depth}"/>',
        '    <meta name="dtb:totalPageCount" content="0"/>',
        '    <meta name="dtb:maxPageNumber" content="0"/>',
        "  </head>",
        f"  <docTitle><text>{esc(title)}</text></docTitle>",
        "  <navMap>",
        *points(toc, "    "),
        "  </navMap>",
        "</ncx>",
    ]
    return "\n".join(lines) + "\n"


def write_zip(target: Path, root: Path, files: list[str], epoch: int) -> None:
    """Zip an EPUB reproducibly (:mod:`press.reprozip`): ``mimetype`` first and stored, then
    ``files`` of ``root`` in the given order."""
    entries = [("mimetype", b"application/epub+zip")] + [(name, (root / name).read_bytes()) for name in files]
    reprozip.write_zip(target, entries, epoch, stored=("mimetype",))
