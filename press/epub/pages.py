"""The print edition's page numbers in the EPUB: page-break markers and a ``page-list``.

Where print page N begins, the XHTML gets an invisible marker::

    <span epub:type="pagebreak" role="doc-pagebreak" id="page-N" aria-label="N"/>

(``N`` is the printed number: ``i``, ``ii``… in the front matter; ``press-page-N`` when a
page already has an id ``page-N``), and the navigation document lists every marker in a
hidden ``<nav epub:type="page-list">``, so a reading system can show "page 42" and go to
it.  The numbers come from the PDF of the same build (:mod:`press.pagemap`).

**Precision.**  The PDF tells where each element with an id lies (headings, figures,
tables, code, equations, glossary terms, link targets, the start and end of each
document).  A page that begins at such an element (a chapter opener, a page whose first
line is a heading) gets its marker right before it, exactly.  A page that begins inside
running text gets its marker at the word where it most likely begins: its place between the
two labelled elements around it, by the share of the print space between them, applied to
the text between them; so near but not always on the first word of the page (within a
paragraph or two where figures or code take much space).  Markers are always in reading
order and in increasing page order.  Pages that exist only in print — cover, title,
copyright and contents pages, the printed index — and floating figures and tables (placed
where they fit in print) are not used; a blank page before a chapter opener shares the
opener's place.

Markers are inserted into the written pages before packaging (old ones are removed first,
so incremental builds do not pile them up).  Without a page map (``press build epub`` alone
after the sources changed) there are no markers and no page list: an info line says why.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..typstmarkup import END_ID, label
from .package import NavItem

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
#: where text is not counted and no marker goes (formulas, drawings, footnote pop-ups)
SKIP_TAGS = {f"{{{XHTML_NS}}}{t}" for t in ("aside", "script", "style", "head", "title", "textarea", "option")}
HEADINGS = {f"{{{XHTML_NS}}}h{n}" for n in range(1, 7)}
#: a page that would begin this close (in characters) before a labelled element begins at it
SNAP = 60
_ID_BAD = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class Page:
    """One XHTML page of the EPUB, parsed: its text in reading order and its ids' places."""

    name: str
    doc: str
    tree: Any
    slots: list[tuple[Any, str, int]] = field(default_factory=list)  # (element, "text"/"tail", start)
    ids: dict[str, int] = field(default_factory=dict)  # id -> offset in the text
    all_ids: set[str] = field(default_factory=set)
    length: int = 0
    stripped: bool = False

    def text_of(self, slot: int) -> str:
        el, attr, _ = self.slots[slot]
        return getattr(el, attr) or ""


_XHTML_TAG = f"{{{XHTML_NS}}}"


def read_page(path: Path, name: str, doc: str) -> Page | None:
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError):
        return None  # reported by the builder's own read-back
    page = Page(name, doc, tree)
    root = tree.getroot()
    for old in root.xpath('//*[@role="doc-pagebreak"]'):  # markers of an earlier build
        parent = old.getparent()
        tail = old.tail or ""
        following = old.getnext()
        if tail == "\n" and following is not None and following.tag in HEADINGS:
            tail = ""  # the line break _insert put between a marker and its heading: the exact inverse
        prev = old.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(old)
        page.stripped = True
    page.all_ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    body = root.find(f"{{{XHTML_NS}}}body")
    if body is None:
        return page
    count = 0

    def walk(el: Any) -> None:
        nonlocal count
        if el.get("id") and el.get("id") not in page.ids:
            page.ids[el.get("id")] = count
        if el.text:
            page.slots.append((el, "text", count))
            count += len(el.text)
        for child in el:
            tag = child.tag  # (lxml makes a new string at each .tag)
            if isinstance(tag, str) and tag not in SKIP_TAGS and tag.startswith(_XHTML_TAG):
                walk(child)
            if child.tail:
                page.slots.append((child, "tail", count))
                count += len(child.tail)

    walk(body)
    page.length = count
    return page


