"""No network at build time, proven two ways (issue 12).

1. In-process: ``socket`` is replaced by a blocker that records every attempt
   to resolve a name or open a connection, and the base book of the bad-input
   corpus is built with the ``html``, ``epub`` and ``typst`` builders.  Every
   build succeeds with no message and nothing tried to connect.
2. Out of process: the command ``make`` runs (``python -m press build pdf epub
   html``) in a fresh network namespace with no interface but a downed
   loopback (``unshare -n``), under ``strace`` watching ``connect``: it
   succeeds, and no ``connect`` to an IPv4 or IPv6 address was even attempted
   (this also covers the Typst compiler, which is Rust, not Python sockets).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_in_process

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parents[1]
BASE = Path(__file__).resolve().parent / "bad_input" / "base"


class Blocked(OSError):
    pass


@pytest.fixture
def no_sockets(monkeypatch):
    """Record and refuse every name lookup and connection made from Python."""
    attempts: list[str] = []

    def refuse(what):
        def _refuse(*args, **kwargs):
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise Blocked(f"network blocked during the build: {what}")
        return _refuse

    def network_only(real, what):
        # A Unix-domain socket is a local pipe, not the network: multiprocessing's proxies
        # (a manager left by an earlier test in this worker, finalised by the collector
        # during this one) connect to their listener file in /tmp that way.
        def _connect(self, *args, **kwargs):
            if self.family == socket.AF_UNIX:
                return real(self, *args, **kwargs)
            return refuse(what)(self, *args, **kwargs)
        return _connect

    gc.collect()  # finalise what earlier tests left before the build starts
    monkeypatch.setattr(socket.socket, "connect", network_only(socket.socket.connect, "socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", network_only(socket.socket.connect_ex, "socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    return attempts


@pytest.mark.parametrize("builder", ["html", "epub", "typst"])
def test_build_with_sockets_blocked(builder, tmp_path, no_sockets):
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    built = build_in_process(builder, src)
    assert built.warnings == "", built.warnings
    assert no_sockets == [], no_sockets
    out = built.outdir
    written = {"html": "index.html", "epub": "*.epub", "typst": "*.pdf"}[builder]
    assert list(out.glob(written)), sorted(p.name for p in out.iterdir())


def test_press_build_in_a_network_namespace(tmp_path):
    src = tmp_path / "book"
    shutil.copytree(BASE, src)
    trace = tmp_path / "connect.trace"
    out = tmp_path / "_build"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    cmd = [
        "unshare", "-n", "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
        sys.executable, "-m", "press", "build", "pdf", "epub", "html",
        "--source", str(src), "--conf", str(src), "--out", str(out),
    ]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "html" / "index.html").is_file()
    assert list((out / "pdf").glob("*.pdf")) and list((out / "epub").glob("*.epub"))
    assert trace.is_file(), "strace wrote no trace"
    calls = trace.read_text()
    inet = [line for line in calls.splitlines() if re.search(r"sa_family=AF_INET6?\b", line)]
    assert inet == [], inet
