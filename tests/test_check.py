"""``press check``: strict build, external links (a local server stands in for the web),
EPUBCheck and PDF/UA in one table; exit 0 / 1 (a failure) / 3 (a check could not run)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from pathlib import Path

import pytest

from conftest import run_press
from press import check


@contextlib.contextmanager
def local_site():
    """An HTTP server on 127.0.0.1 answering /ok with 200 and anything else with 404."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/ok" else 404)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.book
def test_check_reports_a_broken_link_at_its_line_and_passes_the_rest(tmp_path):
    made = run_press("new", "book", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    book = tmp_path / "book"
    page = book / "source" / "getting-started" / "first-page.md"
    with local_site() as site:
        text = page.read_text()
        page.write_text(text + f"\nA [working link]({site}/ok) and a [broken one]({site}/gone).\n")
        line = len(text.split("\n")) + 1
        proc = run_press("check", cwd=book, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {r.split("  ")[0]: r for r in proc.stdout.splitlines() if r.startswith(("book", "external", "EPUB", "PDF"))}
    links = rows["external links"]  # (the template's DOI link is "unreachable" without a network)
    assert "FAILED" in links and "1 broken" in links and "1 working" in links, links
    assert " ok " in rows["book"] and " ok " in rows["EPUBCheck"] and " ok " in rows["PDF/UA"], proc.stdout
    assert f"first-page.md:{line}: broken link {site}/gone" in proc.stderr, proc.stderr


def test_exit_status_and_table(monkeypatch, capsys, tmp_path):
    results = {"book": check.Result("book", check.OK, "built"), "links": check.Result("external links", check.OK, "3 working"),
               "epub": check.Result("EPUBCheck", check.OK, "fine"), "pdf": check.Result("PDF/UA", check.OK, "fine")}
    monkeypatch.setattr(check, "check_book", lambda *a: results["book"])
    monkeypatch.setattr(check, "check_links", lambda *a: results["links"])
    monkeypatch.setattr(check, "check_epub", lambda *a: results["epub"])
    monkeypatch.setattr(check, "check_pdf", lambda *a: results["pdf"])
    assert check.run(tmp_path, tmp_path, tmp_path) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == ["check", "result", "details"] and "every check passed" in out
    results["links"] = check.Result("external links", check.SKIPPED, "no network: 2 external links were not checked")
    assert check.run(tmp_path, tmp_path, tmp_path) == 3
    assert "not every check could run" in capsys.readouterr().err
    results["epub"] = check.Result("EPUBCheck", check.FAILED, "2 problems")
    assert check.run(tmp_path, tmp_path, tmp_path) == 1
    capsys.readouterr()
    results["book"] = check.Result("book", check.FAILED, "the strict build failed")
    assert check.run(tmp_path, tmp_path, tmp_path) == 1
    assert "EPUBCheck" not in capsys.readouterr().out  # nothing else is checked after a failed build


def test_no_network_is_said_not_hidden():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert check._online([f"http://127.0.0.1:{port}/"], timeout=1) is False


def test_missing_tools_are_skipped_with_the_install_command(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_tools(name, *args, **kwargs):
        if name in ("epubcheck", "pdfua"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    for fmt, suffix in (("epub", "epub"), ("pdf", "pdf")):
        (tmp_path / fmt).mkdir()
        Path(tmp_path / fmt / f"b.{suffix}").write_bytes(b"x")
    monkeypatch.setattr(builtins, "__import__", no_tools)
    for result in (check.check_epub(tmp_path), check.check_pdf(tmp_path)):
        assert result.status == check.SKIPPED and "field-guide-press[check]" in result.detail