def _lnds(values: list[float]) -> list[int]:
    """Indices of a longest non-decreasing subsequence of ``values``."""
    tails: list[float] = []
    tail_idx: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_right(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    out = []
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        out.append(i)
        i = prev[i]
    return out[::-1]


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _from_roman(text: str) -> int | None:
    values = dict((s, v) for v, s in _ROMAN if len(s) == 1)
    total, last = 0, 0
    for ch in reversed(text.lower()):
        if ch not in values:
            return None
        v = values[ch]
        total = total - v if v < last else total + v
        last = max(last, v)
    return total


def _to_roman(n: int, upper: bool) -> str:
    out = ""
    for v, s in _ROMAN:
        while n >= v:
            out, n = out + s, n - v
    return out.upper() if upper else out


def next_label(text: str, steps: int) -> str | None:
    """The printed number ``steps`` pages after ``text`` (arabic or roman), else ``None``."""
    if text.isdigit():
        return str(int(text) + steps)
    value = _from_roman(text)
    if value:
        return _to_roman(value + steps, text.isupper())
    return None


def page_labels(data: dict[str, Any]) -> dict[int, str]:
    """Printed number of every page from the first to the last page with a labelled element."""
    known = {int(k): str(v) for k, v in data.get("pages", {}).items()}
    out: dict[int, str] = {}
    if not known:
        return out
    last = None
    for p in range(min(known), max(known) + 1):
        if p in known:
            last = p
            out[p] = known[p]
        elif last is not None:
            guess = next_label(known[last], p - last)
            if guess:
                out[p] = guess
    return out


def place_markers(outdir: Path, docs: list[str], suffix: str, data: dict[str, Any] | None) -> list[NavItem]:
    """Insert the page-break markers into the written pages of ``docs`` (reading order) and
    return the page list; with ``data=None`` only remove markers of an earlier build."""
    return place(outdir, read_pages(outdir, docs, suffix), data)


def read_pages(outdir: Path, docs: list[str], suffix: str) -> list[Page]:
    """The written pages of ``docs`` (reading order), parsed, an earlier build's markers
    removed (in memory: nothing is written until :func:`place`)."""
    pages: list[Page] = []
    for doc in docs:
        page = read_page(outdir / (doc + suffix), doc + suffix, doc)
        if page is not None:
            pages.append(page)
    return pages


def place(outdir: Path, pages: list[Page], data: dict[str, Any] | None) -> list[NavItem]:
    """:func:`place_markers` on pages already read (:func:`read_pages`)."""
    result: list[NavItem] = []
    targets: dict[int, list[Any]] = {}  # page index -> [(offset, printed number, id)]
    if data:
        result = _plan(pages, data, targets)
    for i, page in enumerate(pages):
        marks = targets.get(i, [])
        if marks:
            _insert(page, marks)
            etree.cleanup_namespaces(page.tree)
        if marks or page.stripped:
            page.tree.write(str(outdir / page.name), encoding="utf-8", xml_declaration=True)
    return result


def _plan(pages: list[Page], data: dict[str, Any], targets: dict[int, list[Any]]) -> list[NavItem]:
    anchors = {a[0]: (int(a[1]), float(a[2]), bool(a[3])) for a in data.get("anchors", [])}
    height = float(data.get("height") or 0) or max((a[1] for a in anchors.values()), default=1.0) or 1.0
    top = min((a[1] for a in anchors.values() if not a[2]), default=0.0)
    labels = page_labels(data)

    def flow(page_no: int, y: float) -> float:
        return page_no + y / height

    # points: (flow position, page index, offset), in reading order
    points: list[tuple[float, int, int]] = []
    for i, page in enumerate(pages):
        doc = page.doc
        mine = []
        for id_, offset in sorted(page.ids.items(), key=lambda kv: kv[1]):
            a = anchors.get(label(doc, id_))
            if a and not a[2]:
                mine.append((flow(a[0], a[1]), i, offset))
        opener = anchors.get(label(doc)) or (anchors.get(label(doc, next(iter(page.ids), ""))) if page.ids else None)
        first_page = opener[0] if opener else (int(mine[0][0]) if mine else None)
        if first_page is None:
            continue
        points.append((flow(first_page, top), i, 0))  # the page starts at the top of its opener
        points += mine
        end = anchors.get(label(doc, END_ID))
        if end:
            points.append((flow(end[0], end[1]), i, page.length))
    if not points:
        return []
    points = [points[k] for k in _lnds([p[0] for p in points])]
    flows = [p[0] for p in points]

    for page_no in sorted(labels):
        start = flow(page_no, top)
        k = bisect.bisect_left(flows, start)  # first point at or after the page's start
        if k == len(points):
            break  # after the last labelled element: the printed index
        if k == 0:
            if int(flows[0]) != page_no:
                continue  # print-only front matter
            where = (points[0][1], points[0][2])
        else:
            (f0, i0, o0), (f1, i1, o1) = points[k - 1], points[k]
            if i0 != i1 or f1 <= f0:
                where = (i1, o1)  # between documents (a blank page before an opener too)
            else:
                offset = o0 + (start - f0) / (f1 - f0) * (o1 - o0)
                where = (i1, o1) if o1 - offset < SNAP else (i0, _word_start(pages[i0], int(offset), o1))
        targets.setdefault(where[0], []).append((where[1], labels[page_no]))

    result = []
    for i, marks in targets.items():
        pages_ids = pages[i].all_ids
        named = []
        for offset, text in marks:
            base = _ID_BAD.sub("-", text)
            id_ = f"page-{base}"
            n = 1
            while id_ in pages_ids:
                n += 1
                id_ = f"press-page-{base}" if n == 2 else f"press-page-{base}-{n}"
            pages_ids.add(id_)
            named.append((offset, text, id_))
        targets[i] = named
    for i in sorted(targets):
        for offset, text, id_ in sorted(targets[i], key=lambda m: m[0]):
            result.append(NavItem(text, f"{pages[i].name}#{id_}"))
    return result


def _word_start(page: Page, offset: int, limit: int) -> int:
    """The start of the first word at or after ``offset`` (not beyond ``limit``)."""
    starts = [s for _, _, s in page.slots]
    k = max(0, bisect.bisect_right(starts, offset) - 1)
    while k < len(page.slots):
        text, start = page.text_of(k), page.slots[k][2]
        for p in range(max(0, offset - start), len(text)):
            if not text[p].isspace() and (p == 0 or text[p - 1].isspace()):
                return min(start + p, limit)
        k += 1
    return limit


def _insert(page: Page, marks: list[Any]) -> None:
    """Put the markers at their offsets: before the first character of text at or after each."""
    starts = [s for _, _, s in page.slots]
    groups: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for offset, text, id_ in sorted(marks, key=lambda m: m[0]):
        k = max(0, bisect.bisect_right(starts, offset) - 1)
        spot = None
        while k < len(page.slots):
            t, start = page.text_of(k), page.slots[k][2]
            p = next((q for q in range(max(0, offset - start), len(t)) if not t[q].isspace()), None)
            if p is not None:
                spot = (k, p)
                break
            k += 1
        if spot is None:  # nothing after it: the end of the body
            spot = (-1, 0)
        groups.setdefault(spot, []).append((text, id_))
    body = page.tree.getroot().find(f"{{{XHTML_NS}}}body")
    for (k, p), items in sorted(groups.items(), reverse=True):
        spans = [_span(text, id_) for text, id_ in items]
        if k == -1:
            for s in spans:
                body.append(s)
            continue
        el, attr, _ = page.slots[k]
        text = getattr(el, attr) or ""
        head = el
        if attr == "text" and p == 0 and el.tag not in HEADINGS and el.getparent() is not None \
                and el.getparent().tag in HEADINGS and not (el.getparent().text or "").strip() \
                and el.getparent().index(el) == 0:
            head = el.getparent()  # the heading's first words are its "Chapter 3" label
        if attr == "text" and p == 0 and head.tag in HEADINGS and head.getparent() is not None \
                and head.getparent().tag != f"{{{XHTML_NS}}}hgroup":
            parent = head.getparent()  # before a heading, not inside it
            at = parent.index(head)
            for n, s in enumerate(spans):
                s.tail = None
                parent.insert(at + n, s)
            spans[-1].tail = "\n"
            continue
        setattr(el, attr, text[:p] or None)
        spans[-1].tail = text[p:]
        if attr == "text":
            for n, s in enumerate(spans):
                el.insert(n, s)
        else:
            parent = el.getparent()
            at = parent.index(el) + 1
            for n, s in enumerate(spans):
                parent.insert(at + n, s)


def _span(text: str, id_: str) -> Any:
    span = etree.Element(f"{{{XHTML_NS}}}span", nsmap={"epub": EPUB_NS})
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", id_)
    span.set("aria-label", text)
    return span


#: the label of the printed index's first page in the page map (press-index-chapter, book.typ)
INDEX_LABEL = "d.genindex"


def index_marker(outdir: Path, name: str, data: dict[str, Any] | None) -> NavItem | None:
    """A page-break marker for the printed index's first page, before the heading of the
    EPUB's own index page ``name`` (written after the other markers), and its page-list entry."""
    if not data:
        return None
    anchor = next((a for a in data.get("anchors", []) if a[0] == INDEX_LABEL), None)
    if anchor is None:
        return None
    text = page_labels(data).get(int(anchor[1]))
    page = read_page(outdir / name, name, name) if text else None
    if page is None:
        return None
    id_ = f"page-{_ID_BAD.sub('-', text)}"
    if id_ in page.all_ids:
        id_ = "press-" + id_
    _insert(page, [(0, text, id_)])
    etree.cleanup_namespaces(page.tree)
    page.tree.write(str(outdir / name), encoding="utf-8", xml_declaration=True)
    return NavItem(text, f"{name}#{id_}")
