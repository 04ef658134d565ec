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

The build's route for a book compiled by pieces (:mod:`press.typst.pieces`).
"""

from __future__ import annotations

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


def _walk(element: Any) -> Iterator[Any]:
    stack = [element]
    while stack:
        e = stack.pop()
        if isinstance(e, Dictionary) and e.get("/Type") == Name.StructElem or (
                isinstance(e, Dictionary) and "/S" in e and "/K" in e):
            yield e
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


def merge(pieces: list[str], out: str, anchors: dict[str, list[float]] | None = None, pad: bool = False) -> list[Any]:
    book = pikepdf.open(pieces[0])
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
    sources = []
    for n, path in enumerate(pieces[1:], 1):
        src = pikepdf.open(path)
        sources.append(src)  # open until the book is saved (qpdf copies lazily)
        first_page = len(book.pages)
        sstruct = src.Root.StructTreeRoot
        sdoc = _document(sstruct)
        kids = _kids(sdoc)
        for kid in kids:  # never copy the piece's own tree root through a parent link
            del kid["/P"]
        book.pages.extend(src.pages)
        if pad and n + 1 < len(pieces):
            _pad(book, len(src.pages))
        offset = next_key
        for page in book.pages[first_page:]:
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + offset
            for annot in obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        copied = [book.copy_foreign(kid) for kid in kids]
        for kid in copied:
            kid.P = document
        doc_k = document.get("/K")
        if not isinstance(doc_k, Array):
            document.K = doc_k = Array([] if doc_k is None else [doc_k])
        for kid in copied:
            doc_k.append(kid)
        for key, value in _number_tree(sstruct.get("/ParentTree")):
            parents.append((key + offset, book.copy_foreign(value)))
        next_key += int(sstruct.get("/ParentTreeNextKey", 0))
        prefix = f"p{n}-"
        tables: dict[tuple[int, int], Any] = {}  # the tables whose header cells have IDs
        for name, element in _name_tree(sstruct.get("/IDTree")):
            mine = book.copy_foreign(element)
            mine.ID = String(prefix + name)
            ids.append((prefix + name, mine))
            table = _table_of(element)
            if table is not None:
                tables.setdefault(table.objgen, table)
        # a cell's /Headers names the IDs of its own table's header cells: only those tables
        # are walked (the piece's copy of each: qpdf copies an object once per piece)
        for table in tables.values():
            for element in _walk(book.copy_foreign(table)):
                _rename_headers(element, prefix)
        for role, target in sstruct.get("/RoleMap", Dictionary()).items():
            if role not in roles:
                roles[role] = target
        for index, label in _number_tree(src.Root.get("/PageLabels")):
            labels.append((index + first_page, book.copy_foreign(label)))
        item = src.Root.Outlines.get("/First") if "/Outlines" in src.Root else None
        while item is not None:
            nxt = item.get("/Next")
            for key in ("/Parent", "/Prev", "/Next"):
                if key in item:
                    del item[key]
            tops.append(book.copy_foreign(item))
            item = nxt
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
    return [book, *sources]  # (the caller decides when to free them: a quarter of a second)


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
    if args == ["--wait"]:  # started early (press.typst.pieces.Joiner): the job comes on stdin
        line = sys.stdin.readline()
        job = json.loads(line) if line.strip() else None  # (none: the build needs no join after all)
    else:
        anchors = None
        if args and args[0] == "--anchors":
            anchors = json.loads(open(args[1], encoding="utf-8").read())
            args = args[2:]
        pad = bool(args) and args[0] == "--pad"
        job = {"pieces": args[1 + pad:], "out": args[pad], "anchors": anchors, "pad": pad}
    if job is not None:
        kept = merge(job["pieces"], job["out"], job["anchors"], job["pad"])
    # the joined file is written and closed: end without freeing every piece's objects one
    # by one (0.25 s of a one-page edit of the light bench book)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
