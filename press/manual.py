"""The manual's generated reference: settings, front matter, command line and warnings.

``extensions = ["press", "press.manual"]`` (the manual in ``docs/`` does) adds four directives
whose content is written from the code, so the reference cannot fall behind it:

* ``{press-settings}`` — every field of :class:`press.config.PressConfig`: its ``press_*``
  name, type, default and docstring;
* ``{press-frontmatter}`` — the front matter keys press reads (:data:`FRONTMATTER`), and the
  ones it passes on to MyST and Sphinx;
* ``{press-cli}`` — every ``press`` command and option, from the argparse parser;
* ``{press-warnings}`` — every :class:`press.warnings_.PressWarning` subtype with its
  docstring, an example message and its fix (:mod:`press.warning_docs`).

Each directive writes Markdown that MyST parses in place (no headings: the page around it
gives the structure).  :func:`settings`, :func:`commands` and :func:`warnings` return the
entries, for the tests that check the reference is complete.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import re
import typing
from typing import Any, Literal, get_args, get_origin

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: The front matter keys press reads, with what each does (press/frontmatter.py's OWN_KEYS).
FRONTMATTER = {
    "title": ("string", "The page title (required when the header uses any press key). The page's `# heading` "
              "may repeat it, or be left out; any other `#` heading draws `press.heading`."),
    "description": ("string", "One or two sentences: shown under the title, the page's `<meta name=\"description\">` "
                    "and its social card text."),
    "weight": ("integer", "Order within the folder: lower first; pages without a weight come last, then by title."),
    "tags": ("list of strings", "Keywords: shown under the title, collected into the PDF's keywords and the EPUB's "
             "subjects."),
    "date": ("ISO date, `YYYY-MM-DD`", "The page's date, shown under the title."),
}


def _md(text: str) -> str:
    """A reStructuredText docstring as one Markdown paragraph (literals, roles, spacing)."""
    text = " ".join(text.split())
    text = re.sub(r":(?:mod|func|class|data|attr|meth|ref|doc):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of a class (a string literal after the assignment)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, after in zip(body, body[1:]):
        target = getattr(node, "target", None) or (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) \
                and isinstance(after.value.value, str):
            docs[target.id] = inspect.cleandoc(after.value.value)
    return docs


def type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{v!r}`".replace("'", '"') for v in get_args(annotation))
    if origin is list:
        return f"list of {type_name(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"dict of {type_name(key)} to {type_name(value)}"
    return getattr(annotation, "__name__", str(annotation))


def settings() -> list[dict[str, str]]:
    """``name``, ``type``, ``default`` and ``doc`` of every ``press_*`` setting."""
    from .config import PressConfig

    hints = typing.get_type_hints(PressConfig)
    docs = field_docs(PressConfig)
    rows = []
    for f in dataclasses.fields(PressConfig):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        rows.append({"name": f"press_{f.name}", "type": type_name(hints[f.name]),
                     "default": repr(default).replace("'", '"'), "doc": _md(docs.get(f.name, ""))})
    return rows


def commands(parser: argparse.ArgumentParser | None = None) -> list[dict[str, Any]]:
    """Every ``press`` command: ``name``, ``help``, ``usage`` and its ``options``
    (``flags``, ``help``) — positional arguments included, ``--help`` left out."""
    from . import adapters, cli

    parser = parser or cli.parser()
    sub = next(a for a in adapters.parser_actions(parser) if isinstance(a, argparse._SubParsersAction))
    helps = adapters.subcommand_helps(sub)
    found = []
    top = {"name": "", "help": "Options of `press` itself.", "usage": "press [--version] [--help] COMMAND ...",
           "options": [{"flags": ", ".join(a.option_strings), "help": a.help or ""}
                       for a in adapters.parser_actions(parser) if a.option_strings and a.dest not in ("help",)]}
    found.append(top)
    for name, command in sub.choices.items():
        options = []
        for action in adapters.parser_actions(command):
            if isinstance(action, argparse._HelpAction):
                continue
            flags = ", ".join(action.option_strings) or (action.metavar or action.dest)
            if action.option_strings and action.nargs != 0:
                flags += f" {action.metavar or action.dest.upper()}"
            options.append({"flags": flags, "help": (action.help or "") % {"default": action.default}})
        usage = " ".join(command.format_usage().split()).removeprefix("usage: ")
        found.append({"name": name, "help": helps.get(name, ""), "usage": usage,
                      "description": command.description or "", "options": options})
    return found


def warnings() -> list[dict[str, str]]:
    """``subtype``, ``doc``, ``example`` and ``fix`` of every ``press.*`` warning."""
    from .warning_docs import EXAMPLES
    from .warnings_ import PressWarning

    docs = field_docs(PressWarning)
    rows = []
    for member in PressWarning:
        example, fix = EXAMPLES.get(member.value, ("", ""))
        rows.append({"subtype": f"press.{member.value}", "doc": _md(docs.get(member.name, "")),
                     "example": example, "fix": fix})
    return rows


# ---- the directives -------------------------------------------------------------------------

def _plain(text: str) -> str:
    """Help text as Markdown text: ``<`` and ``*`` are not markup there."""
    return re.sub(r"([<*\[\]])", r"\\\1", " ".join(text.split()))


def _fence(text: str, lang: str = "text") -> list[str]:
    return [f"```{lang}", *text.splitlines(), "```"]


class _Generated(SphinxDirective):
    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def lines(self) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["press-reference"])
        self.state.nested_parse(StringList(self.lines(), source=self.get_source_info()[0]),
                                self.content_offset, container)
        return container.children


class SettingsDirective(_Generated):
    def lines(self) -> list[str]:
        out = []
        for row in settings():
            out += [f"`{row['name']}`", f": {row['type']}; default `{row['default']}`.", "",
                    f"  {row['doc']}", ""]
        return out


class FrontMatterDirective(_Generated):
    def lines(self) -> list[str]:
        from .frontmatter import KNOWN_KEYS, OWN_KEYS

        out = []
        for key in OWN_KEYS:
            kind, doc = FRONTMATTER[key]
            out += [f"`{key}`", f": {kind}.", "", f"  {doc}", ""]
        out += ["Passed on without a warning (MyST, Sphinx, docutils and MyST-NB read them): "
                + ", ".join(f"`{k}`" for k in KNOWN_KEYS) + ". Any other key draws `press.frontmatter_key` "
                "unless `press_frontmatter_keys` names it.", ""]
        return out


class CliDirective(_Generated):
    def lines(self) -> list[str]:
        out = []
        for command in commands():
            title = f"press {command['name']}".strip()
            out += [f"**`{title}`** — {_plain(command['help'])}", ""]
            if command.get("description"):
                out += [_plain(command["description"]), ""]
            out += [*_fence(command["usage"], "text"), ""]
            for option in command["options"]:
                out += [f"`{option['flags']}`", f": {_plain(option['help']) or '(no help)'}", ""]
        return out


class WarningsDirective(_Generated):
    def lines(self) -> list[str]:
        out = []
        for row in warnings():
            out += [f"`{row['subtype']}`", f": {row['doc']}", ""]
            if row["example"]:
                out += ["  Example:", "", *(f"  {line}" for line in _fence(row["example"])), ""]
            if row["fix"]:
                out += [f"  Fix: {row['fix']}", ""]
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the four reference directives."""
    app.add_directive("press-settings", SettingsDirective)
    app.add_directive("press-frontmatter", FrontMatterDirective)
    app.add_directive("press-cli", CliDirective)
    app.add_directive("press-warnings", WarningsDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
