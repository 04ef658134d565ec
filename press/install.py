"""How the book that ``press new`` makes installs press on a CI host or Read the Docs.

field-guide-press is not on PyPI.  A new book's ``requirements.txt`` therefore names
press the way the running press came, so the first push builds:

* installed from a git repository (``pip install git+https://…@REF``): that URL, pinned
  to the commit pip recorded (``direct_url.json``, PEP 610);
* installed from a package index: ``field-guide-press==VERSION`` from that index;
* anything else — a wheel file, a source folder, a repository checkout on ``sys.path`` —:
  a wheel of the running press is written into the book, ``.press/wheels/``, and
  ``requirements.txt`` names it by a relative path.  It is built from the files of the
  ``press`` package itself (every file the package holds is package data) and the
  distribution's metadata (the installed ``METADATA``, or ``pyproject.toml`` beside the
  package in a checkout), so it is the exact press the book was made with.

The dependencies (Sphinx, MyST, Typst, …) come from the index as usual.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__

DIST = "field-guide-press"
WHEELS = Path(".press") / "wheels"
#: Fixed time stamp of the files in a vendored wheel (same press -> same wheel bytes).
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class Install:
    """The ``requirements.txt`` line of a new book; ``vendor``: it names a vendored wheel."""

    line: str
    vendor: bool
    how: str


def _distribution() -> importlib.metadata.Distribution | None:
    """The installed distribution that holds *this* ``press`` package, if any."""
    try:
        dist = importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:
        return None
    here = Path(__file__).resolve().parent
    for f in dist.files or ():
        if f.parts[:1] == ("press",) and Path(str(dist.locate_file(f))).resolve().parent == here:
            return dist
    return None  # another copy is installed; this one runs from a checkout


def wheel_name() -> str:
    return f"field_guide_press-{__version__}-py3-none-any.whl"


def plan() -> Install:
    """How the running press was installed, as a requirements line."""
    dist = _distribution()
    if dist is not None:
        direct = dist.read_text("direct_url.json")
        info = json.loads(direct) if direct else None
        if info is None:
            return Install(f"{DIST}=={__version__}", False, "from a package index")
        vcs = info.get("vcs_info") or {}
        if vcs.get("vcs") == "git" and vcs.get("commit_id"):
            url = info["url"]
            return Install(f"{DIST} @ git+{url}@{vcs['commit_id']}", False, "from its git repository, pinned")
    return Install(f"./{WHEELS.as_posix()}/{wheel_name()}", True, "from a wheel kept in the book")


def _metadata() -> tuple[str, str]:
    """``METADATA`` and ``entry_points.txt`` of this press."""
    dist = _distribution()
    if dist is not None:
        return dist.read_text("METADATA") or "", dist.read_text("entry_points.txt") or ""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = ["Metadata-Version: 2.4", f"Name: {project['name']}", f"Version: {__version__}",
             f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}",
             f"License-Expression: {project.get('license', '')}"]
    lines += [f"Requires-Dist: {req}" for req in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f"Requires-Dist: {req}; extra == \"{extra}\"" for req in reqs]
    scripts = "".join(f"{name} = {target}\n" for name, target in project.get("scripts", {}).items())
    return "\n".join(lines) + "\n", ("[console_scripts]\n" + scripts) if scripts else ""


def build_wheel(folder: Path) -> Path:
    """Write a wheel of the running press into ``folder``; return its path.  Same press, same bytes."""
    package = Path(__file__).resolve().parent
    files: list[tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package.parent)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            files.append((rel.as_posix(), path.read_bytes()))
    info = f"field_guide_press-{__version__}.dist-info"
    metadata, entry_points = _metadata()
    files.append((f"{info}/METADATA", metadata.encode()))
    files.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: press.install\nRoot-Is-Purelib: true\n"
                                    b"Tag: py3-none-any\n"))
    if entry_points:
        files.append((f"{info}/entry_points.txt", entry_points.encode()))
    record = []
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / wheel_name()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            entry = zipfile.ZipInfo(name, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return target


def vendor_wheel(book: Path) -> Path:
    """Write the wheel into ``book/.press/wheels/``."""
    return build_wheel(book / WHEELS)
