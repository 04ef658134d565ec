"""The PDF by pieces (press/typst/pieces.py): each part or level-1 chapter compiled on its own,
cached, joined into one tagged PDF (press/typst/merge.py).

The book-wide PDF checks (outline, contents, links, page labels, tags, PDF/UA, type sizes,
recto openers, byte-identical rebuilds) run on the guide's joined PDF (its conf.py says
``press_pdf_pieces = "on"``) in test_pdf_design.py, test_pdf_book.py and test_book_makeup.py;
the test roots here are short, so they set ``on`` too (``auto`` would compile them whole);
here: what only the pieces do — an edit recompiles only its piece, and links between pieces
land on the right page.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pikepdf
import pypdf
import pytest
from sphinx.testing.util import SphinxTestApp

from conftest import copy_root
from press.typst import pieces


def _build(srcdir: Path, **overrides) -> tuple[SphinxTestApp, str]:
    overrides = {"press_pdf_pieces": "on", **overrides}
    warnings = StringIO()
    app = SphinxTestApp("typst", srcdir=srcdir, confoverrides=overrides or None, status=StringIO(), warning=warnings)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, warnings.getvalue()


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.book
def test_an_edit_recompiles_only_its_piece(tmp_path):
    src = copy_root("pdf", tmp_path)
    app, _ = _build(src)
    first = app.press_build.pdf_pieces
    assert first is not None and first["stable"], first
    names = {p.stem for p in Path(app.outdir).glob("press-piece-*.typ")}
    # a piece per level-1 heading, the index and the front matter, all compiled cold
    assert len(names) == first["pieces"] + 2 and set(first["compiled"]) == names, first
    # a cold build: every piece after the first was laid out with guessed numbers first, and
    # only the compiles with the right numbers are kept (one PDF per piece in the cache)
    assert first["provisional"] >= first["pieces"] - 1, first
    assert len(list(Path(app.doctreedir, pieces.CACHE).glob("*.pdf"))) == first["pieces"] + 2
    # a provisional compile is laid out, not exported: its page count is its page map's last
    # page, which is the PDF's page count (every cached piece with a map says so)
    import json

    kept = [json.loads(p.read_text(encoding="utf-8")) for p in Path(app.doctreedir, pieces.CACHE).glob("*.json")
            if p.name != "last.json"]
    mapped = [k for k in kept if "last" in k["data"]]
    assert len(mapped) >= first["pieces"] and all(k["data"]["last"] == k["pages"] for k in mapped), kept
    gamma = next(p.stem for p in Path(app.outdir).glob("press-piece-0*.typ")
                 if "Gamma Chapter" in p.read_text(encoding="utf-8"))
    page = src / "part-two" / "gamma.md"
    # (a paragraph added: one more facing-pages gap, which must not change the pieces after it)
    page.write_text(page.read_text(encoding="utf-8").replace(
        "GAMMAWORDS close", "An added paragraph.\n\nGAMMAEDITED close"), encoding="utf-8")
    app, _ = _build(src)
    second = app.press_build.pdf_pieces
    assert second["compiled"] == [gamma] and second["provisional"] == 0, second
    assert second["passes"] == 1 and len(second["reused"]) == first["pieces"] + 1, second
    text = _squash("".join(p.extract_text() or "" for p in pypdf.PdfReader(Path(app.outdir) / "proof-book.pdf").pages))
    assert "GAMMAEDITED" in text and "GAMMAWORDS" not in text
    # nothing changed: the PDF is not compiled at all
    app, _ = _build(src)
    assert app.press_build.pdf_pieces is None


@pytest.mark.book
def test_links_between_pieces_land_on_their_page(tmp_path):
    src = copy_root("pdf", tmp_path)
    app, _ = _build(src)
    out = Path(app.outdir)
    path = out / "proof-book.pdf"
    # the preface (a piece of its own) points into Part One's piece
    preface = next(p for p in out.glob("press-piece-0*.typ") if "PREFACEWORDS" in p.read_text(encoding="utf-8"))
    assert '"d.part-one.alpha": ' in preface.read_text(encoding="utf-8")
    reader = pypdf.PdfReader(str(path))
    texts = [_squash(p.extract_text() or "") for p in reader.pages]
    at = next(i for i, t in enumerate(texts) if "PREFACEWORDS" in t)
    alpha = next(i for i, t in enumerate(texts) if "ALPHAWORDS" in t)
    code = next(i for i, t in enumerate(texts) if "Codeandlistings" in t and i >= alpha)
    assert re.search(r"thealphachapter\(p\.(\d+)\)", texts[at]).group(1) == reader.page_labels[alpha]
    assert re.search(r"itscodesection\(p\.(\d+)\)", texts[at]).group(1) == reader.page_labels[code]
    with pikepdf.open(path) as pdf:
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        targets = []
        for annot in pdf.pages[at].obj.get("/Annots", []):
            assert "/A" not in annot or not str(annot.A.get("/URI", "")).startswith("press:"), annot
            if "/Dest" in annot:
                targets.append(pages[annot.Dest[0].objgen])
        assert alpha in targets and code in targets, targets
        # no link of the joined book is left pointing at a piece-to-piece address
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
                assert not uri.startswith("press:"), uri


@pytest.mark.book
def test_off_compiles_the_whole_book_in_one(tmp_path):
    src = copy_root("pdf", tmp_path)
    app, _ = _build(src, press_pdf_pieces="off")
    assert app.press_build.pdf_pieces is None
    assert not list(Path(app.outdir).glob("press-piece-*.typ"))


def test_split_cuts_before_every_level_one_heading():
    body = ('/*@ a.md:1 */\n#press-heading(level: 1, kind: "chapter")[A]\ntext\n'
            '/*@ p.md:1 */\n#press-heading(level: 1, kind: "part")[P]\n'
            '#press-heading(level: 2, kind: "chapter")[C]\nmore\n')
    parts = pieces.split(body)
    assert len(parts) == 2 and "".join(parts) == body
    assert parts[1].startswith("/*@ p.md:1 */") and "kind: \"chapter\")[C]" in parts[1]


def test_each_piece_numbers_its_gaps_from_one():
    # the translator numbers the facing-pages gaps through the book; a gap more in one piece
    # must leave the text (the cache key) of every later piece as it was
    def body(extra: str) -> str:
        return ('#press-heading(level: 1, kind: "chapter")[A]\nx\n#press-gap(1)\n\ny\n' + extra +
                '#press-heading(level: 1, kind: "chapter")[B]\nz\n#press-gap(N)\n\nw\n[#press-gap(M, weight: 0.5)], '
                ).replace("N", "3" if extra else "2").replace("M", "4" if extra else "3")
    before, after = pieces.split(body("")), pieces.split(body("#press-gap(2)\n\nadded\n"))
    assert before[1] == after[1]
    assert "#press-gap(1)" in after[1] and "[#press-gap(2, weight: 0.5)]" in after[1]
    assert "#press-gap(2)" in after[0]


def test_typst_values_and_the_piece_argument():
    assert pieces.typst_value({"a": [1, "x\"y"], "b": None, "c": True, "d": {}}) == \
        '("a": (1, "x\\"y", ), "b": none, "c": true, "d": (:))'
    preamble = '#import "press-book.typ": *\n#show: book.with(\n  title: "T",\n  cover: "cover.svg",\n)\n'
    assert pieces.with_piece(preamble, {"kind": "body"}).endswith(
        '  cover: "cover.svg",\n  piece: ("kind": "body"),\n)\n')


@pytest.mark.book
def test_an_error_in_a_piece_is_reported_at_the_authors_line(tmp_path):
    src = copy_root("pdf", tmp_path)
    page = src / "part-two" / "gamma.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n```{raw} typst\n#this-function-does-not-exist()\n```\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    app, warnings = _build(src, press_raw_typst="allow")
    assert app.statuscode == 1
    assert f"gamma.md:{line}: ERROR: Typst could not compile the PDF: unknown variable" in warnings, warnings
    assert ".typ:" not in warnings and not (Path(app.outdir) / "proof-book.pdf").exists()


@pytest.mark.book
def test_the_joined_book_looks_like_the_book_compiled_whole(tmp_path):
    """Every page pixel for pixel, the page labels and the outline: margins, running heads,
    blank versos, contents, list of figures and index come out as in one compile."""
    import pypdfium2
    from PIL import ImageChops

    books = {}
    for mode in ("off", "on"):
        app, _ = _build(copy_root("pdf", tmp_path / mode), press_pdf_pieces=mode)
        books[mode] = Path(app.outdir) / "proof-book.pdf"
    whole, joined = (pypdf.PdfReader(str(books[m])) for m in ("off", "on"))
    assert len(whole.pages) == len(joined.pages) and whole.page_labels == joined.page_labels

    def titles(items):
        return [titles(i) if isinstance(i, list) else i.title for i in items]

    assert titles(whole.outline) == titles(joined.outline)
    a, b = (pypdfium2.PdfDocument(str(books[m])) for m in ("off", "on"))
    for i in range(len(a)):
        x, y = (d[i].render(scale=0.5).to_pil().convert("RGB") for d in (a, b))
        assert ImageChops.difference(x, y).getbbox() is None, f"page {i + 1} differs"


def test_a_cold_build_settles_each_piece_in_its_first_pass(tmp_path, monkeypatch):
    """No second pass on a cold build: a piece compiled with guessed numbers is compiled again
    as soon as the pieces before it are counted (or, printing a page of a later piece, once
    every piece is), by the same Typst process (an incremental recompile), and a reference
    that only links to another piece carries no page number."""
    body = "".join(f'#press-heading(level: 1, kind: "chapter")[C{i}]\n<d.c{i}>\n'
                   + ("#press-xref(<d.c0>, pageref: true)[back]\n" if i == 2 else "")
                   + ("#press-xref(<d.c3>, pageref: true)[page ahead]\n" if i == 0 else "")
                   + ("#press-xref(<d.c3>)[ahead]\n" if i < 3 else "") for i in range(4))
    calls = []

    def compile(self, name, source, query=True, given=None, worker=None, provisional=False):
        calls.append((name, dict(given or {}), id(worker) if worker is not None else None, provisional))
        if name == "press-piece-front":
            return pieces.Result(1, {}, [])
        i = int(name.rsplit("-", 1)[1])
        end = {"part": given["part"], "chapter": given["chapter"] + 1, "footnote": given["footnote"], "level": 1}
        return pieces.Result(3, {"end": end, "anchors": [[f"d.c{i}", 1, 0.0, 0.0]]}, [],
                             {k: v for k, v in given.items() if k in pieces.COUNTERS}, provisional=provisional)

    monkeypatch.setattr(pieces.PieceBuild, "compile", compile)
    preamble = '#import "press-book.typ": *\n#show: book.with(\n  title: "T",\n)\n'
    (tmp_path / "cache").mkdir()
    build = pieces.PieceBuild(tmp_path, tmp_path / "cache", [], preamble, body, 0, "salt", jobs=2)
    build.run()
    assert build.passes == 1 and build.stable
    body_calls = [c for c in calls if c[0] != "press-piece-front"]
    by_piece = {}
    for name, given, worker, provisional in body_calls:
        by_piece.setdefault(name, []).append((given, worker, provisional))
    for i in (0, 1, 2, 3):
        (guess, w1, p1), (exact, w2, p2) = by_piece[f"press-piece-{i:03d}"]
        assert w1 == w2 is not None  # the same process compiles it again
        # the guessed numbers' compile is only laid out (not levelled, not cached); the book's is
        assert p1 and not p2
        assert exact["start"] == 1 + 4 * i and exact["chapter"] == i, exact  # 3 pages + a blank verso each
    final = {name: runs[-1][0] for name, runs in by_piece.items()}
    assert final["press-piece-002"]["far"] == {"d.c0": "1", "d.c3": pieces.LINK_ONLY}
    # the first piece prints the page of a label in the last: compiled again once that is known
    assert final["press-piece-000"]["far"] == {"d.c3": "13"} and final["press-piece-001"]["far"] == {"d.c3": ""}


def test_press_serve_keeps_the_compile_processes_of_the_pieces_it_compiled_last(monkeypatch):
    # pieces.KeptWorkers: the next edit of the same chapter is laid out by the process that
    # holds its memoised layout; at most MOST are kept, each for at most USES compiles
    closed = []

    class FakeWorker:
        def __init__(self, root, font_paths):
            self.root, self.font_paths, self.uses = root, list(font_paths), 0

        def close(self):
            closed.append(self)

    monkeypatch.setattr(pieces, "Worker", FakeWorker)
    kept = pieces.KeptWorkers()
    first = kept.take("press-piece-001", "/out", ["/fonts"])
    kept.give_back("press-piece-001", first, ok=True)
    assert kept.take("press-piece-001", "/out", ["/fonts"]) is first and not closed
    kept.give_back("press-piece-001", first, ok=True)
    others = [kept.take(n, "/out", ["/fonts"]) for n in ("press-piece-002", "press-piece-front")]
    for n, w in zip(("press-piece-002", "press-piece-front"), others):
        kept.give_back(n, w, ok=True)
    assert closed == [first] and set(kept.workers) == {"press-piece-002", "press-piece-front"}
    # a compile that failed, or a process used USES times, is ended, not kept
    w = kept.take("press-piece-002", "/out", ["/fonts"])
    kept.give_back("press-piece-002", w, ok=False)
    assert closed[-1] is w and "press-piece-002" not in kept.workers
    w = kept.take("press-piece-003", "/out", ["/fonts"])
    w.uses = pieces.KeptWorkers.USES - 1
    kept.give_back("press-piece-003", w, ok=True)
    assert closed[-1] is w
    # another folder or other fonts: a new process
    w = kept.take("press-piece-front", "/elsewhere", ["/fonts"])
    assert w.root == "/elsewhere" and closed[-1].root == "/out"


def test_the_join_process_starts_early_and_ends_unused_or_failed(tmp_path):
    # pieces.Joiner: started before the pieces compile (pikepdf imported meanwhile); a build
    # that needs no join ends it, and a join that fails says why
    from press.typst import worker

    unused = pieces.Joiner()
    fd = unused.proc.stdin.fileno()
    assert fd in worker._SPAWNING.fds  # (closed in any process the build forks meanwhile)
    unused.close()
    assert unused.proc.wait(timeout=10) == 0
    # its input is forgotten as it is closed: a later file with the same number (a pipe of
    # sphinx-sitemap's Manager) is never closed in a forked child (seen: the Manager's start
    # failed with EOFError in the suite)
    assert fd not in worker._SPAWNING.fds
    failing = pieces.Joiner()
    with pytest.raises(RuntimeError, match="joining the PDF's pieces failed"):
        failing.join([tmp_path / "missing.pdf"], {}, tmp_path / "out.pdf")
    assert failing.proc.returncode != 0 and failing.proc.stdin is None


@pytest.mark.book
def test_a_new_date_recompiles_only_the_front_matter(tmp_path, monkeypatch):
    # only the front matter's piece is dated (the join keeps its metadata; no page prints the
    # date): a new commit or SOURCE_DATE_EPOCH leaves the other pieces in the cache
    src = copy_root("pdf", tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    app, _ = _build(src)
    body = [p for p in Path(app.outdir).glob("press-piece-0*.typ")]
    assert body and all("pub-date: none" in p.read_text(encoding="utf-8") for p in body)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    app, _ = _build(src)
    assert app.press_build.pdf_pieces["compiled"] == ["press-piece-front"], app.press_build.pdf_pieces
    with pikepdf.open(Path(app.outdir) / "proof-book.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:2027"), pdf.docinfo


def _piece_pdfs(folder: Path, count: int, tag: str = "") -> list[str]:
    """Small tagged PDFs as Typst writes the pieces: headings (outline), a table with a header
    row (IDs), page labels, a link."""
    import typst

    paths = []
    for i in range(count):
        src = (f'#set document(title: "Piece {i}{tag}")\n#set text(lang: "en")\n#set page(numbering: "{"i" if i == 0 else "1"}")\n'
               f'= Piece {i}\n#table(columns: 2, table.header([A{i}], [B{i}]), [1], [2])\n'
               f'#link("https://example.org/{i}")[a link]\n#pagebreak()\n== More of {i}\nText.\n')
        path = folder / f"piece-{i}{tag}.pdf"
        path.write_bytes(typst.compile(src.encode(), format="pdf", pdf_standards=["ua-1"]))
        paths.append(str(path))
    return paths


def test_a_join_prepared_ahead_is_the_same_file_as_a_join_at_once(tmp_path):
    # merge.Join: the pieces taken from the cache are copied while the edited ones compile;
    # the file must be the one a join of all of them at once writes (same bytes), also when a
    # piece copied ahead was compiled again after all (then it starts again from the front)
    from press.typst import merge

    paths = _piece_pdfs(tmp_path, 5)
    other = _piece_pdfs(tmp_path, 2, tag="b")

    def joined(name: str, prepared: merge.Join | None, pieces: list[str]) -> bytes:
        merge.merge(pieces, str(tmp_path / name), None, True, prepared)
        return (tmp_path / name).read_bytes()

    at_once = joined("at-once.pdf", None, paths)
    with pikepdf.open(tmp_path / "at-once.pdf") as pdf:
        assert len(pdf.pages) == 2 + 4 * 2 and len(pdf.Root.StructTreeRoot.IDTree.Names) >= 2 * 5
    for known in ([*paths[:3], None, paths[4]], paths, [paths[0], None, None, None, None]):
        ahead = merge.Join(paths[0])
        ahead.prepare(known)
        assert joined("ahead.pdf", ahead, paths) == at_once, known
    # piece 2 changed after it was copied ahead: the same file as a join at once of the new list
    changed = [paths[0], paths[1], other[1], paths[3], paths[4]]
    ahead = merge.Join(paths[0])
    ahead.prepare(paths)
    assert not ahead.in_order(changed)
    assert joined("ahead.pdf", ahead, changed) == joined("at-once-2.pdf", None, changed)
    # another front matter: the same
    ahead = merge.Join(other[0])
    assert not ahead.in_order(paths)
