"""Run one command in a child process; print JSON ``{"wall": s, "cpu": s, "maxrss_mb": MB,
"procs": {role: MB}, "status": n}``.

``python -m benchmarks.measure -- CMD ...``.  ``maxrss_mb`` is the largest resident set of
any one process of the command: ``ru_maxrss`` of ``RUSAGE_CHILDREN`` (every process the
command waited for; for ``latexpdf`` the biggest of Sphinx, latexmk and xelatex) or the
largest of ``procs``.  ``procs`` is the
peak resident set of each process of the build, by role (on Linux: the kernel's high-water
mark ``VmHWM`` of every descendant, read from ``/proc`` every 20 ms while it lives): the
build itself (``main``), its forked web book (``fork``), another copy of the build that
it forked (``helper``: sphinx-sitemap's manager process), the Typst compile (``typst``),
the PDF packing (``pack``), the join of a PDF compiled by pieces (``merge``), or the program's name.  A role seen more than once
keeps its largest process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

POLL = 0.02


def _children() -> dict[int, int]:
    """``{pid: parent pid}`` of every process on the machine."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat[stat.rfind(")") + 2:].split()[1])
    return found


def _group_leader(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return int(stat[stat.rfind(")") + 2:].split()[2]) == pid


def _role(pid: int, root: int, root_cmd: list[str]) -> tuple[str, int] | None:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    args = [c.decode(errors="replace") for c in cmd if c]
    if pid == root:
        role = "main"
    elif any(a.endswith("typst/worker.py") for a in args):
        role = "typst"
    elif any(a.endswith("typst/pack.py") for a in args):
        role = "pack"
    elif any(a.endswith("typst/merge.py") for a in args):
        role = "merge"
    elif args == root_cmd:  # the web book's process has a group of its own
        role = "fork" if _group_leader(pid) else "helper"
    else:
        role = Path(args[0]).name if args else "?"
    return role, hwm


def watch(root: int, root_cmd: list[str], peaks: dict[str, float], stop: threading.Event) -> None:
    """Record the peak resident set (MB) of ``root`` and its descendants, by role, until ``stop``.
    A copy of the build's process counts as its forked web book only once it has lived half a
    second (not the instant between ``fork`` and ``exec`` of a program it starts)."""
    sightings: dict[int, float] = {}
    while not stop.is_set():
        try:
            tree = _children()
        except OSError:
            break
        family, todo = {root}, [root]
        while todo:
            parent = todo.pop()
            kids = [p for p, pp in tree.items() if pp == parent and p not in family]
            family.update(kids)
            todo += kids
        for pid in family:
            seen = _role(pid, root, root_cmd)
            if seen is not None:
                role, hwm = seen
                if role in ("fork", "helper"):
                    first = sightings.setdefault(pid, time.monotonic())
                    if time.monotonic() - first < 0.5:
                        continue
                peaks[role] = max(peaks.get(role, 0.0), hwm / 1024)
        stop.wait(POLL)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[str, float] = {}
    stop = threading.Event()
    watcher = None
    if Path("/proc/self/status").is_file():
        # the command line as /proc shows it (the interpreter's own path for a Python script)
        time.sleep(0.01)
        try:
            root_cmd = [c.decode() for c in Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0") if c]
        except OSError:
            root_cmd = list(argv)
        watcher = threading.Thread(target=watch, args=(proc.pid, root_cmd, peaks, stop), daemon=True)
        watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    if watcher is not None:
        watcher.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # (a process its parent did not wait for is missing from RUSAGE_CHILDREN: take the largest seen)
    peak = max([usage.ru_maxrss / 1024, *peaks.values()])
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": peak,
                      "procs": {k: round(v) for k, v in sorted(peaks.items())},
                      "status": proc.returncode, "stderr": err[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
