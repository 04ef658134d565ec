"""Join PDFs that Typst compiled piece by piece into one tagged book (pikepdf; run by path).

``python merge.py OUT PIECE.pdf...``: the pieces' pages in order, with

* **one structure tree**: every piece's ``Document`` element's children become children of
  the first piece's ``Document``; the parent tree (marked content and annotations to their
  structure elements) is renumbered (each piece's keys after the previous pieces'), and so
  are the pages' ``/StructParents`` and the annotations' ``/StructParent``; element ids
  (``/IDTree``: Typst's table cells, e.g. ``U10x0y0``, which every piece numbers from the
  start) get the piece's prefix, and the ``/Headers`` of table cells that name them follow;
  the role maps are joined;
* **one outline**: every piece's top-level bookmarks, in order;
* **one page-label tree**: every piece's labels, shifted by the pages before it, and ranges
  that continue the previous one dropped;
* the first piece's catalogue: language, XMP metadata (PDF/UA identification), viewer
  preferences, mark info;
* links between pieces: a link whose target is in another piece is written by the template
  as a URI ``press:<label>``; with ``--anchors JSON`` (``{label: [page index, y from the
  top]}``) it becomes a link to that place in the joined book.

The file is written with objects in compressed streams and a content-derived file ID (as
:mod:`press.typst.pack`), so the same pieces give the same bytes.

``--pad``: a piece (but the last) with an odd number of pages is followed by a blank page.

``--wait``: the job comes on standard input (:class:`press.typst.pieces.Joiner`), maybe after
a ``{"prepare": [...]}`` line naming the pieces the build will likely join: the first ones,
up to the first still compiling, are copied meanwhile (:class:`Join`).

The build's route for a book compiled by pieces (:mod:`press.typst.pieces`).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def _number_tree(node: Any) -> Iterator[tuple[int, Any]]:
    if node is None:
        return
    if "/Nums" in node:
        nums = node.Nums
        for i in range(0, len(nums), 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from _number_tree(kid)


def _name_tree(node: Any) -> Iterator[tuple[str, Any]]:
    if node is None:
        return
    if "/Names" in node:
        names = node.Names
        for i in range(0, len(names), 2):
            yield str(names[i]), names[i + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree(kid)


def _document(struct_root: Any) -> Any:
    k = struct_root.K
    return k[0] if isinstance(k, Array) else k


def _kids(element: Any) -> list[Any]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


#: a table's structure elements down to its cells (a cell's content holds no ``/Headers``)
TABLE_PARTS = {Name("/Table"), Name("/THead"), Name("/TBody"), Name("/TFoot"), Name("/TR")}
CELLS = {Name("/TH"), Name("/TD")}


def _cells(table: Any) -> Iterator[Any]:
    """The header and data cells of a ``/Table`` structure element."""
    stack = [table]
    while stack:
        e = stack.pop()
        if not isinstance(e, Dictionary):
            continue
        kind = e.get("/S")
        if kind in CELLS:
            yield e
        elif kind in TABLE_PARTS:
            stack.extend(reversed(_kids(e)))


def _table_of(element: Any) -> Any:
    """The ``/Table`` structure element holding ``element`` (a header cell), or ``None``."""
    for _ in range(8):  # TH < TR < THead/TBody/TFoot < Table
        if not isinstance(element, Dictionary):
            return None
        if element.get("/S") == Name.Table:
            return element
        element = element.get("/P")
    return None


def _rename_headers(element: Any, prefix: str) -> None:
    attrs = element.get("/A")
    if attrs is None:
        return
    for a in (attrs if isinstance(attrs, Array) else [attrs]):
        if isinstance(a, Dictionary) and "/Headers" in a:
            a.Headers = Array([String(prefix + str(h)) for h in a.Headers])


def _page_labels(entries: list[tuple[int, Any]]) -> Array:
    """A flat ``/Nums`` array without ranges that merely continue the one before."""
    out: list[Any] = []
    last: tuple[int, Any] | None = None
    for index, label in entries:
        if last is not None:
            at, prev = last
            same = all(prev.get(k) == label.get(k) for k in ("/S", "/P"))
            if same and int(label.get("/St", 1)) == int(prev.get("/St", 1)) + (index - at):
                continue
        out += [index, label]
        last = (index, label)
    return Array(out)


def _pad(book: pikepdf.Pdf, count: int) -> None:
    """A piece with an odd number of pages is followed by a blank verso: the next piece opens
    on a recto, as it was compiled (``--pad``)."""
    if count % 2:
        box = [float(x) for x in book.pages[-1].obj.MediaBox]
        book.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))


class _Part:
    """One piece's objects copied into the book, not yet in its page tree or its structure
    tree (:meth:`Join.part`): they join the book in :meth:`Join.write`, in book order."""

    def __init__(self, n: int, src: pikepdf.Pdf, book: pikepdf.Pdf) -> None:
        self.src = src  # open until the book is saved (qpdf copies stream data lazily)
        sstruct = src.Root.StructTreeRoot
        kids = _kids(_document(sstruct))
        for kid in kids:  # never copy the piece's own tree root through a parent link
            del kid["/P"]
        self.pages = [book.copy_foreign(page.obj) for page in src.pages]
        self.kids = [book.copy_foreign(kid) for kid in kids]
        self.parents = [(key, book.copy_foreign(value)) for key, value in _number_tree(sstruct.get("/ParentTree"))]
        self.next_key = int(sstruct.get("/ParentTreeNextKey", 0))
        prefix = f"p{n}-"
        self.ids: list[tuple[str, Any]] = []
        tables: dict[tuple[int, int], Any] = {}  # the tables whose header cells have IDs
        for name, element in _name_tree(sstruct.get("/IDTree")):
            mine = book.copy_foreign(element)
            mine.ID = String(prefix + name)
            self.ids.append((prefix + name, mine))
            table = _table_of(element)
            if table is not None:
                tables.setdefault(table.objgen, table)
        # a cell's /Headers names the IDs of its own table's header cells: only those tables
        # are walked (the piece's copy of each: qpdf copies an object once per piece)
        for table in tables.values():
            for element in _cells(book.copy_foreign(table)):
                _rename_headers(element, prefix)
        self.roles = list(sstruct.get("/RoleMap", Dictionary()).items())
        self.labels = [(index, book.copy_foreign(label)) for index, label in _number_tree(src.Root.get("/PageLabels"))]
        self.tops = []
        item = src.Root.Outlines.get("/First") if "/Outlines" in src.Root else None
        while item is not None:
            nxt = item.get("/Next")
            for key in ("/Parent", "/Prev", "/Next"):
                if key in item:
                    del item[key]
            self.tops.append(book.copy_foreign(item))
            item = nxt


class Join:
    """The book being joined: the first piece (the front matter) opened, the others' objects
    copied in (:class:`_Part`), then put in order and saved (:meth:`write`).

    qpdf numbers the objects it writes partly by the order they were made (within each
    compressed object stream), so the pieces are always copied in book order: the file
    depends only on the pieces given to :meth:`write`.  :meth:`prepare` copies, while a
    build is still compiling the pieces an edit changed, the ones before the first of them
    (taken from the cache); a piece copied ahead that the build then compiled again (its
    numbers moved) is left unused (qpdf writes only what the catalogue reaches), and when a
    piece would have to be copied after a later one, the join starts again from the front."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.book = pikepdf.open(base)
        self.parts: dict[tuple[int, str], _Part] = {}  # (number, path): in the order they were copied

    def part(self, n: int, path: str) -> _Part:
        if (n, path) not in self.parts:
            self.parts[n, path] = _Part(n, pikepdf.open(path), self.book)
        return self.parts[n, path]

    def prepare(self, pieces: list[str | None]) -> None:
        """Copy the pieces before the first one not known yet (``None``) into the book."""
        for n, path in enumerate(pieces[1:], 1):
            if path is None:
                return
            self.part(n, path)

    def in_order(self, pieces: list[str]) -> bool:
        """Whether joining ``pieces`` here copies them in book order: the same front, and the
        pieces copied already are the first ones, copied in order."""
        if pieces[0] != self.base:
            return False
        made = {part: i for i, part in enumerate(self.parts)}  # (the order they were copied in)
        copied = [n for n, path in enumerate(pieces[1:], 1) if (n, path) in made]
        order = [made[n, pieces[n]] for n in copied]
        return copied == list(range(1, len(copied) + 1)) and order == sorted(order)

    def write(self, pieces: list[str], out: str, anchors: dict[str, list[float]] | None = None,
              pad: bool = False) -> list[Any]:
        book = self.book
        parts = [self.part(n, path) for n, path in enumerate(pieces[1:], 1)]
        if pad and len(pieces) > 1:
            _pad(book, len(book.pages))
        root = book.Root
        struct = root.StructTreeRoot
        document = _document(struct)
        parents = list(_number_tree(struct.get("/ParentTree")))
        next_key = int(struct.get("/ParentTreeNextKey", len(parents)))
        ids = list(_name_tree(struct.get("/IDTree")))
        roles = Dictionary(struct.get("/RoleMap", Dictionary()))
        labels = list(_number_tree(root.get("/PageLabels")))
        tops = []
        item = root.Outlines.get("/First") if "/Outlines" in root else None
        while item is not None:
            tops.append(item)
            item = item.get("/Next")
        for n, part in enumerate(parts, 1):
            first_page = len(book.pages)
            for page in part.pages:
                book.pages.append(pikepdf.Page(page))
            if pad and n + 1 < len(pieces):
                _pad(book, len(part.pages))
            offset = next_key
            for obj in part.pages:
                if "/StructParents" in obj:
                    obj.StructParents = int(obj.StructParents) + offset
                for annot in obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + offset
            for kid in part.kids:
                kid.P = document
            doc_k = document.get("/K")
            if not isinstance(doc_k, Array):
                document.K = doc_k = Array([] if doc_k is None else [doc_k])
            for kid in part.kids:
                doc_k.append(kid)
            parents += [(key + offset, value) for key, value in part.parents]
            next_key += part.next_key
            ids += part.ids
            for role, target in part.roles:
                if role not in roles:
                    roles[role] = target
            labels += [(index + first_page, label) for index, label in part.labels]
            tops += part.tops
        # the joined trees
        struct.ParentTree = book.make_indirect(Dictionary(Nums=Array([x for kv in sorted(parents, key=lambda kv: kv[0]) for x in kv])))
        struct.ParentTreeNextKey = next_key
        if ids:
            struct.IDTree = book.make_indirect(Dictionary(Names=Array([x for kv in sorted(ids, key=lambda kv: kv[0]) for x in kv])))
        struct.RoleMap = roles
        root.PageLabels = Dictionary(Nums=_page_labels(labels))
        outlines = root.get("/Outlines")
        if outlines is None and tops:
            root.Outlines = outlines = book.make_indirect(Dictionary(Type=Name.Outlines))
        for i, top in enumerate(tops):
            top.Parent = outlines
            if i:
                top.Prev = tops[i - 1]
            if i + 1 < len(tops):
                top.Next = tops[i + 1]
            elif "/Next" in top:
                del top["/Next"]
        if tops:
            outlines.First, outlines.Last, outlines.Count = tops[0], tops[-1], len(tops)
        if anchors:
            _links(book, anchors)
        book.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                  recompress_flate=False, deterministic_id=True)
        return [book, *parts]
 # (the caller decides when to free them: a quarter of a second)


