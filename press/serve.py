"""``make serve`` / ``python -m press.serve``: a live preview of the real, strict build.

* At start, :func:`press.engine.build_book` builds all three formats (one read) in the
  server's **build process** (:class:`Builds`, started with ``spawn``: no server thread is
  copied into it, so the engine may fork the web book beside the EPUB there, and the Typst
  compile process it keeps between builds makes each PDF recompile incremental).
* A small HTTP server (standard library) serves ``OUT/html``; every HTML page it sends
  carries a few lines of script that ask the server (one long-held request) whether *this
  page* changed, and reload it the moment it did (no extra dependency, nothing from the
  network).
* The source folder and ``conf.py`` are polled (every 50 ms on a 200-page book; slower on
  bigger ones).  After a prose edit the saved page is rendered at once by a warm web-book
  application in the server's process (:class:`press.preview.PagePreview`: only that page,
  about 0.1 s) and shown in place of the published file; then the build process makes the
  full incremental build — numbering, the other pages, search index, sitemap, web zip,
  offline precache, EPUB and PDF — and publishes it, byte for byte a cold build, after which
  the published files are served again.  A save the fast path cannot show faithfully (a page
  added or removed, ``conf.py``, a bibliography, a warning) is built as before: the web book
  first, then the three formats.
* Errors are the build's own: ``path/page.md:LINE: ...`` in the terminal; the
  last good output stays on screen until the page is fixed.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import http.server
import multiprocessing
import os
import signal
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .engine import build_book

POLL = 0.2  # seconds between looks at the source tree, at most (a stat per file: 7 ms for 2,000 pages)
QUICK = 0.05  # ... and at least
SETTLE = 0.03  # after a save, let the editor finish writing
HOLD = 25.0  # seconds the server holds a page's "did I change?" request
RELOAD = """<script>/* press serve: reload this page when it changes */
(function(){var v="%s",p=location.pathname;function ask(){fetch("/__press_build?page="+encodeURIComponent(p)+"&seen="+v)
.then(function(r){return r.text()}).then(function(t){if(t!==v){location.reload()}else{ask()}})
.catch(function(){setTimeout(ask,1000)})}ask()})();
</script>"""


#: What the preview answers for the web book's service worker (``sw.js``, :mod:`press.web.offline`):
#: one that removes itself.  The book's worker answers pages from its cache first, so a
#: preview's page would never change in the browser; this also undoes one installed earlier.
NO_WORKER = b"""/* press serve: no offline copy while previewing */
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); })
    .then(function () { return self.registration.unregister(); }));
});
"""


def _reload_script(token: str) -> bytes:
    return (RELOAD % token).encode("utf-8")


def _allow_reload(page: bytes, script: bytes) -> bytes:
    """The page's Content-Security-Policy (:mod:`press.web.csp`) also lets the reload script
    run, by the hash of its text."""
    body = script.split(b">", 1)[1].rsplit(b"</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(body).digest())
    return page.replace(b"script-src 'self'", b"script-src 'self' 'sha256-" + digest + b"'", 1)


def _stop_on_sigterm() -> None:
    """SIGTERM as Ctrl-C: the build in progress is abandoned cleanly (press.engine)."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


def _build_process(conn: Any, source: Path, conf: Path, out: Path) -> None:
    """The build process: one :func:`build_book` per request (a list of formats), its exit
    status sent back; the Typst compilers are kept between builds (incremental PDF)."""
    _stop_on_sigterm()
    compilers: dict = {}
    try:
        while True:
            try:
                formats = conn.recv()
            except (EOFError, OSError):
                return  # the server is gone
            try:
                status = build_book(formats, source, conf, out, strict=True, compilers=compilers)
            except Exception:  # noqa: BLE001 - a bug of ours: said, and the server goes on
                import traceback

                traceback.print_exc()
                status = 2
            conn.send(status)
    except KeyboardInterrupt:
        return
    finally:
        # stopping: a second signal (the server's, after its process group's) must not break
        # the exit handlers that stop what the build's extensions started
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


class Builds:
    """The server's build process (``spawn``: a clean interpreter; state of one preview)."""

    def __init__(self, source: Path, conf: Path, out: Path) -> None:
        self.args = (source, conf, out)
        self.spawn()

    def spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_build_process, args=(child, *self.args), name="press-serve-build")
        # (not a daemon: the build's extensions start processes of their own, e.g. sphinx-sitemap)
        self.proc.start()
        child.close()

    def start(self, formats: list[str] | None) -> None:
        if not self.proc.is_alive():  # it died (killed, out of memory): a new one
            self.conn.close()
            self.spawn()
        self.conn.send(formats)

    def done(self, timeout: float) -> int | None:
        """The status of the build started last, or None while it runs."""
        if not self.conn.poll(timeout):
            if not self.proc.is_alive():
                return 1
            return None
        try:
            return int(self.conn.recv())
        except (EOFError, OSError):
            return 1

    def run(self, formats: list[str] | None) -> int:
        self.start(formats)
        while True:
            status = self.done(1.0)
            if status is not None:
                return status

    def stop(self) -> None:
        self.conn.close()
        if self.proc.is_alive():
            self.proc.terminate()  # SIGTERM: the build in progress is abandoned (staging removed)
            self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)


