"""press/reprozip.py: the zip laid out as zipfile lays it out, byte for byte, and an
unchanged entry's compressed data taken from the last zip (the web book's zip after an edit)."""

from __future__ import annotations

import random
import time
import zipfile

from press import reprozip

EPOCH = 1795564800
ITEMS = [("mimetype", b"application/epub+zip"), ("book/a.html", b"<p>hello</p>" * 500),
         ("book/\u00e9t\u00e9.txt", "not ASCII".encode()), ("book/empty", b""),
         ("book/noise.bin", random.Random(1).randbytes(20000))]


def _reference(path, items, epoch, comment=b""):
    """What the writer wrote before it was our own: zipfile, one writestr per entry."""
    stamp = time.gmtime(max(epoch or reprozip.ZIP_EPOCH, reprozip.ZIP_EPOCH))[:6]
    reprozip._write_with_zipfile(path, items, stamp, frozenset({"mimetype"}), 9, comment)
    return path.read_bytes()


def test_the_same_bytes_as_zipfile(tmp_path):
    for epoch in (None, EPOCH):
        out = tmp_path / "out.zip"
        reprozip.write_zip(out, ITEMS, epoch, stored=("mimetype",))
        assert out.read_bytes() == _reference(tmp_path / "ref.zip", ITEMS, epoch)
        with zipfile.ZipFile(out) as z:
            assert z.testzip() is None and [(i.filename, z.read(i)) for i in z.infolist()] == ITEMS


def test_reused_entries_give_the_bytes_of_a_fresh_zip(tmp_path, monkeypatch):
    out = tmp_path / "out.zip"
    reprozip.write_zip(out, ITEMS, EPOCH, stored=("mimetype",), reuse=True)
    comment = b"press: deflate level 9"
    assert out.read_bytes() == _reference(tmp_path / "ref.zip", ITEMS, EPOCH, comment)
    changed = [*ITEMS[:1], ("book/a.html", b"<p>edited</p>" * 500), *ITEMS[2:], ("book/new.txt", b"new")]
    compressed = []
    real = reprozip.zlib.compressobj

    def counting(*args):
        compressed.append(args)
        return real(*args)

    monkeypatch.setattr(reprozip.zlib, "compressobj", counting)
    reprozip.write_zip(out, changed, EPOCH, stored=("mimetype",), reuse=True)
    assert len(compressed) == 2  # the edited entry and the new one; the others are copied
    assert out.read_bytes() == _reference(tmp_path / "ref.zip", changed, EPOCH, comment)
    # a zip made at another level is never reused
    compressed.clear()
    reprozip.write_zip(out, changed, EPOCH, stored=("mimetype",), level=6, reuse=True)
    assert len(compressed) == len(changed) - 1


def test_packed_files_are_stored_not_deflated_again(tmp_path):
    """Images, fonts and PDFs are compressed already: ``store_packed`` stores them (a
    notebook book's PNGs and the web book's copy of the PDF were deflated for nothing), in
    the layout zipfile gives a stored entry; other files are still deflated."""
    items = [*ITEMS, ("book/figure.PNG", random.Random(2).randbytes(5000)), ("book/book.pdf", b"%PDF-1.7 ...")]
    out = tmp_path / "out.zip"
    reprozip.write_zip(out, items, EPOCH, stored=("mimetype",), store_packed=True)
    stamp = time.gmtime(EPOCH)[:6]
    reprozip._write_with_zipfile(tmp_path / "ref.zip", items, stamp,
                                 frozenset({"mimetype", "book/figure.PNG", "book/book.pdf"}), 9, b"")
    assert out.read_bytes() == (tmp_path / "ref.zip").read_bytes()
    with zipfile.ZipFile(out) as z:
        methods = {i.filename: i.compress_type for i in z.infolist()}
        assert [(i.filename, z.read(i)) for i in z.infolist()] == items
    assert methods["book/figure.PNG"] == methods["book/book.pdf"] == zipfile.ZIP_STORED
    assert methods["book/a.html"] == zipfile.ZIP_DEFLATED


def test_entries_packed_ahead_give_the_same_zip(tmp_path):
    # press.web.offline: the web book's files are packed while its process waits for the PDF;
    # after the wait only what changed is read again: the zip is the one written at once
    import os

    from press import reprozip
    from press.web import offline

    book = tmp_path / "html"
    (book / "_static").mkdir(parents=True)
    for i in range(5):
        (book / f"page-{i}.html").write_text(f"<p>page {i}</p>\n" * 50, encoding="utf-8")
    (book / "_static" / "logo.png").write_bytes(bytes(range(256)) * 4)
    (book / "sw.js").write_text("old worker", encoding="utf-8")
    ahead = offline.Ahead({"sw.js"})
    packer = reprozip.Packer(book / "book.zip", level=offline.LEVEL, reuse=True, store_packed=True)
    for rel in offline.book_files(book, {"book.zip"}):
        data = (book / rel).read_bytes()
        st = (book / rel).stat()
        ahead.files[rel] = ((st.st_mtime_ns, st.st_size), b"", packer.pack(f"b/{rel}", data))
    packer.close()
    # after the wait: a late file (same size, other bytes) and a page changed
    (book / "sw.js").write_text("new worker", encoding="utf-8")
    page = book / "page-2.html"
    page.write_text("<p>changed</p>\n", encoding="utf-8")
    os.utime(page, ns=(1, 1))
    offline.write_zip(book, "book.zip", "b", tmp_path, ahead.unchanged(book))
    packed_ahead = (book / "book.zip").read_bytes()
    (book / "book.zip").unlink()
    offline.write_zip(book, "book.zip", "b", tmp_path)
    assert packed_ahead == (book / "book.zip").read_bytes()
    with zipfile.ZipFile(book / "book.zip") as z:
        assert z.read("b/sw.js") == b"new worker" and z.read("b/page-2.html") == b"<p>changed</p>\n"
