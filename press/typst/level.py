"""Facing pages end level: a bounded stretch of the gaps on a page that ends short.

Publishers set a spread's two pages to end at the same height (LaTeX's ``\\flushbottom``:
the space between paragraphs and above headings stretches, by a bounded amount).  Typst's
stretchable space (``v(1fr)``) has no upper bound: it opened gaps of 90-227 pt mid-page.  So
the builder measures, then adjusts:

1. the translator numbers the gaps of every section's flow (``#press-gap(n)``, none after a
   heading, a rubric or a lead-in line), and, at half the weight, the gaps between the blocks
   of a box, between works cited and between bibliography entries; the first compile says
   where each gap fell (``press-gap-map`` in ``book.typ``: page and height; a mark sits after
   its space) and where each page's footnote area starts (a mark in each note's entry), and
   the PDF says where each page's content ends (its last baseline, or the foot of a box or
   image below it, above the footer, read with PDFium; on a page with notes, the body's:
   the lowest content above the notes, which sit at the foot however high the body stops);
2. on each spread inside a chapter (neither page an opener, blank, or before one) the page
   that ends higher gets space added to its gaps, shared by weight (a gap above a heading
   counts one and a half): at most :data:`PER_GAP` lines per weight while that levels the
   spread, else more, still by weight, but never more than :data:`MOST` lines in one gap (a
   page with few gaps), never more than the page has room for (the text block's foot, or
   the top of its notes): its content does not change, only where its blocks sit.  A page
   whose foot holds notes shows its end at the foot: its body is filled down to its notes,
   and its facing page down to the foot (publishers run the body to the footnote rule);
3. the book is compiled again with those gaps filled (``#press-gap(n, fill: ...)``; the
   compiler's memoised layout makes this pass cheaper than the first) and checked: every gap
   on the same page, every page ending where it did plus the space it was given (no line
   moved to another page: a paragraph split at a page's foot, widow-controlled, may or may
   not take the space, nor may a page whose foot holds a footnote's reference; every page's
   notes where they were); the pages whose make-up changed are left as they were, a gap
   whose space Typst did not set (the head of the flow under a float at the page's top)
   gives its share to the page's other gaps, and the book is compiled again (at most
   :data:`ATTEMPTS` times, then the first layout is kept).

Everything is computed from the first layout only (no state from an earlier build): the
same source gives the same PDF, whole or from ``make book``.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

#: PDFium is not thread-safe (pypdfium2: one call at a time per process), and the PDF by pieces
#: levels its pieces in parallel threads: every use of it here holds this lock (without it,
#: two pieces read at once crashed the build with a segmentation fault)
PDFIUM = threading.Lock()

GAP = re.compile(r"#press-gap\((\d+)(, weight: ([\d.]+))?\)")
#: this many body lines of extra space per gap (per unit of weight), at most, while that is enough
PER_GAP = 0.5
#: a page with few gaps (or a long way short) takes more, by weight, but no gap more than this
#: many lines: a gap opened wider mid-page reads as a hole (LaTeX's limited glue)
MOST = 1.0
#: smaller differences between facing pages are left alone (in lines)
LEAVE = 0.25
#: room kept free at the foot of a filled page (pt)
SAFETY = 1.0
#: compiles with space added, at most (the next leaves out the pages whose make-up changed:
#: Typst's page breaks near a footnote or a kept-together block do not always take a few
#: points more; and shares again the space of a gap Typst did not set)
ATTEMPTS = 3


def gap_map(query: Callable[..., str]) -> dict[str, Any] | None:
    try:
        data = json.loads(query("<press-gaps>", field="value", one=True))
    except Exception:  # noqa: BLE001 - no gap map (an older template, a design without it): no levelling
        return None
    return data if isinstance(data, dict) and data.get("gaps") else None


def notes_tops(data: dict[str, Any]) -> dict[int, float]:
    """The top of each page's footnote area, from the top of the page (pt): ``{page: y}``, for
    the pages whose foot holds notes (``press-gap-map``: a note's first entry there)."""
    return {int(page): float(y) for page, y in data.get("notes", [])}


def rooms(data: dict[str, Any], page_height: float) -> dict[int, float]:
    """Where each page's body can end at most, from the top (pt): the text block's foot, or the
    top of the page's footnote area (``{page: y}`` for the pages that differ from the foot)."""
    limit = page_height - float(data["bottom"])
    return {p: min(y, limit) for p, y in notes_tops(data).items()}


def content_ends(pdf: bytes, bottom_margin: float, notes: dict[int, float] | None = None) -> list[float | None]:
    """Each page's lowest content above the footer, from the top of the page (pt): the last
    line's baseline, or the foot of a box, rule or image below it; ``None`` for a blank page.
    On a page with notes (``notes``: ``{page: the top of its footnote area}``) the body's: the
    lowest content above the footnote area (the notes, at the foot, are not the body's end)."""
    with PDFIUM:
        return _content_ends(pdf, bottom_margin, notes or {})


def _content_ends(pdf: bytes, bottom_margin: float, notes: dict[int, float]) -> list[float | None]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(pdf)
    out: list[float | None] = []
    try:
        for number, page in enumerate(doc, start=1):
            height = page.get_height()
            low = None
            below = notes.get(number)
            for obj in page.get_objects(max_depth=0):
                _, b, _, t = obj.get_bounds()
                if height - t >= height - bottom_margin:  # the folio, below the text block
                    continue
                if below is not None and height - t >= below:  # the separator and the notes
                    continue
                if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:  # a line of text ends at its baseline
                    b = obj.get_matrix().f  # (as Typst sets it: its descenders hang below the block)
                low = max(low or 0.0, height - b)
            out.append(low)
            page.close()
    finally:
        doc.close()
    return out


def plan(data: dict[str, Any], ends: list[float | None], page_height: float, weights: dict[int, float],
         skip: set[int] | frozenset[int] = frozenset()) -> dict[int, float]:
    """The space (pt) to add at each gap: ``{gap number: pt}`` (none at a gap in ``skip``)."""
    pitch = float(data["pitch"])
    limit = page_height - float(data["bottom"])  # the foot of the text block, from the top
    room = rooms(data, page_height)  # (a page with notes: its body ends above them)
    openers = set(data.get("openers", []))
    n = len(ends)
    on_page: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for gid, page, y in data["gaps"]:
        on_page[int(page)].append((float(y), int(gid)))
    top = float(data["top"])  # the head of the text block: a gap there opens its page

    def inside(p: int) -> bool:  # a text page the next page continues (1-based)
        return (1 <= p < n and ends[p - 1] is not None and ends[p] is not None
                and p not in openers and p + 1 not in openers)

    fills: dict[int, float] = {}
    for verso in range(2, n, 2):
        recto = verso + 1
        if not (inside(verso) and inside(recto)):
            continue
        # how far each page's body ends short of its room (the text block's foot, or the top of
        # its notes); a page with notes shows its end at the foot (its notes end there): the
        # spread's pages are filled to end as high as the one that shows the lower end
        short = {p: room.get(p, limit) - float(ends[p - 1] or 0.0) for p in (verso, recto)}
        level_at = min(0.0 if p in room else short[p] for p in (verso, recto))
        for page in (verso, recto):
            want = min(short[page] - level_at, short[page] - SAFETY)
            if want < LEAVE * pitch:
                continue
            seen: set[float] = set()
            gaps = []
            for y, gid in sorted(on_page.get(page, [])):
                if y <= top + 0.5 or y in seen or gid in skip:  # the page's first block; two marks in one gap
                    seen.add(y)
                    continue
                seen.add(y)
                gaps.append((gid, weights.get(gid, 1)))
            for gid, pt in share(want, gaps, pitch).items():
                fills[gid] = math.floor(pt * 100) / 100  # (rounded down: never past the room)
    return fills


def share(want: float, gaps: list[tuple[int, float]], pitch: float) -> dict[int, float]:
    """``want`` pt shared among ``gaps`` (``(gap, weight)``) by weight, at most :data:`PER_GAP`
    lines per unit of weight; a page whose gaps cannot take it so (a page with few gaps) takes
    more, still by weight, but never more than :data:`MOST` lines in one gap."""
    total = sum(w for _, w in gaps)
    if not total or want <= 0:
        return {}
    most = MOST * pitch
    unit = want / total
    if unit > PER_GAP * pitch:  # the most that levels: raise the unit until each gap is full
        unit = PER_GAP * pitch
        while True:
            full = [w for _, w in gaps if unit * w >= most]
            free = sum(w for _, w in gaps if unit * w < most)
            if not free:
                break
            nxt = (want - most * len(full)) / free
            if nxt <= unit + 1e-9 or all(nxt * w <= most for _, w in gaps if unit * w < most):
                unit = max(unit, nxt)
                break
            unit = min(most / w for _, w in gaps if unit * w < most)  # the next gap to fill up
    return {gid: min(unit * w, most) for gid, w in gaps}


def filled(source: str, fills: dict[int, float]) -> str:
    def fill(m: re.Match[str]) -> str:
        pt = fills.get(int(m.group(1)))
        return m.group(0) if pt is None else f"{m.group(0)[:-1]}, fill: {pt}pt)"
    return GAP.sub(fill, source)


def pages_of(data: dict[str, Any]) -> dict[int, int]:
    return {int(g[0]): int(g[1]) for g in data["gaps"]}


def level(source_path: Path, pdf: bytes, compile_: Callable[[Path], bytes], query: Callable[..., str],
          then: Callable[[], T]) -> tuple[bytes, dict[str, Any], T]:
    """The PDF with facing pages ended level: ``(pdf, report, then())``.  ``compile_(path)``
    compiles a Typst file beside ``source_path`` (the same compiler: its layout is memoised),
    ``query`` asks the compiler about the last document it compiled, and ``then`` is called
    while the compiler's last document is the PDF's (its file still there: a query reads it)."""
    pdf, report, tmp = _level(source_path, pdf, compile_, query)
    try:
        return pdf, report, then()
    finally:
        tmp.unlink(missing_ok=True)


def _level(source_path: Path, pdf: bytes, compile_: Callable[[Path], bytes],
           query: Callable[..., str]) -> tuple[bytes, dict[str, Any], Path]:
    report: dict[str, Any] = {"gaps": 0, "filled": 0, "passes": 1}
    tmp = source_path.with_name(f".press-level-{source_path.name}")
    data = gap_map(query)
    if data is None:
        return pdf, report, tmp
    ends = content_ends(pdf, float(data["bottom"]), notes_tops(data))
    height = _height(pdf)
    source = source_path.read_text(encoding="utf-8")
    weights = {int(m.group(1)): float(m.group(3) or 1) for m in GAP.finditer(source)}
    fills = plan(data, ends, height, weights)
    report["gaps"] = len(data["gaps"])
    if not fills:
        return pdf, report, tmp
    before = pages_of(data)
    skip: set[int] = set()  # gaps Typst gave no space
    dropped: set[int] = set()  # pages kept as they were
    try:
        for _ in range(ATTEMPTS):
            tmp.write_text(filled(source, fills), encoding="utf-8")
            out = compile_(tmp)
            report["passes"] += 1
            after = gap_map(query)
            moved = {before[g] for g, p in (pages_of(after) if after else {}).items() if before.get(g) != p}
            given: dict[int, float] = defaultdict(float)
            for g, pt in fills.items():
                given[before[g]] += pt
            now = content_ends(out, float(data["bottom"]), notes_tops(after) if after else None)
            if after is None or len(now) != len(ends):
                moved |= set(range(1, len(ends) + 1))
            else:  # a page whose notes changed (a note's reference moved to the next page)
                was, got = notes_tops(data), notes_tops(after)
                moved |= {p for p in set(was) | set(got) if abs(was.get(p, -1.0) - got.get(p, -1.0)) > 0.5}
            off = {i + 1 for i, (a, b) in enumerate(zip(ends, now))
                   if (a is None) != (b is None) or (a is not None and b is not None
                                                     and abs(b - a - given.get(i + 1, 0.0)) > 0.5)}
            if not moved and not off:
                report["filled"] = len(fills)
                return out, report, tmp
            # a page whose make-up changed keeps its first layout, and so does the page before
            # it; a page that ended elsewhere only because Typst set a gap's space at the head of
            # its flow (under a float at the page's top) shares it among its other gaps; the
            # others are tried again as they were
            moved |= {p - 1 for p in moved}
            unset = _unset(data, after, fills, off - moved) if after is not None else set()
            skip |= unset
            dropped |= moved | off - {before[g] for g in unset}
            dropped |= {p - 1 for p in off - {before[g] for g in unset}}
            kept = {before[g] for g in fills if before.get(g) in dropped}
            report["kept"] = sorted(set(report.get("kept", [])) | kept)
            fills = {g: pt for g, pt in plan(data, ends, height, weights, skip).items() if before.get(g) not in dropped}
            if not fills:
                break
        compile_(source_path)  # the first layout: the compiler's last document is the PDF's
        report["passes"] += 1
        return pdf, report, tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _unset(data: dict[str, Any], after: dict[str, Any], fills: dict[int, float], pages: set[int]) -> set[int]:
    """The gaps on ``pages`` whose space Typst did not set: a gap's mark (placed after its space)
    moved by less than that space more than the mark above it (the flow's first block under a
    float at the page's top starts where the float leaves off, its spacing dropped)."""
    was = {int(g): (int(p), float(y)) for g, p, y in data["gaps"]}
    now = {int(g): (int(p), float(y)) for g, p, y in after["gaps"]}
    out: set[int] = set()
    for page in pages:
        shifted = 0.0
        for y, g in sorted((was[g][1], g) for g in fills if was[g][0] == page):
            if now.get(g, (0, 0.0))[0] != page:
                break
            shift = now[g][1] - y
            if shift - shifted < fills[g] - 0.5:
                out.add(g)
            shifted = shift
    return out


def _height(pdf: bytes) -> float:
    import pypdfium2 as pdfium

    with PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            return float(doc[len(doc) // 2].get_height())
        finally:
            doc.close()