class Preview:
    """One preview session: the builds, the pages shown before their build is published
    (``shown``), and ``generation``, which counts the changes shown (a page rendered by the
    fast path, a build published)."""

    def __init__(self, source: Path, conf: Path, out: Path) -> None:
        self.source, self.conf, self.out = source, conf, out
        self.generation = 0
        self.builds: Builds | None = None
        self.pages: Any = None  # press.preview.PagePreview, made after the first build
        #: URL path -> (save number, bytes): pages rendered by the fast path, newer than the published ones
        self.shown: dict[str, tuple[int, bytes]] = {}
        self.saves = 0
        #: (what, seconds since the epoch) for each step shown: "page" (fast path), "html", "all"
        self.log: list[tuple[str, float]] = []
        self.news = threading.Condition()
        self.changed = threading.Event()
        self.stop = threading.Event()
        self.files: list[str] = []  # the paths changed since the last look of the worker
        self.poll = POLL
        self.stale = False  # the fast path refused a save: its application is remade after the build

    def snapshot(self) -> dict[str, int]:
        started = time.perf_counter()
        files = {}
        for root, dirs, names in os.walk(self.source):
            dirs[:] = [d for d in dirs if not d.startswith((".", "_build"))]
            for name in names:
                path = os.path.join(root, name)
                try:
                    files[path] = os.stat(path).st_mtime_ns
                except OSError:
                    pass
        conf_py = self.conf / "conf.py"
        if conf_py.is_file():
            files[str(conf_py)] = conf_py.stat().st_mtime_ns
        # look often on a small book, less on a big one (at most ~5% of a core)
        self.poll = min(POLL, max(QUICK, 20 * (time.perf_counter() - started)))
        return files

    # -- what the server sends -------------------------------------------------------------
    def page(self, path: Path) -> bytes | None:
        """The bytes of a page of the web book: the fast path's if newer, else the published file."""
        try:
            url = "/" + path.relative_to(self.out / "html").as_posix()
        except ValueError:
            url = None
        with self.news:
            if url in self.shown:
                return self.shown[url][1]
        try:
            return path.read_bytes()
        except OSError:
            return None

    def token(self, path: Path) -> str:
        page = self.page(path)
        return hashlib.sha256(page or b"").hexdigest()[:16]

    def wait_for_change(self, path: Path, seen: str, timeout: float = HOLD) -> str:
        """The page's token once it differs from ``seen`` (or after ``timeout``)."""
        end = time.monotonic() + timeout
        with self.news:
            while True:
                token = self.token(path)
                left = end - time.monotonic()
                if token != seen or left <= 0 or self.stop.is_set():
                    return token
                self.news.wait(min(left, 1.0))

    def announce(self, what: str) -> None:
        with self.news:
            self.generation += 1
            self.log.append((what, time.time()))
            self.news.notify_all()

    # -- the builds ------------------------------------------------------------------------
    def build(self, formats: list[str] | None, saves: int | None = None) -> int:
        """One build in the build process, waited for (the fast path still answers saves
        meanwhile: :meth:`_wait`); published pages replace the fast path's up to ``saves``."""
        assert self.builds is not None
        upto = self.saves if saves is None else saves
        self.builds.start(formats)
        status = self._wait()
        if status == 0:
            with self.news:
                self.shown = {url: page for url, page in self.shown.items() if page[0] > upto}
            self.announce("all" if formats is None else "html")
        return status

    def _wait(self) -> int:
        assert self.builds is not None
        while True:
            status = self.builds.done(self.poll)
            if status is not None:
                return status
            if self.stop.is_set():
                return 130
            if self.changed.is_set():
                self._fast()  # a save during the build: shown now, built next

    def _fast(self) -> bool:
        """Show the saved pages at once if the fast path can (True); the full build follows."""
        time.sleep(SETTLE)
        self.changed.clear()
        with self.news:
            files, self.files = self.files, []
        self.saves += 1
        started = time.perf_counter()
        pages = self.pages.render(files) if self.pages is not None and self.pages.app is not None else None
        if pages is None:
            self.stale = True  # the warm application is made again after the next build
            return False
        with self.news:
            for url, page in pages.items():
                self.shown[url] = (self.saves, page)
        self.announce("page")
        print(f"press serve: {', '.join(sorted(pages))} shown ({time.perf_counter() - started:.2f} s); "
              "now the rest of the book and the PDF and EPUB", flush=True)
        return True

    def watch(self, seen: dict[str, int]) -> None:
        """Poll until stopped; ``seen`` is the tree the last build started from."""
        while not self.stop.wait(self.poll):
            now = self.snapshot()
            if now != seen:
                files = sorted(p for p in now.keys() | seen.keys() if now.get(p) != seen.get(p))
                seen = now
                with self.news:
                    self.files += [f for f in files if f not in self.files]
                self.changed.set()

    def work(self) -> None:
        """After each save: the page at once (fast path), then the full build; or, when the
        fast path cannot show it, the web book first and then the three formats."""
        from .preview import PagePreview

        self.pages = PagePreview(self.source, self.conf, self.out)
        self.stale = not self.pages.open()
        owed = False  # saves shown by the fast path but not yet built
        while not self.stop.is_set():
            if not owed and not self.changed.wait(self.poll):
                continue
            if self.changed.is_set():
                if self._fast():
                    owed = True
                else:
                    upto = self.saves
                    if self.build(["html"], upto) != 0:
                        print("press serve: fix the page and save: the preview keeps the last good build", flush=True)
                        owed = False
                        continue
                    owed = True
                if self.changed.is_set():
                    continue  # another save: that page first
            if owed:
                upto = self.saves
                status = self.build(None, upto)
                owed = self.saves > upto
                if status == 0 and (self.stale or self.pages.app is None):
                    self.stale = not self.pages.open()  # e.g. the book's structure changed
        self.pages.close()  # (docutils' tables as they were before the session)


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: object) -> None:  # quiet: the build talks
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__press_build":
            query = urllib.parse.parse_qs(url.query)
            if "page" not in query:  # the number of changes shown (tools, tests)
                self._send(str(self.preview.generation).encode(), "text/plain")
                return
            # held until this page changes: the page's script reloads it at once
            token = self.preview.wait_for_change(self._page(query["page"][0]), query.get("seen", [""])[0])
            self._send(token.encode(), "text/plain")
            return
        if url.path == "/sw.js":
            self._send(NO_WORKER, "text/javascript")
            return
        path = self._page(url.path)
        page = self.preview.page(path) if path.suffix == ".html" else None
        if page is not None:
            script = _reload_script(hashlib.sha256(page).hexdigest()[:16])
            at = page.rfind(b"</body>")
            page = page[:at] + script + page[at:] if at >= 0 else page + script
            self._send(_allow_reload(page, script), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _page(self, url_path: str) -> Path:
        path = Path(self.translate_path(url_path))
        return path / "index.html" if path.is_dir() or url_path.endswith("/") else path

    def _send(self, body: bytes, content_type: str) -> None:
        """A 200 answer that the browser must not cache (the build changes under it)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def translate_path(self, path: str) -> str:
        # The published folder is replaced by each build: resolve it per request.
        self.directory = str(self.preview.out / "html")
        return super().translate_path(path)


#: ``press serve`` without ``--port`` tries 8000 and the next ones up to this many.
PORTS = 20


def bind(host: str, port: int | None, handler: type) -> http.server.ThreadingHTTPServer | str:
    """The server on ``port`` (``None``: the first free one from 8000), or why it cannot listen."""
    tries = [port] if port is not None else list(range(8000, 8000 + PORTS))
    for number in tries:
        try:
            return http.server.ThreadingHTTPServer((host, number), handler)
        except OSError as exc:
            last = exc
    if port is not None:
        return (f"press serve: port {port} on {host} is in use ({last.strerror}); choose another with "
                f"--port {port + 1}, or leave --port out to take the next free one")
    return f"press serve: ports {tries[0]}-{tries[-1]} on {host} are all in use; choose one with --port N"


def serve(source: Path, conf: Path, out: Path, host: str = "127.0.0.1", port: int | None = None) -> int:
    """Listen on ``http://host:port/`` (before building: a busy port is said at once), build,
    serve ``OUT/html`` and rebuild on every save."""
    preview = Preview(Path(source).resolve(), Path(conf).resolve(), Path(out).resolve())
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    httpd = bind(host, port, functools.partial(handler, directory=str(preview.out / "html")))
    if isinstance(httpd, str):
        print(httpd, file=sys.stderr)
        return 2
    seen = preview.snapshot()  # before the first build: a save during it is not missed
    preview.builds = Builds(preview.source, preview.conf, preview.out)
    if threading.current_thread() is threading.main_thread():
        _stop_on_sigterm()  # (the build process is stopped below)
    try:
        status = preview.builds.run(None)
    except KeyboardInterrupt:
        preview.builds.stop()
        httpd.server_close()
        return 130
    if status == 0:
        preview.announce("all")
    if status != 0 and not (preview.out / "html" / "index.html").is_file():
        print("press serve: the first build failed and there is no earlier web book to show", file=sys.stderr)
        preview.builds.stop()
        httpd.server_close()
        return status
    threads = [threading.Thread(target=preview.watch, args=(seen,), daemon=True), threading.Thread(target=preview.work, daemon=True)]
    for t in threads:
        t.start()
    print(f"press serve: http://{host}:{httpd.server_address[1]}/ (Ctrl-C to stop); "
          f"watching {preview.source} and {preview.conf / 'conf.py'}", flush=True)
    try:
        httpd.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("\npress serve: stopped", flush=True)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already
        preview.stop.set()
        with preview.news:
            preview.news.notify_all()
        httpd.server_close()
        preview.builds.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m press.serve", description="Live preview of the strict build.")
    parser.add_argument("--source", type=Path, default=Path("source"))
    parser.add_argument("--conf", type=Path, default=Path("."))
    parser.add_argument("--out", type=Path, default=Path("_build"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    return serve(args.source, args.conf, args.out, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
