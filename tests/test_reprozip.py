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
    reprozip._write_with_zipfile(path, items, stamp, ("mimetype",), 9, comment)
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
