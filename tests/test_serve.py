"""``press serve``'s fast path (issue 25): a save shows the saved page first, the rest later.

One preview session on a copy of ``tests/roots/test-book``, driven in this process like
:func:`press.serve.serve` drives it (its build process, watcher, worker and HTTP handler):
after a prose edit the page's held "did I change?" request answers with the new page
before the deferred full build is published; then the full build is published and every
format equals a cold build of the same sources, byte for byte.
"""

from __future__ import annotations

import functools
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOTS, run_press
from press.serve import Builds, Handler, Preview, bind
from press.preview import PagePreview

pytestmark = pytest.mark.book

FORMATS = ("pdf", "epub", "html")


def digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def wait(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"press serve: {what} did not happen in {seconds} s")
        time.sleep(0.05)


def test_a_save_shows_the_page_before_the_deferred_build_which_equals_a_cold_one(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(ROOTS / "test-book", src)
    preview = Preview(src, src, out)
    seen = preview.snapshot()
    preview.builds = Builds(src, src, out)
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    httpd = bind("127.0.0.1", 0, functools.partial(handler, directory=str(out / "html")))
    assert not isinstance(httpd, str)
    threads = [threading.Thread(target=preview.watch, args=(seen,)), threading.Thread(target=preview.work),
               threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)]
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    page = out / "html" / "alpha" / "able.html"
    try:
        assert preview.builds.run(None) == 0
        for t in threads:
            t.start()
        wait(lambda: isinstance(preview.pages, PagePreview) and preview.pages.app is not None, 300, "the warm application")
        with urllib.request.urlopen(url + "alpha/able.html", timeout=30) as response:
            served = response.read().decode("utf-8")
        assert "/__press_build?page=" in served  # the page's reload script, allowed by its policy
        token = served.split('var v="', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(url + "sw.js", timeout=30) as response:
            assert b"unregister()" in response.read()  # no offline worker answering from its cache
        answer: dict = {}

        def held() -> None:  # what the page's script asks: the answer comes when the page changed
            with urllib.request.urlopen(url + f"__press_build?page=%2Falpha%2Fable.html&seen={token}", timeout=120) as r:
                answer["token"] = r.read().decode()
            answer["log"] = [what for what, _ in preview.log]
            with urllib.request.urlopen(url + "alpha/able.html", timeout=30) as r:
                answer["page"] = r.read().decode("utf-8")
            answer["deferred"] = [what for what, _ in preview.log]

        asking = threading.Thread(target=held)
        asking.start()
        time.sleep(0.3)  # the request is held
        shown = len(preview.log)
        able = src / "alpha" / "able.md"
        able.write_text(able.read_text(encoding="utf-8") + "\nSaved while serving, zqxjfast.\n", encoding="utf-8")
        asking.join(150)
        assert answer["token"] != token
        # the reload signal fired when the fast path showed the page, before the deferred build
        assert answer["log"][shown:] == ["page"], answer
        assert answer["deferred"][shown:] == ["page"], answer
        assert "zqxjfast" in answer["page"]
        wait(lambda: "all" in [what for what, _ in preview.log[shown:]], 600, "the deferred build")
        assert [what for what, _ in preview.log[shown:]] == ["page", "all"]
        assert preview.shown == {}  # the published page is served again
        assert "zqxjfast" in page.read_text(encoding="utf-8")
        # the fast path wrote the page the full build wrote: the open page is not reloaded twice
        assert preview.token(page) == answer["token"]
    finally:
        preview.stop.set()
        httpd.shutdown()
        httpd.server_close()
        for t in threads[:2]:
            if t.is_alive():
                t.join(120)
        preview.builds.stop()
    assert preview.pages.app is None  # the warm application closed with the session
    cold = tmp_path / "cold"
    proc = run_press("build", *FORMATS, "--source", str(src), "--conf", str(src), "--out", str(cold))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for fmt in FORMATS:
        ours, theirs = digest(out / fmt), digest(cold / fmt)
        assert ours.keys() == theirs.keys(), fmt
        assert [name for name in ours if ours[name] != theirs[name]] == [], fmt


def test_the_fast_path_refuses_what_it_cannot_show(tmp_path):
    """A new page, conf.py or a non-page file: None (the full build shows it)."""
    preview = PagePreview(tmp_path, tmp_path, tmp_path / "out")
    assert preview.open() is False  # no published build yet
    assert preview.render([str(tmp_path / "new.md")]) is None
