"""One reproducible zip writer, for the EPUB (:mod:`press.epub.builder`) and the web book's
offline copy (:mod:`press.web.offline`).

Same bytes for the same files: entries in the order given, every date the build's
``SOURCE_DATE_EPOCH`` (zip cannot store dates before 1980, so earlier ones are 1980-01-01),
every entry a regular file with mode 0644 made on Unix, nothing from the machine
(no owner, no extra fields).  The zip is written beside ``target`` and moved into place,
so a reader never sees half a file.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

#: 1980-01-01, the first date a zip can store
ZIP_EPOCH = 315532800


def write_zip(target: Path, entries: Iterable[tuple[str, bytes]], epoch: int | None, *,
              stored: tuple[str, ...] = (), level: int = 9) -> None:
    """Write ``entries`` (``(name in the zip, data)``) to ``target``; names in ``stored``
    are not compressed (the EPUB's ``mimetype``); ``level``: the deflate effort."""
    stamp = time.gmtime(max(epoch if epoch is not None else ZIP_EPOCH, ZIP_EPOCH))[:6]
    partial = target.with_name(f".{target.name}.part")
    with zipfile.ZipFile(partial, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            z.writestr(info, data, compresslevel=None if name in stored else level)
    partial.replace(target)
