"""Where our PDF time goes: ``python -m benchmarks.phases BOOKDIR OUTDIR`` prints JSON.

Builds the book in-process with the ``typst`` builder and times each phase:
``read`` (Sphinx parses every page: MyST, transforms, environment), ``assemble``
(one doctree for the book, references resolved), ``write`` (our translator turns
it into Typst markup and writes ``<slug>.typ``) and ``compile`` (the ``typst``
wheel lays out and writes the PDF).
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import time
from pathlib import Path

from sphinx.application import Sphinx

from press.typst.builder import TypstBuilder


def main(book: Path, out: Path) -> dict[str, float]:
    if out.exists():
        shutil.rmtree(out)
    times: dict[str, float] = {}
    marks: dict[str, float] = {}

    def timed(name: str, method):
        def wrapper(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    TypstBuilder.assemble_doctree = timed("assemble", TypstBuilder.assemble_doctree)
    TypstBuilder.write_documents = timed("write", TypstBuilder.write_documents)
    TypstBuilder.finish = timed("compile", TypstBuilder.finish)
    started = time.perf_counter()
    app = Sphinx(str(book / "source"), str(book), str(out / "pdf"), str(out / "doctrees"), "typst",
                 status=io.StringIO(), warning=io.StringIO(), freshenv=True)

    def end_of_read(app, env) -> None:
        marks.setdefault("read_end", time.perf_counter())

    app.connect("env-updated", end_of_read)
    app.build()
    total = time.perf_counter() - started
    times["write"] -= times.get("assemble", 0.0)  # write_documents includes assembling
    times["read"] = marks["read_end"] - started
    times["total"] = total
    times["other"] = total - times["read"] - times["assemble"] - times["write"] - times["compile"]
    return times


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
