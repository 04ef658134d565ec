"""The theme's templates compiled once, not once per build and format.

Every Sphinx application compiles the Jinja templates it renders (sphinx-book-theme's
``layout.html`` and the pydata and basic layouts under it, the sidebars, …) from source:
about 8% of the CPU of a cold build of the three formats of the heavy 30-page bench book
(py-spy), paid again by every rebuild, however small the edit.  Jinja's own bytecode cache
(``jinja2.FileSystemBytecodeCache``) keeps the compiled templates in the doctree folder
(``press-jinja/<builder>/``: one folder per builder, since each builder's Jinja environment
has its own settings), which the engine stages and publishes with the rest of the build's
state.  A cached template is used only if its source is unchanged (Jinja compares a
checksum of the source) and was compiled by the same Jinja and Python (its magic header);
the pages written are the same bytes either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

FOLDER = "press-jinja"


def use_cache(app: Sphinx) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or getattr(environment, "bytecode_cache", None) is not None:
        return
    folder = Path(app.doctreedir) / FOLDER / app.builder.name
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", use_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
