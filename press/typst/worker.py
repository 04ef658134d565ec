"""The Typst compile in a process of its own: no process holds the Sphinx environment and a
Typst layout at once.

:class:`Worker` stands in for a ``typst.Compiler`` in the build (same ``compile_with_warnings``
and ``query`` calls, same ``typst.TypstError`` and ``typst.TypstWarning`` with the same
``message``, ``hints``, ``diagnostic`` and ``trace``, so :mod:`press.typst.errors` maps them
to the author's file:line as before); the compile itself runs in a child started with
``python -I worker.py`` by path (this file imports ``typst`` and the standard library only,
nothing of Sphinx; :mod:`press.typst.level`, which levels facing pages in the child, loaded by
path): a fresh interpreter, never a fork of the process that holds the book's environment
and doctrees.

**Lifetime.** The child lives from the first compile to :meth:`Worker.done`, which the
build calls once the PDF and its page map are read: the child then exits and its memory
(the whole book's layout) goes back to the system while the EPUB and the web book are
written.  A preview (``press serve``, whose compilers outlive each build:
``keep=True``) keeps it between builds instead, so the compiler's parsed files, fonts and memoised layout make each
recompile after a save incremental, as before; the child exits when its parent does (end
of its input, or its parent gone: it looks every second).

**Protocol** (private to this file): one JSON line per request on the child's standard
input, ``{"op": "compile", ...}``, ``{"op": "layout", ...}`` or ``{"op": "query", ...}``; one JSON line per answer on
the answer pipe (the child's standard output; what Typst itself prints goes to standard
error), followed for a compiled PDF by its bytes.  The PDF is the same bytes as an
in-process compile: same wheel, same call, same arguments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import typst

#: this file, run by path in the child
SCRIPT = Path(__file__).resolve()
#: the PDF standard every compile of the book asks for: PDF/UA-1 (tagged, pdfuaid in XMP,
#: DisplayDocTitle)
PDF_STANDARDS = ["ua-1"]
_FIELDS = ("message", "hints", "diagnostic", "trace")


def _plain(diag: Any) -> dict[str, Any]:
    return {f: getattr(diag, f, None) or ([] if f in ("hints", "trace") else "") for f in _FIELDS} | {
        "text": str(diag)}


def _rebuilt(cls: type, data: dict[str, Any]) -> Any:
    diag = cls(data.get("text") or data.get("message") or "")
    for field in _FIELDS:
        setattr(diag, field, data.get(field))
    return diag


class _Spawning:
    """Processes started from a build's threads while another thread may fork.

    ``subprocess.Popen`` waits, after its fork, on a pipe that only the new process's exec
    closes.  A process forked at that moment by another thread *without* an exec
    (sphinx-sitemap's ``multiprocessing.Manager``, made at each application's
    ``builder-inited``; a forked reader or writer) keeps a copy of that pipe for its whole
    life, and the wait never ends: the build hung (an edit build of the light bench book, the
    EPUB's application starting while the PDF's pieces started their compile processes).
    So press starts its processes (:func:`start`) under one lock that every fork of this
    process waits for (``os.register_at_fork``), and a forked child closes the pipes to the
    compile processes (:attr:`fds`), so a compile process still sees the end of its input
    when the build closes it.  One per process, as forks are."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fds: set[int] = set()
        # One lock for the process's life: a forked child releases the copy it inherited held
        # (its own forks, sphinx-sitemap's Manager in the web book's process, wait on it).
        # The parent's hooks are the lock's own methods, not Python functions: a Python
        # function would take a pending Ctrl-C as its KeyboardInterrupt, which a fork hook
        # cannot raise, and the interrupt would be lost (seen: a build that ran to the end).
        self.hooks = (self.lock.acquire, self.lock.release)
        os.register_at_fork(before=self.hooks[0], after_in_parent=self.hooks[1], after_in_child=self._forked)

    def _forked(self) -> None:
        if self.lock.locked():  # (held by the thread that forked: this process's only one now)
            self.lock.release()
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = set()


_SPAWNING = _Spawning()


