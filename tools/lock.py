"""``make lock``: write the two hashed lock files from ``pyproject.toml`` with uv.

* ``requirements.lock`` — the runtime dependencies only (``make book``);
* ``requirements-dev.lock`` — runtime + the ``test``, ``dev`` and ``jupyter`` extras
  (``make test``, ``make serve``).

Both are ``uv pip compile --universal --generate-hashes`` output (one resolution
for every platform, Python 3.11 and newer).  The first line of each records a
fingerprint of the pyproject entries it was resolved from;
``tests/test_locks.py`` recomputes it, so a dependency edited in pyproject.toml
without ``make lock`` fails the suite.  Needs the registry; the build never runs it.

    python tools/lock.py [--uv PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The uv release that writes the locks (``make lock`` installs exactly this one).
UV_VERSION = "0.13.9"
LOCKS = {"requirements.lock": (), "requirements-dev.lock": ("test", "dev", "jupyter")}
PYTHON = "3.11"


def fingerprint(extras: tuple[str, ...], pyproject: Path = REPO / "pyproject.toml") -> str:
    """sha256 of what a lock is resolved from: requires-python, dependencies, the extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    data = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "extras": {e: sorted(project.get("optional-dependencies", {}).get(e, [])) for e in extras},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def header(name: str, extras: tuple[str, ...]) -> str:
    what = "runtime + extras " + ", ".join(extras) if extras else "runtime dependencies only"
    return (
        f"# pyproject-sha256: {fingerprint(extras)}\n"
        f"# {name}: {what} of field-guide-press, resolved and hashed by uv {UV_VERSION}.\n"
        f"# Generated: do not edit. Regenerate with `make lock`.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write requirements.lock and requirements-dev.lock with uv.")
    parser.add_argument("--uv", default="uv", help="the uv executable (make lock installs uv==%s)" % UV_VERSION)
    args = parser.parse_args(argv)
    version = subprocess.run([args.uv, "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    if version != UV_VERSION:
        print(f"lock: uv {version} found, {UV_VERSION} wanted (make lock installs it)", file=sys.stderr)
        return 1
    for name, extras in LOCKS.items():
        cmd = [
            args.uv, "pip", "compile", "pyproject.toml", "--universal", "--python-version", PYTHON,
            "--generate-hashes", "--no-header", "--quiet", "--index-url", "https://pypi.org/simple",
            "--output-file", name,  # uv keeps the pins already there unless pyproject.toml needs others
        ]
        for extra in extras:
            cmd += ["--extra", extra]
        out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        body = (REPO / name).read_text(encoding="utf-8")
        (REPO / name).write_text(header(name, extras) + body, encoding="utf-8")
        print(f"lock: wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
