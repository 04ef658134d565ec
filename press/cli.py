"""The ``press`` command (also ``python -m press``): its arguments, and the few commands
small enough to live here (``new``, ``clean``).

The rest is done elsewhere: :func:`press.engine.build_book` builds, ``press.serve``
previews, :mod:`press.template` is what ``press new`` copies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from . import __version__
from .formats import ORDER, parse_jobs

#: Every format, in build order: the web book carries copies of the PDF and EPUB.
FORMATS = ORDER  # (press.formats)
TEMPLATE = Path(__file__).resolve().with_name("template")
#: Template entries stored under another name (hidden files are not package data).
RENAMES = {"dot-github": ".github", "dot-gitignore": ".gitignore"}

DESCRIPTION = """\
Field Guide Press: write a book in Markdown, publish it as a web book, a PDF
and an EPUB. Builds are strict: any warning fails the build and the last good
output stays in place."""

EPILOG = """\
start a book:   press new my-book && cd my-book && press build
preview:        press serve  (http://127.0.0.1:8000, rebuilds on save)
publish:        upload _build/html/ to any static host (see README.md)"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", type=Path, default=None, metavar="DIR",
                   help="folder of the pages (default: found: source/, the folder of conf.py or of a "
                        "Jupyter Book's _config.yml, here or in docs/)")
    p.add_argument("--conf", type=Path, default=None, metavar="DIR",
                   help="folder of conf.py (default: found with the source)")
    p.add_argument("--out", type=Path, default=Path("_build"), metavar="DIR",
                   help="output folder (default: _build)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="press", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"press (field-guide-press) {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    n = sub.add_parser(
        "new", help="start a new book in a new folder",
        description="Create DIR with a small working book: conf.py, a section, a page with a citation, "
                    "a figure and a cross-reference, references.bib, a Makefile, a README and a "
                    "GitHub Pages workflow. It builds in all three formats as it is.",
    )
    n.add_argument("dir", type=Path, metavar="DIR", help="folder to create (must not exist or be empty)")
    n.add_argument("--title", default="", help="book title (default: from the folder name)")
    n.add_argument("--author", default="The Authors", help='author name (default: "The Authors")')

    b = sub.add_parser(
        "build", help="build the PDF, the EPUB and the web book (or the formats named)",
        description="Build strictly into OUT/<format>: any warning fails the build, and a failed "
                    "build leaves the previous output untouched. Without FORMAT all three are "
                    "built (PDF and EPUB first, so the web book links copies of them).",
    )
    b.add_argument("formats", nargs="*", metavar="FORMAT",
                   help="pdf, epub or html (default: all three)")
    b.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                   help="read and write pages in N parallel processes (a number or 'auto')")
    b.add_argument("--site-url", default=None, metavar="URL",
                   help="public URL of the web book, e.g. https://me.github.io/my-book/ "
                        "(overrides press_site_url; same as the PRESS_SITE_URL variable)")
    b.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    _common(b)

    s = sub.add_parser(
        "serve", help="live preview on http://127.0.0.1:8000",
        description="Build the web book and serve it on HOST:PORT, rebuilding when a page changes.",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    _common(s)

    g = sub.add_parser(
        "config", help="print the Sphinx configuration press builds with",
        description="Print the effective Sphinx configuration: for a Jupyter Book, the conf.py "
                    "generated from _config.yml (what `jupyter-book config sphinx` wrote); for a "
                    "Sphinx project, the folders found and the values of its conf.py.",
    )
    _common(g)

    c = sub.add_parser("clean", help="delete the output folder",
                       description="Delete OUT (default: _build) with every built format in it.")
    c.add_argument("--out", type=Path, default=Path("_build"), metavar="DIR",
                   help="output folder (default: _build)")
    return parser


def _title_of(folder: Path) -> str:
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(w.capitalize() for w in words) or "My Book"


def new(dest: Path, title: str, author: str) -> int:
    """Copy the template into ``dest``, filling in the title, author and slug."""
    from .config import slugify

    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        print(f"press: {dest} exists and is not empty; choose a new folder", file=sys.stderr)
        return 1
    title = title or _title_of(dest)
    values = {"{{TITLE}}": title, "{{AUTHOR}}": author, "{{SLUG}}": slugify(title), "{{VERSION}}": __version__,
              "{{YEAR}}": time.strftime("%Y")}
    for src in sorted(TEMPLATE.rglob("*")):
        rel = src.relative_to(TEMPLATE)
        if "__pycache__" in rel.parts or src.suffix == ".pyc":
            continue
        rel = Path(*(RENAMES.get(part, part) for part in rel.parts))
        target = dest / rel
        if src.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix in {".png", ".jpg"}:
            shutil.copyfile(src, target)
            continue
        text = src.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        target.write_text(text, encoding="utf-8")
    print(f"press: new book in {dest}/\n  cd {dest}\n  press build    # -> _build/pdf, _build/epub, _build/html\n"
          f"  press serve    # live preview on http://127.0.0.1:8000")
    return 0


def clean(out: Path) -> int:
    if out.exists():
        shutil.rmtree(out)
        print(f"press: removed {out}/")
    else:
        print(f"press: nothing to clean ({out}/ does not exist)")
    return 0


def _jobs(text: str) -> int | str:
    """``-j`` value: a positive number or ``auto`` (one process per core), checked by
    :func:`press.formats.parse_jobs` (the engine's own reading of it)."""
    try:
        parse_jobs(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return "auto" if text.strip().lower() == "auto" else int(text)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "new":
        return new(args.dir, args.title, args.author)
    if args.command == "clean":
        return clean(args.out)
    from .project import NoProject, locate

    try:
        project = locate(args.source, args.conf, args.out)
    except (NoProject, ValueError, OSError) as exc:
        print(f"press: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        from .project import describe

        print(describe(project), end="")
        return 0
    if args.command == "serve":
        from .serve import serve

        return serve(project.source, project.conf, args.out, host=args.host, port=args.port)
    unknown = [f for f in args.formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    from .engine import build_book

    from .config import SITE_URL_ENV

    # the one place the host's site URL is read; the build's state carries it from here
    site_url = args.site_url if args.site_url is not None else os.environ.get(SITE_URL_ENV)
    formats = [f for f in FORMATS if f in args.formats] if args.formats else list(FORMATS)
    kwargs: dict = {"jobs": args.jobs} if args.jobs is not None else {}
    if site_url:
        kwargs["site_url"] = site_url
    try:
        return build_book(formats, project.source, project.conf, args.out, strict=not args.no_strict, **kwargs)
    except OSError as exc:  # the machine's, not the book's (read-only, full disk, permission)
        from .envfail import describe

        print(f"press: {describe(exc) or f'ERROR: {exc}'}", file=sys.stderr, flush=True)
        return 1
