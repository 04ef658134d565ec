"""Front matter: parse, validate and store each page's YAML header.

Markdown pages may start with YAML front matter.  Our page format uses
``title`` (the page title), ``description``, ``weight``, ``tags`` and ``date``;
every other key (MyST's ``myst:`` substitutions, ``orphan``, ``html_meta`` …)
passes through to MyST untouched.  At ``source-read`` this module

* validates our fields and warns with ``file:line`` on any bad one;
* reports mojibake (UTF-8 once decoded as cp1252) line by line with the text
  ftfy repairs it to, and builds the repaired text;
* when the header gives the title: drops a body ``# Heading`` that repeats it
  (the title comes from the front matter, via ``myst_title_to_header``) unless
  that heading carries a label (``(label)=`` or ``{#id}``) — then the heading
  stays the title and the header's ``title`` line is commented out — and warns
  on any other ``#`` heading;
* leaves pages without a header, or with a header without ``title``, titled by
  their first heading as in any Sphinx project (reStructuredText pages are not
  touched beyond the mojibake check);
* stores the clean metadata in ``env.press_pages[docname]``.

Line numbers of the page are never shifted, so every later message (MyST,
Sphinx, ours) still points at the right line.
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ftfy
import yaml
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import envstore
from .warnings_ import PressWarning, warn

#: libyaml's scanner and parser when PyYAML has them (about ten times faster on a book's
#: front matter), else the pure-Python ones; both are the *safe* loader.
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit timestamps: dates stay text and are checked by us."""


class _ExactLoader(yaml.SafeLoader):
    """The same, pure Python: only to report a malformed header (its marks are the ones
    our messages and tests were written against)."""


_Loader.yaml_implicit_resolvers = _ExactLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_ExactLoader)  # raises again, with the exact marks

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
#: ``{#id}`` (or ``{#id .class}``) attributes at the end of a heading line
HEADING_ATTRS = re.compile(r"\s*\{[^{}]*#[^{}]*\}\s*$")
#: a line that labels the next block: a MyST target ``(label)=`` or block attributes ``{#id}``
LABEL_LINE = re.compile(r"^ {0,3}(\([^()\s][^()]*\)=|\{[^{}]*#[^{}]*\})\s*$")
#: the keys of the page format that only this module interprets
OWN_KEYS = ("title", "description", "weight", "tags", "date")


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
    has_title: bool = False  # the header gives the page title (our page format)


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


def _too_many_aliases(header: str, limit: int) -> int | None:
    """0-based line (in ``header``) of the alias over ``limit``, or ``None``: a YAML alias bomb
    is a few lines whose value grows without bound once the aliases are followed."""
    if "*" not in header:
        return None
    count = 0
    try:
        for event in yaml.parse(header, Loader=_SafeBase):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > limit:
                    return event.start_mark.line
    except yaml.YAMLError:
        return None  # reported by the load below
    return None


def parse(text: str, fallback_title: str = "", max_aliases: int = 50) -> Parsed:
    """Parse and validate the front matter of one page's text."""
    lines = text.split("\n")
    start, end = split_front_matter(lines)
    problems: list[tuple[PressWarning, str, int]] = []
    if start < 0:
        # No header: a page like any other Sphinx page, titled by its first heading.
        return Parsed(None, problems, start, end)
    if end < 0:
        problems.append((PressWarning.FRONTMATTER_YAML, "front matter is not closed: no second '---' line", 1))
        return Parsed(None, problems, start, end)
    alias = _too_many_aliases("\n".join(lines[start + 1 : end]), max_aliases)
    if alias is not None:
        problems.append((PressWarning.LIMIT, f"front matter uses more than {max_aliases} YAML aliases (*name), over the budget (press_max_yaml_aliases): write the values out", start + 2 + alias))
        return Parsed(None, problems, start, end)
    try:
        data = _load("\n".join(lines[start + 1 : end])) or {}
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
        # A header without a title is MyST's (substitutions, orphan, html_meta …) and the page
        # is titled by its first heading; only a header that uses our fields needs one.
        body_title = next((text for _, text in body_h1s(lines, end + 1)), None)
        if "title" in data:  # present but empty or blank: point at the 'title:' line
            problems.append((PressWarning.FRONTMATTER_FIELD, "'title' is empty: give the page a title (required)", line_of("title")))
        elif body_title is None and any(k in data for k in OWN_KEYS[1:]):
            problems.append((PressWarning.FRONTMATTER_FIELD, "front matter has no 'title' (required)", start + 1))
        title = None
        fallback_title = heading_text(body_title) if body_title else fallback_title
    elif not isinstance(title, str):
        problems.append((PressWarning.FRONTMATTER_FIELD, f"'title' must be a string, got {type(title).__name__} {reprlib.repr(title)}", line_of("title")))
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
            problems.append((PressWarning.FRONTMATTER_FIELD, f"'tags' must be a list of strings, got {reprlib.repr(tags)}", line_of("tags")))

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

    known = set(OWN_KEYS)
    meta.extra = {k: v for k, v in data.items() if k not in known}
    for k, v in list(meta.extra.items()):
        if isinstance(v, (dt.date, dt.datetime)):
            meta.extra[k] = v.isoformat()
    return Parsed(meta, problems, start, end, has_title=title is not None)


