"""The ``press`` command (also ``python -m press``): its arguments, and the few commands
small enough to live here (``new``, ``clean``).

The rest is done elsewhere: :func:`press.engine.build_book` builds, ``press.serve``
previews, :mod:`press.template` is what ``press new`` copies.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import json
import os
import re
import shlex
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
RENAMES = {"dot-github": ".github", "dot-gitignore": ".gitignore", "dot-readthedocs.yaml": ".readthedocs.yaml"}

DESCRIPTION = """\
Field Guide Press: write a book in Markdown, publish it as a web book, a PDF
and an EPUB. Builds are strict: any warning fails the build and the last good
output stays in place."""

EPILOG = """\
start a book:   press new my-book && cd my-book && press build
preview:        press serve  (http://127.0.0.1:8000, rebuilds on save)
publish:        press publish  (the gh-pages branch), or upload _build/html/ to any static host"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", type=Path, default=None, metavar="DIR",
                   help="folder of the pages (default: found: source/, the folder of conf.py or of a "
                        "Jupyter Book's _config.yml, here or in docs/)")
    p.add_argument("--conf", type=Path, default=None, metavar="DIR",
                   help="folder of conf.py (default: found with the source)")
    p.add_argument("--out", type=Path, default=Path("_build"), metavar="DIR",
                   help="output folder (default: _build)")


def _verbosity(p: argparse.ArgumentParser) -> None:
    """``-v``/``-q``: more of Sphinx's own messages, or only warnings and errors."""
    loud = p.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="count", default=0,
                      help="say more (Sphinx's own progress messages; -vv for its debug messages)")
    loud.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")


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
                    "a figure and a cross-reference, references.bib, a Makefile, a README, a "
                    "GitHub Pages workflow, a .readthedocs.yaml and the press it was made with "
                    "(.press/wheels/, named in requirements.txt). It builds in all three formats as it is.",
    )
    n.add_argument("dir", type=Path, metavar="DIR",
                   help="folder to create ('.' for the current one); it must not exist, be empty or hold only .git")
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
    _verbosity(b)

    s = sub.add_parser(
        "serve", help="live preview on http://127.0.0.1:8000",
        description="Build the web book and serve it on HOST:PORT, rebuilding when a page changes.",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=None,
                   help="port (default: 8000, or the next free one up to 8019)")
    _common(s)

    k = sub.add_parser(
        "check", help="preflight before a release: strict build, external links, EPUBCheck, PDF/UA",
        description="Build strictly, then check the external links (Sphinx linkcheck; without a network "
                    "they are reported as not checked), the EPUB (EPUBCheck) and the PDF (PDF/UA-1 rules "
                    "of pdfua), and print one summary table. Exit status 0: all passed; 1: a check failed; "
                    "3: nothing failed but a check could not run. The tools: "
                    "pip install 'field-guide-press[check]'.",
    )
    k.add_argument("--no-links", action="store_true", help="do not check the external links")
    k.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                   help="read pages in N parallel processes (a number or 'auto')")
    _common(k)

    pub = sub.add_parser(
        "publish", help="push the built web book to the gh-pages branch",
        description="Commit OUT/html (the web book, with the PDF and the EPUB inside) to a branch "
                    "(default gh-pages) with ghp-import and push it, for GitHub Pages without Actions "
                    "or any host that serves a branch. Your working tree is not touched. Build first, "
                    "with the public address: press build --site-url https://you.github.io/repo/",
    )
    pub.add_argument("--out", type=Path, default=Path("_build"), metavar="DIR",
                     help="output folder holding html/ (default: _build)")
    pub.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    pub.add_argument("--branch", default="gh-pages", help="branch to write (default: gh-pages)")
    pub.add_argument("--message", default=None, help="commit message (default: names press and HEAD)")
    pub.add_argument("--cname", default=None, metavar="DOMAIN", help="write a CNAME file for a custom domain")
    pub.add_argument("--no-push", action="store_true", help="commit to the branch but do not push it")

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


def parser() -> argparse.ArgumentParser:
    """The ``press`` command's parser (the manual's command reference is written from it)."""
    return _parser()


def _title_of(folder: Path) -> str:
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(w.capitalize() for w in words) or "My Book"


