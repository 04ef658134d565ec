"""The import graph of the press package: no circles, and no format imports another.

Read from the source (``ast``), every import counted wherever it is written (at the top,
inside a function — a lazy import is still a dependency), except under
``if TYPE_CHECKING:``.  A unit test: no book is built.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PRESS = Path(__file__).resolve().parents[1] / "press"
#: the three output formats: each may use the neutral modules of press, never another format
FORMATS = ("press.typst", "press.epub", "press.web")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PRESS.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PRESS.rglob("*.py")) if "template" not in p.parts}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The press modules ``name`` imports (edges of the graph)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _format(name: str) -> str | None:
    return next((f for f in FORMATS if name == f or name.startswith(f + ".")), None)


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph()


def test_the_graph_is_read(edges):
    assert "press.typst.builder" in edges["press.typst"]
    assert "press.state" in edges["press.typst.builder"]
    assert "press.typstmarkup" in edges["press.typst.elements"]  # a lazy import counts too


def test_no_import_circles(edges):
    assert cycles(edges) == []


def test_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_never_import_each_other(edges, fmt):
    crossing = sorted(
        f"{name} -> {target}"
        for name, targets in edges.items() if _format(name) == fmt
        for target in targets if _format(target) not in (None, fmt)
    )
    assert crossing == []


def test_neutral_modules_import_no_format(edges):
    """Reading steps and shared helpers (press.pagemeta, press.pagemap, press.state, …) never
    reach into a format package; only press/__init__ loads them (as Sphinx extensions)."""
    crossing = sorted(
        f"{name} -> {target}"
        for name, targets in edges.items() if _format(name) is None and name != "press"
        for target in targets if _format(target) is not None
    )
    assert crossing == []
