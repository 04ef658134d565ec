"""The PDF by pieces: each part or level-1 chapter compiled as a Typst document of its own,
in parallel child processes, joined into one tagged PDF (:mod:`press.typst.merge`).

**Why.** Typst lays a document out whole in memory: a 600-page book peaks at ~670 MB in one
process.  Compiled by pieces, a compile process holds one part (~120 MB on the same book),
two cores compile two pieces at once, and after an edit only the pieces whose Typst source
or numbers changed are compiled again (a cache of each piece's PDF and page data, keyed by
the hash of its whole source: text, first page number, counters, and the pages of the labels
it points to in other pieces).

**How a piece continues the book.** The book's Typst source is cut at every level-1 heading
(part or chapter).  Parts, chapters and arabic page 1 open on a recto, so every piece starts
on an odd physical page, as it does in the book: inside/outside margins, ``pagebreak(to:)``
and running heads (all decided by the physical page within the document) come out as in the
whole book.  A piece with an odd number of pages is followed by a blank verso in the join.
Each piece is given (``book(piece: ...)`` in ``book.typ``) its first page number, the part,
chapter and footnote counters and chapter level where the previous piece ended, and the
printed page of every label it points to in another piece (``press-far``: the reference
prints that page and links to a ``press:<label>`` URI that the join turns into a GoTo).

**Passes.** Those numbers come from the pieces' own results (the last build's as a first
guess); the loop compiles the pieces whose inputs changed until the inputs are stable (as
LaTeX reruns; usually one pass after an edit, two cold), at most :data:`MAX_PASSES`, then
warns.  On a cold build a piece's first compile, with guessed numbers, is provisional: it
only tells the piece's page count and counters (not levelled, not cached), and the compile
with the right numbers that follows in the same process reuses its layout.  The index is the last piece, written from every piece's index entries; the front
matter (cover, title, copyright, contents, list of figures and tables) is compiled last, from
every piece's contents entries and captions, and goes first in the join.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typst

from ..typstmarkup import string
from . import level
from .worker import PDF_STANDARDS, Worker, _plain, _rebuilt
from .worker import close_pipes as worker_close_pipes
from .worker import start as worker_start

#: :mod:`press.typst.merge`, run by path (it imports pikepdf only)
MERGE = Path(__file__).resolve().with_name("merge.py")
#: where a piece starts: a level-1 heading (part or chapter), with its source marker
LEVEL1 = re.compile(r'^(?:/\*@ [^\n]*\*/\n)?#press-heading\(level: 1, kind: "(?:part|chapter)"\)', re.M)
#: references that can point into another piece (``press-xref`` and cards' ``target:``)
FAR_REF = re.compile(r"(?:press-xref\(|target: )<(d\.[^>]+)>")
#: the references among those that print the target's page (``pageref`` and cards); the
#: others only link to it, so whether the label is elsewhere matters to them, not its page
PRINTED_REF = re.compile(r"press-xref\(<(d\.[^>]+)>, pageref: true\)|target: <(d\.[^>]+)>")
#: what a piece is given for a label in another piece whose page it does not print (a
#: constant: the page moving does not change the piece's source, nor call for a recompile)
LINK_ONLY = ""
#: any other reference to a label (a repeated footnote: always in its own document)
OTHER_REF = re.compile(r"\(<(d\.[^>]+)>")
#: a label an element carries (not a reference)
DEFINED = re.compile(r"<(?<!\(<)(?<!target: <)(d\.[^>]+)>")  # ('<' first: 40x faster than lookbehinds first)
INDEX_LABEL = "d.genindex"
#: the front matter's piece: the join's first, whose catalog and metadata the book keeps
FRONT = "press-piece-front"
#: the book's date in the preamble (``book.with(pub-date: ...)``)
PUB_DATE = re.compile(r"pub-date: datetime\([^()]*\)")
CHAPTER_LEVEL = re.compile(r'#press-heading\(level: (\d+), kind: "chapter"\)')
PAGE = re.compile(rb"/Type\s*/Page\b")
MAX_PASSES = 4
#: how much Typst source (pieces that print a page of a later piece) the first pass keeps
#: in live compile processes until every piece is counted (about 450 MB of layouts at most)
PARKED_BYTES = 600_000
COUNTERS = ("part", "chapter", "footnote", "level")
#: the folder beside the doctrees (the last good build's state) that keeps each piece's PDF
#: and data by the hash of its source
CACHE = "press-pdf-pieces"


def typst_value(value: Any) -> str:
    """A Python value (str, int, float, bool, None, list, dict) as a Typst literal."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        return "(" + "".join(typst_value(v) + ", " for v in value) + ")"
    if isinstance(value, dict):
        if not value:
            return "(:)"
        return "(" + ", ".join(f"{string(str(k))}: {typst_value(v)}" for k, v in value.items()) + ")"
    raise TypeError(type(value))


