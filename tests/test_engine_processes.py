"""press.engine.processes: the web book's own doctree folder (it starts as soon as the book
is read, on a copy; what it writes there is kept for the next build)."""

from __future__ import annotations

import os
import time

from press.engine import processes


def test_the_web_book_gets_a_copy_and_its_records_come_back(tmp_path):
    shared, own = tmp_path / "doctrees", tmp_path / "doctrees-web"
    (shared / "press-pdf-pieces").mkdir(parents=True)
    (shared / "press-pdf-pieces" / "a.pdf").write_bytes(b"%PDF")
    (shared / "page.doctree").write_bytes(b"tree")
    (shared / "environment.pickle").write_bytes(b"env as read")
    (shared / "press-tags.sha256").write_text("old", encoding="utf-8")
    (shared / "press-previews.json").write_text("{}", encoding="utf-8")
    copied = processes._web_doctrees(shared, own)
    # a copy, not links: the parent saves its environment in place and the web book never sees it
    assert (own / "environment.pickle").read_bytes() == b"env as read"
    assert os.stat(own / "environment.pickle").st_ino != os.stat(shared / "environment.pickle").st_ino
    assert not (own / "press-pdf-pieces").exists()  # the PDF's pieces: never read by the web book
    (shared / "environment.pickle").write_bytes(b"the EPUB's")
    assert (own / "environment.pickle").read_bytes() == b"env as read"
    time.sleep(0.01)
    (own / "environment.pickle").write_bytes(b"the web book's")  # its own: not kept
    (own / "page.doctree").write_bytes(b"the web book read it")  # a doctree: the parent's is kept
    (own / "press-tags.sha256").write_text("new", encoding="utf-8")  # a record it rewrote
    (own / "press-jinja" / "html").mkdir(parents=True)
    (own / "press-jinja" / "html" / "t.cache").write_bytes(b"bytecode")  # a record it made
    processes._keep_web_records(own, shared, copied)
    assert not own.exists()
    assert (shared / "environment.pickle").read_bytes() == b"the EPUB's"
    assert (shared / "page.doctree").read_bytes() == b"tree"
    assert (shared / "press-tags.sha256").read_text(encoding="utf-8") == "new"
    assert (shared / "press-jinja" / "html" / "t.cache").read_bytes() == b"bytecode"
    assert (shared / "press-previews.json").read_text(encoding="utf-8") == "{}"
    assert (shared / "press-pdf-pieces" / "a.pdf").is_file()
