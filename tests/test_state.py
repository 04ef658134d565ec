"""press.state: one build's shared state, reached from each application (unit tests)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from press import state
from press.state import BookBuild, Outputs

PRESS = Path(__file__).resolve().parents[1] / "press"


class Job:
    """A stand-in for press.typst.builder.Compile that records what was done to it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(self) -> None:
        self.calls.append("run")

    def start(self) -> None:
        self.calls.append("start")

    def dispatched(self, timeout: float) -> None:
        pass  # (its work is in its own process at once)

    def wait(self) -> None:
        self.calls.append("wait")

    def finish(self, app) -> None:
        self.calls.append(f"finish:{app}")


def test_an_application_the_engine_did_not_make_gets_its_own_state():
    app = SimpleNamespace()
    book = state.of(app)
    assert book.standalone and state.of(app) is book  # one per application
    assert state.of(SimpleNamespace()) is not book


def test_the_engines_state_is_the_one_the_application_carries():
    book = BookBuild(site_url=" https://example.org/book/ ")
    app = SimpleNamespace(press_build=book)
    assert state.of(app) is book and not book.standalone
    assert book.site_url == "https://example.org/book/"
    assert BookBuild(site_url="  ").site_url is None


def test_a_compile_runs_in_place_unless_deferred():
    book = BookBuild()
    now = Job()
    book.submit(now, "app")
    assert now.calls == ["run", "finish:app"] and book.compiles == []

    book.defer_compiles, book.start_deferred = True, False
    later = Job()
    book.submit(later, "pdf-app")
    assert later.calls == [] and book.compiles == [later]  # not started before the engine's fork
    book.start_compiles()
    book.finish_compiles("epub-app")  # finished once, by whoever needs the PDF first
    book.finish_compiles("html-app")
    assert later.calls == ["start", "finish:epub-app"] and book.compiles == []

    book.start_deferred = True
    dropped = Job()
    book.submit(dropped, "pdf-app")
    book.abandon_compiles()
    assert dropped.calls == ["start", "wait"] and book.compiles == []


def test_downloads_come_from_the_engine_or_from_conf_py():
    engine = BookBuild(outputs=Outputs(downloads=Path("/stage")))
    assert engine.downloads_folder("ignored", "/conf") == Path("/stage")
    alone = BookBuild(standalone=True)
    assert alone.downloads_folder("_dl", "/conf") == Path("/conf/_dl")
    assert alone.downloads_folder("", "/conf") is None


def test_reading_order_follows_the_toctrees_once_each():
    env = SimpleNamespace(all_docs={"index": 1, "a": 1, "b": 1, "a/x": 1, "orphan": 1},
                          toctree_includes={"index": ["a", "b", "a"], "a": ["a/x", "missing"]})
    assert BookBuild().reading_order(env, "index") == ["index", "a", "a/x", "b"]


def test_no_module_keeps_build_state_in_a_global():
    found = [f"{p.relative_to(PRESS.parent)}:{n}" for p in PRESS.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*global\s", line)]
    assert found == []


def test_our_own_deprecations_fail_the_suite():
    """pyproject's filterwarnings: a DeprecationWarning issued from press code is an error
    (other packages' stay quiet)."""
    import warnings

    import pytest

    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit("old API", DeprecationWarning, "press/x.py", 1, module="press.x")
    warnings.warn_explicit("their old API", DeprecationWarning, "other/x.py", 1, module="other.x")
