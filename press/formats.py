"""What a build is asked for: the output formats and the ``-j`` value, defined once.

Read by the command line (:mod:`press.cli`) and the engine (:mod:`press.engine`); a light
module (nothing but the standard library), so ``press --help`` stays quick.
"""

from __future__ import annotations

import os

#: The formats in build order: the web book links copies of the PDF and EPUB of the same build.
ORDER = ("pdf", "epub", "html")
#: format -> the Sphinx builder that writes it
BUILDERS = {"html": "html", "epub": "epub", "pdf": "typst"}
#: format -> its published file (the web book is a folder)
ARTIFACT = {"epub": "*.epub", "pdf": "*.pdf"}


def parse_jobs(jobs: int | str | None) -> int:
    """``-j`` value: a positive number, ``"auto"`` (one process per core) or ``None`` (1);
    anything else is a ``ValueError`` that says what is expected."""
    if jobs in (None, "", 0):
        return 1
    if isinstance(jobs, str) and jobs.strip().lower() == "auto":
        return os.cpu_count() or 1
    try:
        value = int(jobs)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number or 'auto', got {jobs!r}") from None
    if value < 1:
        raise ValueError(f"expected a positive number, got {value}")
    return value


#: the ``build-finished`` priority at which the web book copies the PDF and the EPUB
#: (:mod:`press.web.downloads`): its handlers that need neither (search data, previews, the
#: index, tags, the sitemap: 500 or less) run first, and the web book's forked process waits
#: for the parent's word that both exist just before it (:mod:`press.engine.processes`)
DOWNLOADS_PRIORITY = 600