#: What an "empty" folder for ``press new`` may already hold: a fresh ``git init`` or clone.
MAY_EXIST = {".git"}
#: A placeholder inside a double-quoted string of the template (Python, YAML, TOML):
#: filled in escaped, as the JSON string it is (which Python and YAML read alike).
QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*\{\{\w+\}\}(?:[^"\\\n]|\\.)*)"')


def fill(text: str, values: dict[str, str]) -> str:
    """The template text with ``{{KEY}}`` placeholders filled in: escaped inside double
    quotes (``project = "{{TITLE}}"``), as they are elsewhere (comments, Markdown)."""
    def quoted(m: re.Match) -> str:
        inner = m.group(1)
        for key, value in values.items():
            inner = inner.replace(key, json.dumps(value, ensure_ascii=False)[1:-1])
        return f'"{inner}"'

    text = QUOTED.sub(quoted, text)
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def new(dest: Path, title: str, author: str) -> int:
    """Copy the template into ``dest``, filling in the title, author and slug."""
    from .config import slugify

    if dest.exists() and (not dest.is_dir() or any(p.name not in MAY_EXIST for p in dest.iterdir())):
        print(f"press: {dest} exists and is not empty; choose a new folder (or an empty one, or one "
              f"holding only .git)", file=sys.stderr)
        return 1
    for name, value in (("--title", title), ("--author", author)):
        if any(c in value for c in "\r\n\t\0") or "{{" in value:
            print(f"press: {name} must be one line of text without '{{{{', got {value!r}", file=sys.stderr)
            return 2
    title = title.strip() or _title_of(dest)
    values = {"{{TITLE}}": title, "{{AUTHOR}}": author.strip() or "The Authors", "{{SLUG}}": slugify(title),
              "{{VERSION}}": __version__, "{{YEAR}}": time.strftime("%Y")}
    from .install import plan, vendor_wheel

    install = plan()
    values["{{INSTALL}}"] = install.line
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
        if src.suffix in {".png", ".jpg", ".whl"}:
            shutil.copyfile(src, target)
            continue
        target.write_text(fill(src.read_text(encoding="utf-8"), values), encoding="utf-8")
    wheel = vendor_wheel(dest) if install.vendor else None
    here = dest.resolve() == Path.cwd().resolve()
    cd = "" if here else f"  cd {shlex.quote(str(dest))}\n"
    print(f"press: new book in {dest}/; CI and Read the Docs install press {__version__} {install.how}"
          + (f" ({wheel.relative_to(dest)})" if wheel else "")
          + f"\n{cd}  press build    # -> _build/pdf, _build/epub, _build/html\n"
          f"  press serve    # live preview on http://127.0.0.1:8000\n"
          f"  press publish  # the web book to the gh-pages branch (or push: .github/workflows/publish.yml)")
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
    from .progress import set_colour

    set_colour()
    if args.command == "new":
        return new(args.dir, args.title, args.author)
    if args.command == "clean":
        return clean(args.out)
    if args.command == "publish":
        from .publish import publish

        return publish(args.out, args.remote, args.branch, args.message, args.cname, push=not args.no_push)
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
    if args.command == "check":
        from .check import run

        return run(project.source, project.conf, args.out, links=not args.no_links, jobs=args.jobs)
    if args.command == "serve":
        from .serve import serve

        return serve(project.source, project.conf, args.out, host=args.host, port=args.port)
    unknown = [f for f in args.formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    from .engine import build_book

    from .config import SITE_URL_ENV

    # the process ends after the build: no full collection of the build's objects on the way out
    # (the interpreter's last collection scanned them for 1.2 s after a one-page edit of the light
    # 200-page benchmark book); frozen objects are left to the exit
    atexit.register(gc.freeze)

    # the one place the host's site URL is read; the build's state carries it from here
    site_url = args.site_url if args.site_url is not None else os.environ.get(SITE_URL_ENV)
    formats = [f for f in FORMATS if f in args.formats] if args.formats else list(FORMATS)
    kwargs: dict = {"jobs": args.jobs} if args.jobs is not None else {}
    if site_url:
        kwargs["site_url"] = site_url
    if args.verbose:
        kwargs["verbosity"] = args.verbose
    try:
        if args.quiet:  # warnings and errors go to stderr: the progress lines are left out
            with open(os.devnull, "w", encoding="utf-8") as devnull, contextlib.redirect_stdout(devnull):
                return build_book(formats, project.source, project.conf, args.out, strict=not args.no_strict,
                                  **kwargs)
        return build_book(formats, project.source, project.conf, args.out, strict=not args.no_strict, **kwargs)
    except OSError as exc:  # the machine's, not the book's (read-only, full disk, permission)
        from .envfail import describe

        print(f"press: {describe(exc) or f'ERROR: {exc}'}", file=sys.stderr, flush=True)
        return 1
