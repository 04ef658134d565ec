"""Offline reading, in a real browser (Playwright + Chromium): the installable web app and the zip.

The book is the one ``press new`` makes, built with ``press build`` (``new_book``).
It is served from a sub-path (``/shelf/my-book/``) of a local server, as a host
such as GitHub Pages would.  The service worker must store the whole book on the
first visit; then the server stops and the browser goes offline, and the reader
still navigates three pages, searches and opens the PDF.  A rebuild with a
changed page gets a new version that replaces the old cache.  The zip, unzipped,
works from disk with search.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import struct
import threading
import zipfile
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from conftest import chromium_launch_options, run_press

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent / "_output" / "offline-screenshots"
SLUG = "my-book"
SEARCH_WORD = "Knuth"  # cited on the template's first page


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def serve(folder: Path, port: int = 0):
    httpd = Server(("127.0.0.1", port), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def book(new_book, tmp_path_factory):
    """A private copy of the new book (this module rebuilds it), served under /shelf/my-book/."""
    root = tmp_path_factory.mktemp("offline") / SLUG
    shutil.copytree(new_book.root, root)
    return root


@pytest.fixture(scope="module")
def browser(book):
    with sync_playwright() as p:
        b = p.chromium.launch(args=ARGS, **chromium_launch_options(p))
        yield b
        b.close()


def shelf(book: Path, tmp: Path) -> Path:
    """A web root with the built book copied to the sub-path shelf/my-book/."""
    web = tmp / "www"
    if web.exists():
        shutil.rmtree(web)
    shutil.copytree(book / "_build" / "html", web / "shelf" / SLUG)
    return web


def wait_until_cached(page: Page) -> dict:
    """Wait for the worker to control the page and for its cache to hold every file."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)  # a function: a string is eval()ed, which the CSP forbids
    return page.evaluate(
        """async () => {
            for (let i = 0; i < 600; i++) {
                const keys = (await caches.keys()).filter((k) => k.startsWith("press-book "));
                if (keys.length === 1) {
                    const cache = await caches.open(keys[0]);
                    const stored = (await cache.keys()).length;
                    return {keys, stored};
                }
                await new Promise((r) => setTimeout(r, 100));
            }
            return {keys: await caches.keys(), stored: 0};
        }"""
    )


