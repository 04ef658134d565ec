"""The build engine: a strict build that never loses the last good output.

Each format builds into ``_build/.staging/<format>`` with warnings as errors,
nitpicky references and ``--keep-going`` (every problem is reported, then the
build fails).  Only a build that succeeds replaces ``_build/<format>``; a
failed one leaves the previous output exactly as it was.

=========  ===========  ====================================
format     builder      result
=========  ===========  ====================================
``html``   ``html``     ``_build/html/``
``epub``   ``epub``     ``_build/epub/<slug>.epub``
``pdf``    ``typst``    ``_build/pdf/<slug>.pdf`` (+ ``.typ``)
=========  ===========  ====================================
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from sphinx.cmd.build import build_main

BUILDERS = {"html": "html", "epub": "epub", "pdf": "typst"}
ARTIFACT = {"epub": "*.epub", "pdf": "*.pdf"}


def _swap_in(new: Path, final: Path) -> None:
    """Replace ``final`` by ``new`` with two renames (the old tree goes last)."""
    trash = final.with_name(f".old-{final.name}")
    if trash.exists():
        shutil.rmtree(trash)
    if final.exists():
        os.replace(final, trash)
    os.replace(new, final)
    if trash.exists():
        shutil.rmtree(trash)


def build(fmt: str, source: Path, conf: Path, out: Path, strict: bool = True, extra: list[str] | None = None) -> int:
    """Build one format; return the exit status (0 on success)."""
    staging = out / ".staging" / fmt
    doctrees = out / ".doctrees" / fmt
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    args = ["-b", BUILDERS[fmt], "-c", str(conf), "-d", str(doctrees), "-q"]
    if strict:
        args += ["-W", "-n", "--keep-going"]
    if fmt == "html" and any((out / f).is_dir() for f in ARTIFACT):
        # The web book carries copies of the PDF and EPUB built into the same --out (press.web.downloads).
        args += ["-D", f"press_download_dir={out.resolve()}"]
    args += list(extra or []) + [str(source), str(staging)]
    started = time.perf_counter()
    status = build_main(args)
    final = out / fmt
    if status != 0:
        print(
            f"press: the {fmt} build failed (see the messages above); "
            f"the previous {final} is left untouched.",
            file=sys.stderr,
        )
        return status or 1
    if fmt in ARTIFACT:
        found = sorted(staging.glob(ARTIFACT[fmt]))
        if not found:
            print(f"press: the {fmt} build produced no {ARTIFACT[fmt]} file", file=sys.stderr)
            return 1
        if fmt == "epub":
            keep = out / ".staging" / "epub-out"
            if keep.exists():
                shutil.rmtree(keep)
            keep.mkdir()
            for f in found:
                shutil.copy2(f, keep / f.name)
            shutil.rmtree(staging)
            staging = keep
    _swap_in(staging, final)
    took = time.perf_counter() - started
    what = ", ".join(p.name for p in sorted(final.glob(ARTIFACT.get(fmt, "index.html"))))
    print(f"press: {fmt} built in {took:.1f} s -> {final}/ ({what})")
    return 0



def build_book(formats: list[str], source: Path, conf: Path, out: Path, strict: bool = True) -> int:
    """Build the given formats (the CLI's and ``make``'s entry point); return the exit status."""
    status = 0
    for fmt in formats:
        status = build(fmt, source, conf, out, strict=strict) or status
    return status
