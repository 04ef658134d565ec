"""``make serve`` / ``python -m press.serve``: a live preview of the real, strict build.

* At start, :func:`press.engine.build_book` builds all three formats (one read).
* A small HTTP server (standard library) serves ``OUT/html``; every HTML page it
  sends carries a few lines of script that reload the page when a new build is
  published (no extra dependency, nothing from the network).
* The source folder and ``conf.py`` are polled five times a second.  After a save the
  web book is rebuilt first (only the pages that changed), so the browser shows
  the change within seconds; then the PDF and the EPUB are rebuilt in the same
  process, whose Typst compile process (:mod:`press.typst.worker`) is kept between
  builds, so the compiler of the first build is reused and the recompile is
  incremental, and the web book's download links get the new files.
* Errors are the build's own: ``path/page.md:LINE: ...`` in the terminal; the
  last good output stays on screen until the page is fixed.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import http.server
import os
import sys
import threading
import time
from pathlib import Path

from .engine import build_book

POLL = 0.2  # seconds between looks at the source tree (a stat per file: 7 ms for 2,000 pages)
RELOAD = b"""<script>/* press serve: reload when a new build is published */
(function(){var v=null;setInterval(function(){fetch("/__press_build").then(function(r){return r.text()})
.then(function(t){if(v===null){v=t}else if(t!==v){location.reload()}}).catch(function(){})},1000)})();
</script>"""


def _allow_reload(page: bytes) -> bytes:
    """The page's Content-Security-Policy (:mod:`press.web.csp`) also lets the reload script
    run, by the hash of its text."""
    body = RELOAD.split(b">", 1)[1].rsplit(b"</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(body).digest())
    return page.replace(b"script-src 'self'", b"script-src 'self' 'sha256-" + digest + b"'", 1)


class Preview:
    """The builds of one preview session; ``generation`` counts published builds."""

    def __init__(self, source: Path, conf: Path, out: Path) -> None:
        self.source, self.conf, self.out = source, conf, out
        self.generation = 0
        #: the Typst compilers of the first build, reused by every rebuild (press.state)
        self.compilers: dict = {}
        self.changed = threading.Event()
        self.stop = threading.Event()

    def snapshot(self) -> dict[str, int]:
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
        return files

    def build(self, formats: list[str] | None) -> int:
        status = build_book(formats, self.source, self.conf, self.out, strict=True, fork=False,  # our server threads
                            compilers=self.compilers)
        if status == 0:
            self.generation += 1
        return status

    def watch(self, seen: dict[str, int]) -> None:
        """Poll until stopped; ``seen`` is the tree the last build started from."""
        while not self.stop.wait(POLL):
            now = self.snapshot()
            if now != seen:
                seen = now
                self.changed.set()

    def work(self) -> None:
        """Web book first after each save, then the PDF and EPUB (and their download copies)."""
        while not self.stop.is_set():
            if not self.changed.wait(POLL):
                continue
            self.changed.clear()
            time.sleep(0.05)  # let an editor finish writing
            self.changed.clear()
            if self.build(["html"]) != 0:
                print("press serve: fix the page and save: the preview keeps the last good build", flush=True)
                continue
            if self.changed.is_set():
                continue  # another save: the web book first again
            self.build(None)


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: object) -> None:  # quiet: the build talks
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/__press_build":
            self._send(str(self.preview.generation).encode(), "text/plain")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes()
            at = page.rfind(b"</body>")
            page = page[:at] + RELOAD + page[at:] if at >= 0 else page + RELOAD
            page = _allow_reload(page)
            self._send(page, "text/html; charset=utf-8")
            return
        super().do_GET()

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


def serve(source: Path, conf: Path, out: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, serve ``OUT/html`` at ``http://host:port/`` and rebuild on every save."""
    preview = Preview(Path(source).resolve(), Path(conf).resolve(), Path(out).resolve())
    seen = preview.snapshot()  # before the first build: a save during it is not missed
    status = preview.build(None)
    if status != 0 and not (preview.out / "html" / "index.html").is_file():
        print("press serve: the first build failed and there is no earlier web book to show", file=sys.stderr)
        return status
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    httpd = http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(preview.out / "html")))
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
        preview.stop.set()
        httpd.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m press.serve", description="Live preview of the strict build.")
    parser.add_argument("--source", type=Path, default=Path("source"))
    parser.add_argument("--conf", type=Path, default=Path("."))
    parser.add_argument("--out", type=Path, default=Path("_build"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    return serve(args.source, args.conf, args.out, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