def start(args: list[str], pipes_out_of_forks: bool = False, **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(args, **kwargs)``, never beside a fork (:class:`_Spawning`);
    ``pipes_out_of_forks``: its standard input and output are closed in a forked child
    (registered under the same lock, so no fork comes between)."""
    with _SPAWNING.lock:
        proc = subprocess.Popen(args, **kwargs)
        if pipes_out_of_forks:
            _SPAWNING.fds |= {s.fileno() for s in (proc.stdin, proc.stdout) if s is not None}
        return proc


def close_pipes(*streams: Any) -> None:
    """Close pipes to a process :func:`start` made with ``pipes_out_of_forks``, forgetting
    them under the same lock: no fork comes between (it would inherit them), and a later
    file with the same number is never closed in a forked child."""
    with _SPAWNING.lock:
        for stream in streams:
            if stream is not None and not stream.closed:
                _SPAWNING.fds.discard(stream.fileno())
                stream.close()


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(args, capture_output=True, **kwargs)`` started by :func:`start`."""
    with start(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs) as proc:
        out, err = proc.communicate()
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


class WorkerDied(RuntimeError):
    """The compile process ended without an answer (killed, out of memory, a crash)."""


class Worker:
    """A ``typst.Compiler`` for one root folder and its fonts, in a child process."""

    def __init__(self, root: str, font_paths: list[str], keep: bool = False) -> None:
        self.root, self.font_paths = root, list(font_paths)
        self.keep = keep  # the child stays after :meth:`done` (press serve)
        self.uses = 0  # compiles done for press serve's kept pieces (pieces.KeptWorkers)
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    # -- the child --------------------------------------------------------------------------
    def _started(self) -> subprocess.Popen[bytes]:
        if self.proc is not None and self.proc.poll() is not None:  # it ended: its pipes go first
            close_pipes(self.proc.stdin, self.proc.stdout)
            self.proc = None
        if self.proc is None:
            self.proc = start([sys.executable, "-I", str(SCRIPT), self.root, json.dumps(self.font_paths)],
                              pipes_out_of_forks=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None)
        return self.proc

    def _ask(self, request: dict[str, Any]) -> tuple[dict[str, Any], BinaryIO]:
        proc = self._started()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        if not line:
            code = proc.wait()
            close_pipes(proc.stdin, proc.stdout)
            self.proc = None
            raise WorkerDied(f"press: the Typst compile process ended without an answer (exit status {code})")
        answer = json.loads(line)
        if "crash" in answer:
            raise WorkerDied(f"press: the Typst compile process failed:\n{answer['crash']}")
        return answer, proc.stdout

    # -- what the build calls (the ``typst.Compiler`` methods it uses) ----------------------
    def compile_with_warnings(self, input: str, format: str = "pdf", timestamp: int | None = None,
                              pdf_standards: list[str] | None = None) -> tuple[bytes, list[Any]]:
        data, warnings, _ = self._compiled({"op": "compile", "input": str(input), "format": format,
                                            "timestamp": timestamp, "pdf_standards": pdf_standards})
        return data, warnings

    def compile_levelled(self, input: str, timestamp: int | None = None, pdf_standards: list[str] | None = None,
                         then: dict[str, Any] | None = None) -> tuple[bytes, list[Any], dict[str, Any], str | None]:
        """Compile, then end facing pages level (:func:`press.typst.level.level`) in the child:
        ``(pdf, warnings of the first compile, level report, then)``, where ``then`` is the
        answer to the query ``then`` (``selector``, ``field``, ``one``; ``optional``: ``None``
        instead of an error if the query fails) about the PDF's layout, or ``None``.  The
        levelling reads the PDF back with PDFium where the PDF is, in the compile process:
        pieces are levelled in parallel, and no PDF but the last is sent."""
        data, warnings, answer = self._compiled({"op": "compile", "input": str(input), "format": "pdf",
                                                 "timestamp": timestamp, "pdf_standards": pdf_standards,
                                                 "level": True, "then": then})
        return data, warnings, answer.get("report") or {}, answer.get("then")

    def _compiled(self, request: dict[str, Any]) -> tuple[bytes, list[Any], dict[str, Any]]:
        """One compile request: ``(pdf, warnings, the answer's other fields)``."""
        with self.lock:
            answer, stream = self._ask(request)
            if "error" in answer:
                raise _rebuilt(typst.TypstError, answer["error"])
            data = stream.read(answer["size"])
        if len(data) != answer["size"]:
            raise WorkerDied("press: the Typst compile process ended while sending the PDF")
        return data, [_rebuilt(typst.TypstWarning, w) for w in answer["warnings"]], answer

    def layout(self, input: str, selector: str, field: str | None = None, one: bool = False) -> str:
        """Lay ``input`` out and answer the query ``selector`` about it, with no PDF made (a
        piece's provisional compile: only its page map is needed); later compiles in this
        process reuse the layout."""
        return self._value({"op": "layout", "input": str(input), "selector": selector, "field": field, "one": one})

    def query(self, selector: str, field: str | None = None, one: bool = False) -> str:
        return self._value({"op": "query", "selector": selector, "field": field, "one": one})

    def _value(self, request: dict[str, Any]) -> str:
        """One query request (``layout`` or ``query``): its answer's value."""
        with self.lock:
            answer, _ = self._ask(request)
        if "error" in answer:
            raise _rebuilt(typst.TypstError, answer["error"])
        return answer["value"]

    def done(self) -> None:
        """The build has what it needs: end the child (its memory is freed), unless kept."""
        if not self.keep:
            self.close()

    def close(self) -> None:
        """End of input: the child exits.  It is waited for in a thread of its own: handing a
        whole book's layout back to the system takes a moment nobody needs to wait for."""
        with self.lock:
            proc, self.proc = self.proc, None
        if proc is None:
            return
        close_pipes(proc.stdin, proc.stdout)  # (forgotten before their numbers can be reused)
        threading.Thread(target=_reap, args=(proc,), name="press-typst-exit", daemon=True).start()


def _reap(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve(root: str, font_paths: list[str], requests: BinaryIO, answers: BinaryIO) -> None:
    """The child's loop: one compiler for ``root`` and ``font_paths``, until end of input."""
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=font_paths)
    compiler = typst.Compiler(root=root, font_paths=fonts, ignore_system_fonts=True)

    def say(answer: dict[str, Any], data: bytes = b"") -> None:
        answers.write(json.dumps(answer).encode() + b"\n" + data)
        answers.flush()

    for line in requests:
        request = json.loads(line)
        try:
            if request["op"] == "compile":
                pdf, warnings = compiler.compile_with_warnings(
                    input=request["input"], format=request["format"], timestamp=request["timestamp"],
                    pdf_standards=request["pdf_standards"])
                extra: dict[str, Any] = {}
                if request.get("level"):
                    pdf, extra["report"], extra["then"] = _levelled(compiler, request, pdf)
                say({"size": len(pdf), "warnings": [_plain(w) for w in warnings or []], **extra}, pdf)
                del pdf
            else:
                if request["op"] == "layout":  # a compiler whose document is the input (Typst's
                    # memoised layout is the process's: the next compiles reuse it)
                    compiler = typst.Compiler(input=request["input"], root=root, font_paths=fonts,
                                              ignore_system_fonts=True)
                    try:
                        value = compiler.query(request["selector"], field=request["field"], one=request["one"])
                    except Exception:  # a query's error is plain text: the compile's has Typst's spans
                        compiler.compile_with_warnings(input=request["input"], format="pdf")
                        raise
                else:
                    value = compiler.query(request["selector"], field=request["field"], one=request["one"])
                say({"value": value})
        except typst.TypstError as exc:
            say({"error": _plain(exc)})
        except Exception:  # noqa: BLE001 - reported by the build as a crash of this process
            import traceback

            say({"crash": traceback.format_exc()})


def _levelled(compiler: Any, request: dict[str, Any], pdf: bytes) -> tuple[bytes, dict[str, Any], str | None]:
    """:func:`press.typst.level.level` on the PDF just compiled, with this process's compiler
    (its memoised layout), and the ``then`` query once the compiler's last document is the
    PDF's."""
    level = _level_module()

    def compile_(path: Path) -> bytes:
        return compiler.compile_with_warnings(input=str(path), format=request["format"], timestamp=request["timestamp"],
                                              pdf_standards=request["pdf_standards"])[0]

    def query(selector: str, field: str | None = None, one: bool = False) -> str:
        return compiler.query(selector, field=field, one=one)

    then = request.get("then")

    def answer() -> str | None:
        if not then:
            return None
        try:
            return query(then["selector"], then.get("field"), then.get("one", False))
        except typst.TypstError:
            if then.get("optional"):  # (the whole book's page map: no page list, never a failure)
                return None
            raise

    return level.level(Path(request["input"]), pdf, compile_, query, answer)


def _level_module() -> Any:
    """:mod:`press.typst.level` (standard library and pypdfium2 only), loaded by path as this
    file is run by path."""
    name = "press_typst_level"
    if name not in sys.modules:
        import importlib.util

        spec = importlib.util.spec_from_file_location(name, SCRIPT.with_name("level.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _exit_with(parent: int) -> None:
    """End this process when the build that started it is gone, even while Typst works and
    even if a process the build forked (sphinx-sitemap's manager) still holds our input open."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str]) -> int:
    threading.Thread(target=_exit_with, args=(os.getppid(),), name="press-typst-orphan", daemon=True).start()
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to standard error, never into the answers
    try:
        serve(argv[0], json.loads(argv[1]), sys.stdin.buffer, answers)
    except (KeyboardInterrupt, BrokenPipeError):
        return 1
    # every answer is sent: end without handing the compiler's memoised layout back piece by
    # piece (0.04-0.07 s of CPU a piece on pbdl, beside the compiles still running)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
