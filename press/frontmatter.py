"""Front matter: parse, validate and store each page's YAML header.

Pages arrive as Markdown with YAML front matter (``title`` required;
``description``, ``weight``, ``tags``, ``date`` optional; other keys kept).
At ``source-read`` this module

* validates the header and warns with ``file:line`` on any bad field;
* reports mojibake (UTF-8 once decoded as cp1252) line by line with the text
  ftfy repairs it to, and builds the repaired text;
* drops a body ``# Heading`` that repeats the title (the title comes from the
  front matter, via ``myst_title_to_header``) and warns on any other ``#``;
* stores the clean metadata in ``env.press_pages[docname]``.

Line numbers of the page are never shifted, so every later message (MyST,
Sphinx, ours) still points at the right line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ftfy
import yaml
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import envstore
from .warnings_ import PressWarning, warn

class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay text and are checked by us."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

FENCE = re.compile(r"^\s*(```+|~~~+)")
H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")


@dataclass
class PageMeta:
    """The validated front matter of one page."""

    title: str
    description: str = ""
    weight: int | None = None
    tags: list[str] = field(default_factory=list)
    date: str = ""  # ISO date
    extra: dict[str, Any] = field(default_factory=dict)

    def sort_key(self, docname: str) -> tuple:
        """Order within a folder: by weight (unweighted last), then title."""
        return (self.weight is None, self.weight or 0, self.title.casefold(), docname)


@dataclass
class Parsed:
    meta: PageMeta | None
    problems: list[tuple[PressWarning, str, int]]
    start: int  # 0-based index of the opening '---' line, or -1
    end: int  # 0-based index of the closing '---' line, or -1


def split_front_matter(lines: list[str]) -> tuple[int, int]:
    """Indexes of the opening and closing ``---`` lines, or ``(-1, -1)``."""
    if not lines or lines[0].rstrip() != "---":
        return -1, -1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return 0, i
    return 0, -1


def _key_line(lines: list[str], start: int, end: int, key: str) -> int:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for i in range(start + 1, end):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1


def parse(text: str, fallback_title: str = "") -> Parsed:
    """Parse and validate the front matter of one page's text."""
    lines = text.split("\n")
    start, end = split_front_matter(lines)
    problems: list[tuple[PressWarning, str, int]] = []
    if start < 0:
        problems.append((PressWarning.FRONTMATTER_FIELD, "missing front matter: a page must start with '---' and a 'title'", 1))
        return Parsed(None, problems, start, end)
    if end < 0:
        problems.append((PressWarning.FRONTMATTER_YAML, "front matter is not closed: no second '---' line", 1))
        return Parsed(None, problems, start, end)
    try:
        data = yaml.load("\n".join(lines[start + 1 : end]), Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = start + 2 + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        problems.append((PressWarning.FRONTMATTER_YAML, f"malformed YAML front matter: {detail}", line))
        return Parsed(None, problems, start, end)
    if not isinstance(data, dict):
        problems.append((PressWarning.FRONTMATTER_YAML, f"front matter must be a mapping of keys to values, not {type(data).__name__}", start + 2))
        return Parsed(None, problems, start, end)

    def line_of(key: str) -> int:
        return _key_line(lines, start, end, key)

    title = data.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        if "title" in data:  # present but empty or blank: point at the 'title:' line
            problems.append((PressWarning.FRONTMATTER_FIELD, "'title' is empty: give the page a title (required)", line_of("title")))
        else:
            problems.append((PressWarning.FRONTMATTER_FIELD, "front matter has no 'title' (required)", start + 1))
        title = None
    elif not isinstance(title, str):
        problems.append((PressWarning.FRONTMATTER_FIELD, f"'title' must be a string, got {type(title).__name__} {title!r}", line_of("title")))
        title = str(title)
    meta = PageMeta(title=(title or fallback_title).strip())

    description = data.get("description")
    if description is not None:
        if isinstance(description, str):
            meta.description = " ".join(description.split())
        else:
            problems.append((PressWarning.FRONTMATTER_FIELD, f"'description' must be a string, got {type(description).__name__}", line_of("description")))

    weight = data.get("weight")
    if weight is not None:
        if isinstance(weight, int) and not isinstance(weight, bool):
            meta.weight = weight
        else:
            problems.append((PressWarning.FRONTMATTER_FIELD, f"'weight' must be an integer, got {type(weight).__name__} {weight!r}", line_of("weight")))

    tags = data.get("tags")
    if tags is not None:
        if isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags):
            meta.tags = [t.strip() for t in tags]
        else:
            problems.append((PressWarning.FRONTMATTER_FIELD, f"'tags' must be a list of strings, got {tags!r}", line_of("tags")))

    date = data.get("date")
    if date is not None:
        if isinstance(date, dt.datetime):
            meta.date = date.date().isoformat()
        elif isinstance(date, dt.date):
            meta.date = date.isoformat()
        else:
            try:
                meta.date = dt.date.fromisoformat(str(date)).isoformat()
            except ValueError:
                problems.append((PressWarning.FRONTMATTER_FIELD, f"'date' must be an ISO date (YYYY-MM-DD), got {date!r}", line_of("date")))

    known = {"title", "description", "weight", "tags", "date"}
    meta.extra = {k: v for k, v in data.items() if k not in known}
    for k, v in list(meta.extra.items()):
        if isinstance(v, (dt.date, dt.datetime)):
            meta.extra[k] = v.isoformat()
    return Parsed(meta if title is not None else None, problems, start, end)