def merge(pieces: list[str], out: str, anchors: dict[str, list[float]] | None = None, pad: bool = False,
          prepared: Join | None = None) -> list[Any]:
    """Join ``pieces`` (the front matter first) into ``out``; ``prepared``: a join that copied
    some of them already (used when they are the first of these, in order)."""
    join = prepared if prepared is not None and prepared.in_order(pieces) else Join(pieces[0])
    return join.write(pieces, out, anchors, pad)


def _links(book: pikepdf.Pdf, anchors: dict[str, list[float]]) -> None:
    """``press:<label>`` URI links to the place that label has in the joined book."""
    for page in book.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            if action is None or action.get("/S") != Name.URI or not str(action.URI).startswith("press:"):
                continue
            where = anchors.get(str(action.URI)[len("press:"):])
            if where is None:
                continue
            target = book.pages[int(where[0])]
            top = float(target.obj.MediaBox[3])
            del annot["/A"]
            annot.Dest = Array([target.obj, Name.XYZ, 0, top - float(where[1]), 0])


if __name__ == "__main__":
    args = sys.argv[1:]
    job = None
    prepared = None
    if args == ["--wait"]:  # started early (press.typst.pieces.Joiner): the job comes on stdin
        while True:  # first, maybe, the pieces known before any is compiled: copied meanwhile
            line = sys.stdin.readline()
            job = json.loads(line) if line.strip() else None  # (none: the build needs no join after all)
            if job is None or "prepare" not in job:
                break
            try:
                prepared = Join(job["prepare"][0])
                prepared.prepare(job["prepare"])
            except Exception:  # noqa: BLE001 - a guess gone (pruned, rewritten): the join copies what it needs
                pass
    else:
        anchors = None
        if args and args[0] == "--anchors":
            anchors = json.loads(open(args[1], encoding="utf-8").read())
            args = args[2:]
        pad = bool(args) and args[0] == "--pad"
        job = {"pieces": args[1 + pad:], "out": args[pad], "anchors": anchors, "pad": pad}
    if job is not None:
        kept = merge(job["pieces"], job["out"], job["anchors"], job["pad"], prepared)
    # the joined file is written and closed: end without freeing every piece's objects one
    # by one (0.25 s of a one-page edit of the light bench book)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