#: ``press_pdf_pieces = "auto"`` compiles by pieces from this size of the Typst body on
#: (about 200 printed pages); a shorter book is compiled whole: its one compile needs less
#: memory than the limit #25 sets and, on a cold build, less CPU than two passes of pieces.
AUTO_FROM_BYTES = 600_000


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` as a new file (a staged build shares the cache's files with the last
    good state's, as hard links: :data:`press.engine.staging.LINKED`; none is written into)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def split(body: str) -> list[str]:
    """The book's body (the translator's Typst) cut before every level-1 heading, each piece's
    facing-pages gaps numbered from 1 (the translator numbers them through the book: a gap
    added or removed in one piece must not change the text, and so the cache key, of every
    piece after it)."""
    cuts = [m.start() for m in LEVEL1.finditer(body) if m.start() > 0]
    bounds = [0, *cuts, len(body)]
    return [_gaps_from_one(body[a:b]) for a, b in zip(bounds, bounds[1:])]


def _gaps_from_one(text: str) -> str:
    first = level.GAP.search(text)
    if first is None or first.group(1) == "1":
        return text
    less = int(first.group(1)) - 1
    return level.GAP.sub(lambda m: f"#press-gap({int(m.group(1)) - less}{m.group(2) or ''})", text)


def with_piece(preamble: str, piece: dict[str, Any]) -> str:
    """The book's preamble (``#show: book.with(...)``) with the ``piece`` argument."""
    head, sep, tail = preamble.rpartition("\n)\n")
    assert sep, "the preamble ends with the book.with call"
    return f"{head.rstrip(',')},\n  piece: {typst_value(piece)},\n)\n{tail}"


def padded(pages: int) -> int:
    return pages + pages % 2


@dataclass
class Piece:
    name: str
    text: str
    defined: set[str] = field(default_factory=set)
    far: list[str] = field(default_factory=list)  # labels referenced here, defined elsewhere
    printed: set[str] = field(default_factory=set)  # those of them whose page it prints
    stubs: list[str] = field(default_factory=list)  # other references elsewhere (kept compilable)


@dataclass
class Result:
    pages: int
    data: dict[str, Any]  # the piece's page map with its piece data (book.typ press-piece-data)
    warnings: list[dict[str, Any]]
    given: dict[str, Any] = field(default_factory=dict)  # the piece argument it was compiled with
    provisional: bool = False  # laid out with guessed numbers only (PieceBuild.compile)

    @property
    def end(self) -> dict[str, Any]:
        return self.data.get("end") or {}


class KeptWorkers:
    """``press serve``: the compile processes of the pieces its last builds compiled, kept
    between builds (in ``BookBuild.compilers``), so the next edit of the same chapter is laid
    out again from Typst's memoised layout (light bench book: 0.8 s for the piece cold,
    0.16-0.24 s warm).  At most :attr:`MOST` are kept, the latest first (memory: one piece's
    layout each), and a process is ended after :attr:`USES` compiles (Typst's caches grow by a
    few MB a compile)."""

    MOST = 2
    USES = 16

    def __init__(self) -> None:
        self.workers: dict[str, Worker] = {}  # piece name -> process, oldest first
        self.lock = threading.Lock()

    def take(self, name: str, root: str, font_paths: list[str]) -> Worker:
        with self.lock:
            worker = self.workers.pop(name, None)
        if worker is not None and worker.root == root and worker.font_paths == font_paths:
            return worker
        if worker is not None:
            worker.close()
        return Worker(root, font_paths)

    def give_back(self, name: str, worker: Worker, ok: bool) -> None:
        worker.uses += 1
        if not ok or worker.uses >= self.USES:
            worker.close()
            return
        with self.lock:
            gone = [w for w in (self.workers.pop(name, None),) if w is not None]
            self.workers[name] = worker  # (the latest last)
            while len(self.workers) > self.MOST:
                gone.append(self.workers.pop(next(iter(self.workers))))
        for w in gone:
            w.close()


class PieceBuild:
    """One compile of the book by pieces (run in the build's compile thread)."""

    def __init__(self, outdir: Path, cache: Path, font_paths: list[str], preamble: str, body: str, timestamp: int,
                 salt: str, jobs: int | None = None, kept: KeptWorkers | None = None) -> None:
        self.outdir, self.font_paths, self.preamble = outdir, font_paths, preamble
        self.kept = kept  # press serve's compile processes, kept between builds
        self.timestamp, self.salt = timestamp, salt
        # Only the front matter's piece carries the book's date: the join keeps its catalog,
        # metadata and document information, and no page prints the date.  So the other
        # pieces are compiled undated, and a new commit (the date of a book in git) or
        # SOURCE_DATE_EPOCH recompiles the front matter only, not the whole book.
        self.undated = PUB_DATE.sub("pub-date: none", preamble)
        self.jobs = jobs or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
        self.cache = cache
        self.pieces = [Piece(f"press-piece-{i:03d}", text) for i, text in enumerate(split(body))]
        owner: dict[str, int] = {}
        for i, piece in enumerate(self.pieces):
            piece.defined = set(DEFINED.findall(piece.text))
            for lab in piece.defined:
                owner.setdefault(lab, i)
        owner.setdefault(INDEX_LABEL, -1)  # the index chapter: the last piece, written from the others
        for piece in self.pieces:
            piece.far = sorted({lab for lab in FAR_REF.findall(piece.text) if lab not in piece.defined and lab in owner})
            piece.printed = {a or b for a, b in PRINTED_REF.findall(piece.text)} & set(piece.far)
            piece.stubs = sorted({lab for lab in OTHER_REF.findall(piece.text)} - piece.defined - set(piece.far))
        self.owner = owner
        #: names of the pieces compiled / taken from the cache by this build (the report)
        self.compiled: list[str] = []
        self.reused: list[str] = []
        self.passes = 0
        self.provisional = 0  # first-pass compiles with guessed numbers (a cold build's)
        self.stable = True
        self.used: set[str] = set()
        self.levelled = 0  # gaps given space to end facing pages level (press.typst.level)
        self.lock = threading.Lock()
        self.error: tuple[typst.TypstError, Path] | None = None
        #: set once a piece's compile is handed to its process (or none is needed): the
        #: build's other work may then take this process's interpreter (press.state.BookBuild.submit)
        self.dispatched = threading.Event()

    # -- the cache ---------------------------------------------------------------------------
    def key(self, source: str) -> str:
        return hashlib.sha256((self.salt + "\0" + source).encode()).hexdigest()[:32]

    def in_cache(self, key: str) -> bool:
        """Whether the cache holds the piece ``key`` (its files only: :meth:`cached` reads it)."""
        return (self.cache / f"{key}.pdf").is_file() and (self.cache / f"{key}.json").is_file()

    def cached(self, key: str) -> Result | None:
        try:
            data = json.loads((self.cache / f"{key}.json").read_text(encoding="utf-8"))
            if not (self.cache / f"{key}.pdf").is_file():
                return None
            return Result(data["pages"], data["data"], data["warnings"], data.get("given") or {})
        except (OSError, ValueError, KeyError):
            return None

    # -- one piece ---------------------------------------------------------------------------
    def take(self, name: str) -> Worker:
        """A compile process for piece ``name``: ``press serve``'s kept one, or a new one."""
        if self.kept is None:
            return Worker(str(self.outdir), self.font_paths)
        return self.kept.take(name, str(self.outdir), self.font_paths)

    def give_back(self, name: str, worker: Worker, ok: bool = True) -> None:
        """Done with ``worker``: kept by ``press serve`` (``ok``: it compiled without an
        error), else ended."""
        if self.kept is None:
            worker.close()
        else:
            self.kept.give_back(name, worker, ok and self.error is None)

    def compile(self, name: str, source: str, query: bool = True, given: dict[str, Any] | None = None,
                worker: Worker | None = None, provisional: bool = False) -> Result:
        """Compile one piece (or take it from the cache), in ``worker`` (kept open: the caller
        closes it) or in a process of its own.  ``provisional``: the piece's numbers are a
        guess that will be corrected (a cold build's first pass): it is laid out to learn its
        page count and counters, neither levelled nor kept in the cache (its result is not
        the book's); the compile with the right numbers that follows, in the same process,
        reuses that layout."""
        key = self.key(source)
        path = self.outdir / f"{name}.typ"
        if not (path.is_file() and path.read_text(encoding="utf-8") == source):
            path.write_text(source, encoding="utf-8")
        with self.lock:
            self.used.add(key)
        hit = self.cached(key)
        if hit is not None:
            with self.lock:
                self.reused.append(name)
            return hit
        own = worker is None
        worker = worker or self.take(name)
        self.dispatched.set()
        ok = False
        try:
            if not provisional:
                # facing pages end level (press.typst.level): a second compile of the same
                # piece, in its compile process
                pdf, warnings, report, value = worker.compile_levelled(
                    str(path), self.timestamp if name == FRONT else 0, PDF_STANDARDS,
                    {"selector": "<press-page-map>", "field": "value", "one": True} if query else None)
                data = json.loads(value) if query and value is not None else {}
            else:
                # laid out, not exported: no PDF is needed of it (its page count is the page
                # map's last page)
                data = json.loads(worker.layout(str(path), "<press-page-map>", field="value", one=True))
                pages = int(data["last"])
                with self.lock:
                    self.provisional += 1
                ok = True
                return Result(pages, data, [], {k: v for k, v in (given or {}).items() if k in COUNTERS},
                              provisional=True)
            with self.lock:
                self.levelled += report.get("filled", 0)
            ok = True
        finally:
            if own:
                self.give_back(name, worker, ok)
        pages = len(PAGE.findall(pdf))
        if not pages:
            raise RuntimeError(f"press: cannot count the pages of {name}'s PDF (Typst's output changed?)")

        result = Result(pages, data, [_plain(w) for w in warnings or []],
                        {k: v for k, v in (given or {}).items() if k in COUNTERS})
        self.cache.mkdir(parents=True, exist_ok=True)
        _replace(self.cache / f"{key}.pdf", pdf)
        _replace(self.cache / f"{key}.json", json.dumps(
            {"pages": result.pages, "data": result.data, "warnings": result.warnings, "given": result.given}).encode())
        with self.lock:
            self.compiled.append(name)
        return result

    # -- what each piece is given ------------------------------------------------------------
    def inputs(self, results: list[Result | None]) -> list[dict[str, Any]]:
        """Each piece's ``book(piece: ...)`` argument from the pieces' (latest) results."""
        starts, out = [], []
        start, end = 1, {"part": 0, "chapter": 0, "footnote": 0, "level": 1}
        for i, piece in enumerate(self.pieces):
            starts.append(start)
            out.append({"kind": "body", "start": start, **end})
            r = results[i]
            start += padded(r.pages if r else 2)
            if r and r.end:
                # what the piece adds to the counters, from what it was compiled with: every
                # piece's numbers settle in one pass, not one piece per pass
                moved = {k: end[k] + int(r.end.get(k, 0)) - int(r.given.get(k, 0)) for k in ("part", "chapter", "footnote")}
                end = {**moved, "level": end["level"]}
            levels = CHAPTER_LEVEL.findall(piece.text)  # the chapter level the piece leaves set
            if levels:
                end["level"] = int(levels[-1])
        for i, piece in enumerate(self.pieces):
            far = {}
            for lab in piece.far:
                if lab not in piece.printed:
                    far[lab] = LINK_ONLY
                    continue
                j = self.owner[lab]
                where = (1, 0.0) if j < 0 else self.anchor(results[j], lab)
                far[lab] = str((start if j < 0 else starts[j]) + where[0] - 1) if where else "?"
            out[i]["far"] = far
        self.starts = starts + [start]
        #: the index piece's argument: it follows the last piece
        self.index_input = {"kind": "body", "start": start, **end, "far": {}}
        return out

    @staticmethod
    def anchor(result: Result | None, lab: str) -> tuple[int, float] | None:
        if result is None:
            return None
        for a in result.data.get("anchors", []):
            if a[0] == lab:
                return int(a[1]), float(a[2])
        return None

    def index_entries(self, results: list[Result | None]) -> list[dict[str, Any]]:
        """The index piece's entries: every piece's, with its page in the book and its link."""
        entries = []
        for i, r in enumerate(results):
            if r is None:
                continue
            base = self.starts[i] - 1  # the body's physical pages before this piece
            for k, e in enumerate(r.data.get("index", [])):
                entries.append({"term": e["term"], "sub": e["sub"], "main": e["main"], "n": base + int(e["at"][0]),
                                "label": e["label"], "loc": f"press:press-idx-{i}-{k}"})
        return entries

    def source(self, piece: Piece, given: dict[str, Any]) -> str:
        stubs = "".join(f"#metadata(none) <{s}>\n" for s in piece.stubs)
        tail = f"\n#place(hide[{stubs}])\n" if stubs else ""
        return with_piece(self.undated, given) + piece.text + tail + "\n#press-page-map(full: true)\n#press-gap-map()\n"

    # -- the whole run -----------------------------------------------------------------------
    def guesses(self) -> list[Result | None]:
        """The last build's results, piece by piece (same text first, else same place)."""
        try:
            last = json.loads((self.cache / "last.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return [None] * len(self.pieces)
        by_text = {t: k for t, k in last.get("texts", [])}
        order = [k for _, k in last.get("texts", [])]
        out: list[Result | None] = []
        for i, piece in enumerate(self.pieces):
            key = by_text.get(hashlib.sha256(piece.text.encode()).hexdigest()) or (order[i] if i < len(order) else None)
            out.append(self.cached(key) if key else None)
        return out

    def likely(self, guesses: list[Result | None]) -> list[Path | None]:
        """The PDFs the join will most likely be given, as far as the cache knows before any
        piece is compiled (``None``: a piece to compile): the last build's front matter and
        index, and each piece compiled with the last build's numbers."""
        try:
            last = json.loads((self.cache / "last.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        given = self.inputs(guesses)
        keys = [last.get("front"), *(self.key(self.source(p, g)) for p, g in zip(self.pieces, given)), last.get("index")]
        return [self.cache / f"{k}.pdf" if k and self.in_cache(k) else None for k in keys]

    def run(self, prepare: Callable[[list[Path | None]], None] | None = None,
            ) -> tuple[list[Path], dict[str, list[float]], dict[str, Any], list[dict[str, Any]]]:
        """Compile until the numbers are stable; ``(piece PDFs in book order, anchors for the
        join, page map, warnings)``.  ``prepare`` is told first which PDFs the join will
        likely get (:meth:`likely`).  Raises ``typst.TypstError`` (``self.error`` names the piece)."""
        results = self.guesses()
        if prepare is not None:
            prepare(self.likely(results))
        sources: list[str] = []
        for attempt in range(MAX_PASSES):
            self.passes = attempt + 1
            given = self.inputs(results)
            if attempt == 0:
                new, given = self.first_pass(results, given)
            else:
                with ThreadPoolExecutor(min(self.jobs, len(self.pieces))) as pool:
                    futures = [pool.submit(self._compile, p.name, self.source(p, g), True, g)
                               for p, g in zip(self.pieces, given)]
                    new = [f.result() for f in futures]
            sources = [self.source(p, g) for p, g in zip(self.pieces, given)]
            if self.error is not None:
                raise self.error[0]
            stable = self.inputs(new) == given
            results = new
            if stable:
                break
        else:
            self.stable = False
        self.inputs(results)  # the numbers of the last pass: where the index starts
        entries = self.index_entries(results)
        index_source = with_piece(self.undated, self.index_input) + (
            f"#press-index-chapter(data: {typst_value(entries)})\n#press-page-map(full: true)\n")
        self.index_result = self._compile("press-piece-index", index_source, True, self.index_input) if entries else None
        if self.error is not None:
            raise self.error[0]
        keys = [self.key(s) for s in sources]
        body_results = [r for r in results if r is not None]
        front_given = self.front(body_results)
        front_source = with_piece(self.preamble, front_given)
        front = self._compile(FRONT, front_source, query=False)
        if self.error is not None:
            raise self.error[0]
        pdfs = [self.cache / f"{self.key(front_source)}.pdf"] + [self.cache / f"{k}.pdf" for k in keys]
        if self.index_result is not None:
            pdfs.append(self.cache / f"{self.key(index_source)}.pdf")
        named = [(FRONT, front), *((p.name, r) for p, r in zip(self.pieces, body_results))]
        if self.index_result is not None:
            named.append(("press-piece-index", self.index_result))
        anchors, page_map = self.joined(front, body_results)
        warnings = [w | {"piece": name} for name, r in named for w in r.warnings]
        _replace(self.cache / "last.json", json.dumps({"texts": [
            [hashlib.sha256(p.text.encode()).hexdigest(), k] for p, k in zip(self.pieces, keys)],
            "front": pdfs[0].stem, "index": pdfs[-1].stem if self.index_result is not None else None}).encode())
        self.prune()
        return pdfs, anchors, page_map, warnings

    def first_pass(self, guesses: list[Result | None],
                   given: list[dict[str, Any]]) -> tuple[list[Result | None], list[dict[str, Any]]]:
        """The first pass: ``(results, the arguments each was compiled with)``.  Every piece is
        compiled with the guessed numbers (``given``, from ``guesses``: the last build's, or
        none on a cold build), ``jobs`` at once, in book order.  As soon as every piece before
        it has its page count and counters, a piece whose guessed start, counters or printed
        pages of earlier pieces' labels were wrong is compiled again with the right ones, by
        the same process: Typst's memoised layout of the piece makes that a fraction of a cold
        compile (about a third), where a later pass would start cold.  Then the process ends,
        so a compile process still holds one piece.  A piece that prints the page of a label in
        a later piece waits, its process kept (at most :data:`PARKED_BYTES` of such pieces'
        source at once), until every piece has been compiled, and is then compiled again the
        same way; the next pass settles the rest."""
        n = len(self.pieces)
        first: list[Result | None] = [None] * n
        ready = [threading.Event() for _ in range(n)]
        used = list(given)
        parked: dict[int, Worker] = {}
        room = [PARKED_BYTES]

        def ahead(i: int) -> bool:
            return any(self.owner[lab] > i or self.owner[lab] < 0 for lab in self.pieces[i].printed)

        def again(i: int, results: list[Result | None], result: Result | None, worker: Worker | None) -> Result | None:
            if result is None or self.error is not None:
                return result
            exact = self.inputs(results)[i]
            if exact == given[i] and not result.provisional:
                return result
            used[i] = exact
            return self._compile(self.pieces[i].name, self.source(self.pieces[i], exact), True, exact, worker)

        def one(i: int) -> Result | None:
            piece = self.pieces[i]
            source = self.source(piece, given[i])
            # (a piece in the cache needs no process; a later compile of it starts its own)
            worker = None if self.in_cache(self.key(source)) else self.take(piece.name)
            # no last build to guess this piece's numbers from: they will be corrected, so the
            # first compile only lays the piece out (see compile)
            provisional = guesses[i] is None and (i > 0 or ahead(i))
            try:
                result = None
                try:
                    result = self._compile(piece.name, source, True, given[i], worker, provisional)
                finally:
                    first[i] = result
                    ready[i].set()
                for event in ready[:i]:  # (submitted earlier: running or done, never queued behind this one)
                    event.wait()
                if result is None or self.error is not None or any(r is None for r in first[:i]):
                    return result
                if ahead(i):
                    with self.lock:
                        if room[0] >= len(piece.text):
                            room[0] -= len(piece.text)
                            parked[i], worker = worker, None  # compiled again once every piece is
                            return result
                return again(i, first[:i] + guesses[i:], result, worker)
            finally:
                if worker is not None:
                    self.give_back(piece.name, worker)

        try:
            with ThreadPoolExecutor(min(self.jobs, n)) as pool:
                futures = [pool.submit(one, i) for i in range(n)]
                results = [f.result() for f in futures]
            if parked and self.error is None:
                known = list(results)
                with ThreadPoolExecutor(min(self.jobs, len(parked))) as pool:
                    waiting = {i: pool.submit(again, i, known, known[i], w) for i, w in parked.items()}
                    for i, future in waiting.items():
                        results[i] = future.result()
        finally:
            for i, w in parked.items():
                if w is not None:
                    self.give_back(self.pieces[i].name, w)
        return results, used

    def _compile(self, name: str, source: str, query: bool = True, given: dict[str, Any] | None = None,
                 worker: Worker | None = None, provisional: bool = False) -> Result | None:
        try:
            return self.compile(name, source, query, given, worker, provisional)
        except typst.TypstError as exc:
            with self.lock:
                if self.error is None:
                    self.error = (exc, self.outdir / f"{name}.typ")
            return None

    def front(self, results: list[Result]) -> dict[str, Any]:
        """The front matter's contents and lists of figures and tables, from every piece."""
        toc, lof, lot = [], [], []
        everything = list(enumerate(results))
        if self.index_result is not None:
            everything.append((len(results), self.index_result))
        for i, r in everything:
            for k, e in enumerate(r.data.get("toc", [])):
                toc.append({"part": e["part"], "number": e["number"], "title": e["title"], "page": e["page"],
                            "dest": f"press:press-toc-{i}-{k}"})
            for name, out in (("lof", lof), ("lot", lot)):
                for k, e in enumerate(r.data.get(name, [])):
                    out.append({"number": e["number"], "text": e["text"], "page": e["page"],
                                "dest": f"press:press-{name}-{i}-{k}"})
        return {"kind": "front", "toc": toc, "lof": lof, "lot": lot}

    def joined(self, front: Result, results: list[Result]) -> tuple[dict[str, list[float]], dict[str, Any]]:
        """Where every label, contents entry, caption and index entry is in the joined book
        (page index from 0, height from the top), and the book's page map for the EPUB."""
        anchors: dict[str, list[float]] = {}
        pages: dict[str, str] = {}
        listed: list[list[Any]] = []
        height = 0.0
        offset = padded(front.pages)  # pages before the body
        everything = list(enumerate(results))
        if self.index_result is not None:
            everything.append((len(results), self.index_result))
        for i, r in everything:
            height = height or float(r.data.get("height") or 0)
            stubs = set(self.pieces[i].stubs) if i < len(self.pieces) else set()
            for a in r.data.get("anchors", []):
                if a[0] in stubs:  # a stand-in for a label of another piece
                    continue
                page = offset + int(a[1])
                anchors[a[0]] = [page - 1, 0.0 if ":" not in a[0] else float(a[2])]
                listed.append([a[0], page, a[2], a[3]])
            for phys, printed in r.data.get("pages", {}).items():
                pages[str(offset + int(phys))] = printed
            for name in ("toc", "lof", "lot", "index"):
                for k, e in enumerate(r.data.get(name, [])):
                    key = f"press-{'idx' if name == 'index' else name}-{i}-{k}"
                    anchors[key] = [offset + int(e["at"][0]) - 1, float(e["at"][1])]
            offset += padded(r.pages)
        return anchors, {"height": height, "pages": pages, "anchors": listed}

    def prune(self) -> None:
        """Forget cached pieces this build did not use (the cache holds one book's pieces)."""
        for path in self.cache.glob("*.*"):
            if path.name != "last.json" and path.stem not in self.used:
                path.unlink(missing_ok=True)
        keep = {p.name for p in self.pieces} | {"press-piece-index", FRONT}
        for path in self.outdir.glob("press-piece-*.typ"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)


#: the template's functions a book compiled by pieces relies on (a design file that replaces
#: one of them gets the whole book compiled at once under ``auto``)
PIECE_FUNCTIONS = ("book", "press-xref", "press-target-link", "press-card", "press-card-entry", "press-index",
                   "press-index-chapter", "press-page-map", "press-piece-data")


def replaced_by_design(design: str) -> list[str]:
    return [f for f in PIECE_FUNCTIONS if re.search(r"#let\s+" + re.escape(f) + r"\s*[(=]", design)]


def forget(outdir: Path, cache: Path) -> None:
    """The book is compiled whole: no piece's file or cache is left."""
    for path in outdir.glob("press-piece-*.typ"):
        path.unlink(missing_ok=True)
    if cache.is_dir():
        for path in cache.iterdir():
            path.unlink(missing_ok=True)
        cache.rmdir()


class Joiner:
    """The join of the pieces (:mod:`press.typst.merge`) in a child process of its own
    (pikepdf's memory never adds to the build's), started before the pieces are compiled:
    it imports pikepdf meanwhile and waits for the pieces' list on its input (0.1 s off a
    one-page edit).  Its input is closed in processes the build forks (no fork holds it
    open), and :meth:`close` ends it unused."""

    def __init__(self) -> None:
        self.proc = worker_start([sys.executable, "-I", str(MERGE), "--wait"], pipes_out_of_forks=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def prepare(self, pdfs: list[Path | None]) -> None:
        """The PDFs the join will likely get (:meth:`PieceBuild.likely`): it copies the first
        ones while the others compile (:class:`press.typst.merge.Join`)."""
        if not pdfs or pdfs[0] is None or self.proc.stdin is None:
            return
        try:
            self.proc.stdin.write(json.dumps({"prepare": [str(p) if p else None for p in pdfs]}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # (it ended already: the join says why)

    def join(self, pdfs: list[Path], anchors: dict[str, list[float]], out: Path) -> None:
        spec = json.dumps({"pieces": [str(p) for p in pdfs], "out": str(out), "anchors": anchors, "pad": True},
                          sort_keys=True)
        self._end(spec + "\n")
        if self.proc.returncode != 0:
            raise RuntimeError(f"press: joining the PDF's pieces failed (pikepdf):\n{self.err[-3000:]}")

    def close(self) -> None:
        if self.proc.returncode is None:
            self._end("")  # (no pieces: it ends at once)

    def _end(self, job: str) -> None:
        stdin, self.proc.stdin = self.proc.stdin, None
        try:
            if job and stdin is not None:
                stdin.write(job)
                stdin.flush()
        except BrokenPipeError:
            pass  # (it ended already: its error output says why)
        finally:
            worker_close_pipes(stdin)  # (under the start lock: see press.typst.worker.close_pipes)
        _, err = self.proc.communicate()
        self.err = err or ""



def warnings_of(plain: list[dict[str, Any]]) -> list[Any]:
    return [_rebuilt(typst.TypstWarning, w) for w in plain]