def worker_files(html: Path) -> list[str]:
    source = (html / "sw.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"const FILES = (\[.*?\]);", source, re.S).group(1))


def test_manifest_icons_and_worker_are_in_the_book(new_book):
    html = new_book.html
    manifest = json.loads((html / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "My Book" and manifest["start_url"] == "./index.html" and manifest["scope"] == "./"
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        data = (html / icon["src"]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert icon["sizes"] == f"{width}x{height}" and width in (192, 512)
    for page in ("index.html", "getting-started/first-page.html", "search.html"):
        text = (html / page).read_text(encoding="utf-8")
        assert '<link rel="manifest" href="' in text and "press-offline.js" in text, page
    files = worker_files(html)
    on_disk = sorted(p.relative_to(html).as_posix() for p in html.rglob("*") if p.is_file())
    dev_only = {f for f in on_disk if f.endswith((".map", ".po", ".mo"))}
    assert any(f.endswith(".js.map") for f in dev_only)  # the theme ships source maps: not precached
    assert set(files) == set(on_disk) - {"sw.js", f"{SLUG}-web.zip", ".buildinfo"} - dev_only
    for needed in ("index.html", "searchindex.js", "_static/press-search-text.js", f"{SLUG}.pdf", f"{SLUG}.epub"):
        assert needed in files, needed


def test_the_zip_holds_the_whole_book_and_is_linked_beside_the_pdf_and_epub(new_book):
    html = new_book.html
    with zipfile.ZipFile(html / f"{SLUG}-web.zip") as zf:
        names = set(zf.namelist())
        assert all(n.startswith(f"{SLUG}/") for n in names)
        assert {n.removeprefix(f"{SLUG}/") for n in names} == {
            p.relative_to(html).as_posix() for p in html.rglob("*")
            if p.is_file() and p.name not in {f"{SLUG}-web.zip", ".buildinfo"}
            and not p.name.endswith((".map", ".po", ".mo"))  # developer tools' files, not the book's
        }
        assert zf.read(f"{SLUG}/index.html") == (html / "index.html").read_bytes()
    page = (html / "getting-started" / "first-page.html").read_text(encoding="utf-8")
    links = re.findall(r'class="press-download press-download-(\w+)" href="([^"]+)"', page)
    assert links == [("pdf", f"../{SLUG}.pdf"), ("epub", f"../{SLUG}.epub"), ("zip", f"../{SLUG}-web.zip")]


def test_unzipped_book_works_from_disk_with_search(new_book, browser, tmp_path):
    with zipfile.ZipFile(new_book.html / f"{SLUG}-web.zip") as zf:
        zf.extractall(tmp_path)
    index = tmp_path / SLUG / "index.html"
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(index.as_uri())
    page.get_by_role("link", name="the first section").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/getting-started/index.html")
    page.goto((tmp_path / SLUG / "search.html").as_uri() + f"?q={SEARCH_WORD}")
    result = page.locator("#search-results li").first
    result.wait_for(timeout=30_000)
    assert "A First Page" in result.inner_text()
    assert SEARCH_WORD in page.locator("#search-results li p.context").first.inner_text()
    assert not errors, errors
    context.close()


def test_web_app_keeps_the_whole_book_offline_and_a_new_build_replaces_it(book, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    html = book / "_build" / "html"
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serve(shelf(book, tmp_path)) as base:
        root = f"{base}shelf/{SLUG}/"
        page.goto(root + "index.html")
        state = wait_until_cached(page)
        assert len(state["keys"]) == 1 and state["keys"][0].startswith(f"press-book {root} ")
        assert state["stored"] == len(worker_files(html))
        # installable: Chromium finds no fault with the manifest, icons or worker (a test
        # browser context is always private, the one objection left)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getAppManifest")["errors"] == []
        faults = {e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]}
        cdp.detach()
        assert faults <= {"in-incognito"}, faults
    # the server is gone and the browser is offline: the book still reads, searches and opens its PDF
    context.set_offline(True)
    page.goto(root + "getting-started/index.html")
    assert page.locator("h1").first.inner_text().startswith("Getting Started")
    page.locator("a[href='first-page.html']").first.click()
    page.wait_for_load_state()
    assert page.url == root + "getting-started/first-page.html"
    assert page.locator("figure img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    page.goto(root + "bibliography.html")
    assert "Literate programming" in page.locator("main").inner_text()
    page.goto(root + f"search.html?q={SEARCH_WORD}")
    page.locator("#search-results li").first.wait_for(timeout=30_000)
    assert "A First Page" in page.locator("#search-results").inner_text()
    page.screenshot(path=str(SHOTS / "offline-search.png"))
    pdf = (html / f"{SLUG}.pdf").read_bytes()
    got = page.evaluate("async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer()))", root + f"{SLUG}.pdf")
    assert bytes(got) == pdf
    with page.expect_download() as info:
        page.locator(".press-downloads a.press-download-pdf").click()
    assert Path(info.value.path()).read_bytes() == pdf
    assert not errors, errors

    # a new build (one page changed) has a new version: its worker replaces the old cache
    old_version = re.search(r'const VERSION = "(\w+)"', (html / "sw.js").read_text()).group(1)
    page_md = book / "source" / "getting-started" / "index.md"
    page_md.write_text(page_md.read_text(encoding="utf-8") + "\nA sentence added in the second edition.\n", encoding="utf-8")
    rebuilt = run_press("build", "html", cwd=book)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    new_version = re.search(r'const VERSION = "(\w+)"', (html / "sw.js").read_text()).group(1)
    assert new_version != old_version
    context.set_offline(False)
    port = int(base.rsplit(":", 1)[1].strip("/"))
    with serve(shelf(book, tmp_path), port=port):  # the same origin, so the same worker checks for an update
        page.goto(root + "index.html")
        keys = page.evaluate(
            """async (v) => {
                for (let i = 0; i < 600; i++) {
                    const keys = (await caches.keys()).filter((k) => k.startsWith("press-book "));
                    if (keys.length === 1 && keys[0].endsWith(" " + v)) return keys;
                    await new Promise((r) => setTimeout(r, 100));
                }
                return await caches.keys();
            }""",
            new_version,
        )
        assert keys == [f"press-book {root} {new_version}"]  # the old cache is gone
    context.set_offline(True)
    page.goto(root + "getting-started/index.html")
    assert "second edition" in page.locator("main").inner_text()
    context.close()