def read_meta(path: Path, docname: str) -> PageMeta:
    """Best-effort metadata of a page file, for ordering before it is read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return PageMeta(title=docname)
    if path.suffix == ".rst":
        return PageMeta(title=docname)
    parsed = parse(text, fallback_title=docname)
    if parsed.meta is not None:
        return parsed.meta
    first = next((t for _, t in body_h1s(text.split("\n"))), None)
    return PageMeta(title=heading_text(first) if first else docname)


def _mojibake(lines: list[str]) -> list[tuple[int, str, str]]:
    found = []
    for i, line in enumerate(lines):
        if not line or line.isascii():
            continue
        fixed = ftfy.fix_encoding(line)
        if fixed != line:
            found.append((i, line, fixed))
    return found


def heading_text(text: str) -> str:
    """A heading's text without trailing ``{#id .class}`` attributes."""
    return HEADING_ATTRS.sub("", text).strip()


def outside_fences(lines: list[str], start: int = 0):
    """``(index, line)`` of each line from ``start`` that is not inside a code fence.

    A fence closes only on a line of the same character, at least as long as the
    opening one and with nothing after it, so ```` ```` ```` fences may hold ``` ones.
    """
    fence: str | None = None
    for i in range(start, len(lines)):
        m = FENCE.match(lines[i])
        if fence is None:
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = m.group(1)
                continue
        else:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            continue
        yield i, lines[i]


def body_h1s(lines: list[str], start: int = 0):
    """``(index, heading text)`` of each ``# Heading`` line outside code fences."""
    for i, line in outside_fences(lines, start):
        h = H1.match(line)
        if h:
            yield i, h.group(1)


def _label_before(lines: list[str], i: int) -> int | None:
    """Index of a ``(label)=`` / ``{#id}`` line directly above line ``i`` (blank lines allowed)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 and LABEL_LINE.match(lines[j]) else None


def _drop_header_title(lines: list[str], start: int, end: int) -> None:
    """Comment out the ``title`` key of the header (line count kept): the body heading is the title."""
    for i in range(start + 1, end):
        if re.match(r"^title\s*:", lines[i]):
            lines[i] = "# " + lines[i]
            j = i + 1
            while j < end and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                if lines[j].strip():
                    lines[j] = "# " + lines[j]
                j += 1
            break
    if all(not line.strip() or line.lstrip().startswith("#") for line in lines[start + 1 : end]):
        # nothing left for MyST in the header: no header at all (MyST rejects an empty one)
        for i in range(start, end + 1):
            lines[i] = ""


def _blank_h1(lines: list[str], start: int, end: int, title: str, docname: str) -> None:
    for i, text in list(body_h1s(lines, end + 1)):
        if heading_text(text).casefold() == title.strip().casefold():
            if HEADING_ATTRS.search(text) or _label_before(lines, i) is not None:
                # The heading carries a label: keep it as the page title so the label
                # names the page, and let the header's copy of the title go.
                _drop_header_title(lines, start, end)
            else:
                lines[i] = ""
        else:
            warn(
                PressWarning.HEADING,
                f"body heading '# {text}' differs from the front matter title {title!r}: "
                "the title comes from the front matter and the body starts at '##'",
                location=(docname, i + 1),
            )


def _is_markdown(app: Sphinx, docname: str) -> bool:
    suffix = Path(app.env.doc2path(docname)).suffix
    parser = app.config.source_suffix.get(suffix)
    return parser == "markdown" or (parser == "myst-nb" and suffix == ".md")  # myst-nb reads .md too


ANY_HEADING = re.compile(r"^#{1,6}\s+\S|^(=+|-+)\s*$")


def _has_heading(lines: list[str]) -> bool:
    """Whether a Markdown page has any heading outside code fences (ATX, or a setext underline)."""
    return any(
        ANY_HEADING.match(line) and (line.startswith("#") or (i and lines[i - 1].strip()))
        for i, line in outside_fences(lines)
    )


def _max_aliases(app: Sphinx) -> int:
    from . import config as press_config

    return press_config.get(app.config).max_yaml_aliases


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

    if not _is_markdown(app, docname):
        source[0] = "\n".join(lines)
        return

    parsed = parse("\n".join(lines), fallback_title=docname, max_aliases=_max_aliases(app))
    for kind, message, line in parsed.problems:
        warn(kind, message, location=(docname, line))
    if parsed.start < 0 and not _has_heading(lines):
        warn(
            PressWarning.FRONTMATTER_FIELD,
            "page has no title: start it with front matter holding a 'title' "
            "(---, title: \"…\", ---) or with a '# Heading'",
            location=(docname, 1),
        )
    meta = parsed.meta
    if meta is None and parsed.start >= 0:
        # A header that cannot be read (the build fails on the message above): a neutral
        # header keeps it to that one clear message, not a cascade from MyST; line numbers
        # stay where they were.  Readable headers are never rewritten.
        meta = PageMeta(title=docname)
        title_line = f"title: {yaml.safe_dump(docname).splitlines()[0]}"
        if parsed.end < 0 or parsed.end - parsed.start < 2:
            lines[parsed.start] = f"---\n{title_line}\n---" if parsed.end < 0 else f"---\n{title_line}"
        else:
            for i in range(parsed.start + 1, parsed.end):
                lines[i] = ""
            lines[parsed.start + 1] = title_line
        parsed.has_title = True
    if meta is not None and any(k == PressWarning.FRONTMATTER_FIELD and "has no 'title'" in m for k, m, _ in parsed.problems):
        # our header without its title (reported above): a stand-in heading on the blank line
        # after the header keeps it to that one message, without moving any line
        if parsed.end + 1 < len(lines) and not lines[parsed.end + 1].strip():
            lines[parsed.end + 1] = f"# {docname}"
    if meta is not None:
        if parsed.has_title:
            _blank_h1(lines, parsed.start, parsed.end, meta.title, docname)
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