def read_meta(path: Path, docname: str) -> PageMeta:
    """Best-effort metadata of a page file, for ordering before it is read."""
    try:
        parsed = parse(path.read_text(encoding="utf-8"), fallback_title=docname)
    except (OSError, UnicodeDecodeError):
        return PageMeta(title=docname)
    return parsed.meta or PageMeta(title=docname)


def _mojibake(lines: list[str]) -> list[tuple[int, str, str]]:
    found = []
    for i, line in enumerate(lines):
        if not line or line.isascii():
            continue
        fixed = ftfy.fix_encoding(line)
        if fixed != line:
            found.append((i, line, fixed))
    return found


def body_h1s(lines: list[str], start: int = 0):
    """``(index, heading text)`` of each ``# Heading`` line outside code fences."""
    in_fence = None
    for i in range(start, len(lines)):
        m = FENCE.match(lines[i])
        if m:
            marker = m.group(1)[0] * 3
            if in_fence is None:
                in_fence = marker
            elif marker == in_fence:
                in_fence = None
            continue
        if in_fence:
            continue
        h = H1.match(lines[i])
        if h:
            yield i, h.group(1)


def _blank_h1(lines: list[str], start: int, title: str, docname: str) -> None:
    for i, text in list(body_h1s(lines, start)):
        if text.strip().casefold() == title.strip().casefold():
            lines[i] = ""
        else:
            warn(
                PressWarning.HEADING,
                f"body heading '# {text}' differs from the front matter title {title!r}: "
                "the title comes from the front matter and the body starts at '##'",
                location=(docname, i + 1),
            )


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    env = app.env
    lines = source[0].split("\n")

    for i, line, fixed in _mojibake(lines):
        bad = "".join(sorted({c for c in line if c not in fixed}))
        warn(
            PressWarning.MOJIBAKE,
            f"mojibake (UTF-8 read as cp1252) in {bad!r}; repaired text: {fixed.strip()!r}",
            location=(docname, i + 1),
        )
        lines[i] = fixed

    parsed = parse("\n".join(lines), fallback_title=docname)
    for kind, message, line in parsed.problems:
        warn(kind, message, location=(docname, line))
    meta = parsed.meta
    if meta is None:
        # Keep the build going with a neutral header so there is one clear
        # message, not a cascade; line numbers stay where they were.
        meta = PageMeta(title=docname)
        title_line = f"title: {yaml.safe_dump(docname).splitlines()[0]}"
        if parsed.start < 0:
            pass  # MyST then has no title either; our message above says why.
        elif parsed.end < 0 or parsed.end - parsed.start < 2:
            lines[parsed.start] = f"---\n{title_line}\n---" if parsed.end < 0 else f"---\n{title_line}"
        else:
            for i in range(parsed.start + 1, parsed.end):
                lines[i] = ""
            lines[parsed.start + 1] = title_line
    if parsed.end > 0:
        _blank_h1(lines, parsed.end + 1, meta.title, docname)
    env.press_pages[docname] = meta  # type: ignore[attr-defined]
    source[0] = "\n".join(lines)


def page(env: BuildEnvironment, docname: str) -> PageMeta | None:
    """The stored metadata of a page (``None`` for pages without any)."""
    return getattr(env, "press_pages", {}).get(docname)


def all_tags(env: BuildEnvironment) -> list[str]:
    """Every page's tags, unique, sorted case-insensitively (PDF keywords, EPUB subjects)."""
    tags = {t for meta in getattr(env, "press_pages", {}).values() for t in meta.tags}
    return sorted(tags, key=str.casefold)


def as_dict(meta: PageMeta) -> dict[str, Any]:
    return asdict(meta)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``source-read`` front matter handler and its env storage."""
    envstore.register(app, "press_pages")
    app.connect("source-read", on_source_read, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
