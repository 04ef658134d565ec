"""The book's code samples run: the running example in source/_code/billing-service.

Every listing in the chapters is a ``literalinclude`` of a file of that small project, so the
reader copies what these tests ran. The structural import test must catch every spelling of a
forbidden import (issue 24: it missed ``from app import ui`` and relative imports), and the CI
test guard must pass on the commit that adds it (it used to fail on its own lines).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import REPO

SOURCE = REPO / "source"
SERVICE = SOURCE / "_code" / "billing-service"
MD = MarkdownIt("commonmark")
INCLUDE = re.compile(r"^[`:]{3,}\{literalinclude\}\s+(\S+)", re.M)


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """A scratch copy of the example project (tests write files and caches into it)."""
    dest = tmp_path / "billing-service"
    shutil.copytree(SERVICE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _architecture(root: Path):
    spec = importlib.util.spec_from_file_location(f"arch_{abs(hash(root))}", root / "tests" / "test_architecture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_listing_in_the_book_is_an_included_file_that_exists():
    included = set()
    for page in sorted(SOURCE.rglob("*.md")):
        if "_code" in page.relative_to(SOURCE).parts:
            continue
        text = page.read_text(encoding="utf-8")
        # no inline code listings: a fenced block is either a directive or an included file
        fences = [t.map[0] + 1 for t in MD.parse(text) if t.type == "fence" and not t.info.strip().startswith("{")]
        assert fences == [], f"{page}: inline code block(s) at lines {fences}; include a file from source/_code"
        for target in INCLUDE.findall(text):
            path = (page.parent / target).resolve()
            assert path.is_file(), f"{page}: {target}"
            included.add(path)
    assert len(included) >= 8, sorted(included)


def test_the_example_service_passes_its_own_suite(service):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "-c", os.devnull, "--rootdir", str(service), "tests"],
                          cwd=service, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 passed" in proc.stdout or "passed" in proc.stdout


def test_proration_matches_the_feature_list(service):
    sys.path.insert(0, str(service))
    try:
        from app.ui.invoice_page import upgrade_line
    finally:
        sys.path.remove(str(service))
        for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
            del sys.modules[name]
    features = json.loads((service / "features.json").read_text())
    (feature,) = features
    assert set(feature) == {"id", "description", "steps", "passes"} and feature["passes"] is False
    amount = re.search(r"\$\d+\.\d\d", feature["steps"][-1]).group(0)
    assert upgrade_line("basic", "pro", 182, 365).endswith(amount)


@pytest.mark.parametrize("source, forbidden", [
    ("import app.ui\n", True),
    ("import app.ui.invoice_page as page\n", True),
    ("from app.ui.invoice_page import upgrade_line\n", True),
    ("from app import ui\n", True),
    ("from app import plans, ui\n", True),
    ("from ..ui import invoice_page\n", True),
    ("from .. import ui\n", True),
    ("from ..ui.invoice_page import format_cents\n", True),
    ("def f():\n    from app import ui\n", True),
    ("from app.domain import plans\n", False),
    ("from . import plans\n", False),
    ("from .plans import price\n", False),
    ("import app.uikit\n", False),
    ("from app import uikit\n", False),
])
def test_structural_test_catches_every_spelling_of_the_import(service, source, forbidden):
    arch = _architecture(service)
    assert arch.forbidden_imports(service) == []
    (service / "app" / "domain" / "extra.py").write_text(source)
    problems = arch.forbidden_imports(service)
    assert bool(problems) is forbidden, problems
    if forbidden:
        assert problems[0].startswith(os.path.join("app", "domain", "extra.py") + ":")


def test_structural_test_resolves_relative_imports_in_a_subpackage(service):
    arch = _architecture(service)
    sub = service / "app" / "domain" / "billing"
    sub.mkdir()
    (sub / "__init__.py").write_text("from ...ui import invoice_page\n")  # app.ui from app.domain.billing
    (sub / "cycle.py").write_text("from .. import plans\nfrom ... import ui\n")
    problems = arch.forbidden_imports(service)
    assert [p.split(":")[0] for p in problems] == [
        os.path.join("app", "domain", "billing", "__init__.py"), os.path.join("app", "domain", "billing", "cycle.py")]


def test_structural_test_fails_with_the_hint(service):
    (service / "app" / "domain" / "extra.py").write_text("from app import ui\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "-c", os.devnull, "--rootdir", str(service), "tests/test_architecture.py"],
                          cwd=service, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "docs/architecture.md" in proc.stdout and "extra.py:1: imports app.ui" in proc.stdout


# --- the CI test guard ------------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(service: Path) -> Path:
    """The example project as a git repository: main without the guard, a branch off it."""
    guard = (service / "scripts" / "test-guard.sh").read_text()
    (service / "scripts" / "test-guard.sh").unlink()
    _git(service, "init", "-q", "-b", "main")
    _git(service, "add", "-A")
    _git(service, "commit", "-q", "-m", "base")
    _git(service, "checkout", "-q", "-b", "work")
    (service / "scripts" / "test-guard.sh").write_text(guard)
    return service


def _guard(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/test-guard.sh", "main"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})


def test_guard_passes_on_the_commit_that_adds_it(repo):
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "add the test guard")
    proc = _guard(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_guard_lists_changed_tests_for_review(repo):
    path = repo / "tests" / "test_proration.py"
    path.write_text(path.read_text() + "\n\ndef test_more():\n    assert True\n")
    _git(repo, "commit", "-qam", "more tests")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "guard")
    proc = _guard(repo)
    assert proc.returncode == 0
    assert "Test files changed" in proc.stdout and "tests/test_proration.py" in proc.stdout


@pytest.mark.parametrize("where, line", [
    ("tests/test_proration.py", "@pytest.mark.skip(reason='later')"),
    ("tests/test_proration.py", "@pytest.mark.xfail"),
    ("app/domain/proration.py", "    # special case for test_upgrade_halfway"),
])
def test_guard_fails_on_new_skips_and_special_cases(repo, where, line):
    path = repo / where
    path.write_text(path.read_text() + "\n" + line + "\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "weaken")
    proc = _guard(repo)
    assert proc.returncode == 1
    assert "New skips or special cases" in proc.stdout and line.strip() in proc.stdout


# --- the Markdown and JSON samples ------------------------------------------------------


def test_agents_md_points_only_at_things_that_exist():
    text = (SERVICE / "AGENTS.md").read_text()
    paths = [p for p in re.findall(r"`([^`\s]+)`", text) if "/" in p or p.endswith((".md", ".json"))]
    assert paths
    for p in paths:
        assert (SERVICE / p).exists(), p
    targets = set(re.findall(r"^(\w[\w-]*):", (SERVICE / "Makefile").read_text(), re.M))
    for target in re.findall(r"`make ([\w-]+)`", text):
        assert target in targets, target
    assert "features.json" in text


def test_claude_md_imports_agents_md():
    (line,) = (SERVICE / "CLAUDE.md").read_text().splitlines()
    assert line.startswith("@") and (SERVICE / line[1:]).is_file()


def test_skill_has_a_name_and_a_description():
    text = (SERVICE / "skills" / "release" / "SKILL.md").read_text()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert set(meta) == {"name", "description"} and meta["name"] == "release"
    for target in re.findall(r"`make ([\w-]+)`", body):
        assert f"\n{target}:" in "\n" + (SERVICE / "Makefile").read_text()


def test_prompts_name_real_paths_and_fields():
    plan = (SERVICE / "prompts" / "plan.md").read_text()
    for p in re.findall(r"(?<![\w/])((?:[\w-]+/)+)(?=[\s.,])", plan):
        assert (SERVICE / p).is_dir(), p
    assert "Do not edit" in plan and "Stop after the plan" in plan
    session = (SERVICE / "prompts" / "session.md").read_text()
    (feature,) = json.loads((SERVICE / "features.json").read_text())
    for field in re.findall(r'"(\w+)":', session):
        assert field in feature, field
