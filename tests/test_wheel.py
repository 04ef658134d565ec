"""The wheel: built from the repository, installed into a fresh environment without network,
its ``press`` command starts and builds a new book in another folder.

The fresh venv gets the dependencies through a ``.pth`` line naming this test
environment's site-packages (whose own ``.pth`` files, such as the one pointing
at the repository, are not read from there), then the wheel with
``pip install --no-deps --no-index``: only what the wheel carries is importable
as ``press``.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import press
from conftest import REPO

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

#: Files of press/ that are not package data.
NOT_SHIPPED = {"__pycache__"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources (a build writes into its tree)."""
    src = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "press", src / "press", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (found,) = dist.glob("field_guide_press-*.whl")
    return found


def test_wheel_carries_every_file_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        p.relative_to(REPO).as_posix() for p in (REPO / "press").rglob("*")
        if p.is_file() and NOT_SHIPPED.isdisjoint(p.parts) and p.suffix != ".pyc"
    }
    missing = sorted(wanted - names)
    assert not missing, missing
    for needed in ("press/static/html/favicon.svg", "press/static/html/press-icon-512.png", "press/typst/book.typ",
                   "press/template/conf.py", "press/template/dot-github/workflows/publish.yml", "press/web/sw.js"):
        assert needed in names, needed


def test_wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as zf:
        info = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(info))
        entry_points = zf.read(info.replace("METADATA", "entry_points.txt")).decode()
        licences = [n for n in zf.namelist() if "/licenses/" in n]
    assert meta["Name"] == "field-guide-press" and meta["Version"] == press.__version__
    assert meta["License-Expression"] == "MIT" and any(n.endswith("LICENSE") for n in licences)
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert "Framework :: Sphinx :: Extension" in classifiers and "Environment :: Console" in classifiers
    assert meta.get_all("Project-URL")
    assert "press = press.cli:main" in entry_points
    assert any(r.startswith("sphinx") for r in meta.get_all("Requires-Dist"))


def test_installed_wheel_starts_and_builds_a_new_book_elsewhere(wheel, tmp_path):
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PIP_NO_INDEX"] = "1"
    install = subprocess.run([py, "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                             capture_output=True, text=True, env=env, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run([py, "-c", "import press; print(press.__file__)"], capture_output=True, text=True,
                           env=env, cwd=tmp_path, check=True).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where  # the wheel's press, not the repository's

    work = tmp_path / "elsewhere"
    work.mkdir()
    command = env_dir / "bin" / "press"
    version = subprocess.run([command, "--version"], capture_output=True, text=True, env=env, cwd=work)
    assert version.returncode == 0 and press.__version__ in version.stdout
    new = subprocess.run([command, "new", "notes", "--title", "Field Notes"], capture_output=True, text=True,
                         env=env, cwd=work)
    assert new.returncode == 0, new.stdout + new.stderr
    build = subprocess.run([command, "build"], capture_output=True, text=True, env=env, cwd=work / "notes", timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    out = work / "notes" / "_build"
    assert (out / "pdf" / "field-notes.pdf").read_bytes().startswith(b"%PDF")
    assert zipfile.ZipFile(out / "epub" / "field-notes.epub").read("mimetype") == b"application/epub+zip"
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "Field Notes" in index and "_static/press.css" in index
    for asset in ("_static/favicon.svg", "_static/press-offline.js", "_static/press-icon-192.png", "sw.js",
                  "manifest.webmanifest", "field-notes-web.zip", "field-notes.pdf", "field-notes.epub"):
        assert (out / "html" / asset).is_file(), asset
