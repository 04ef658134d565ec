"""``python -m press build FORMAT``: the command line (see :mod:`press.engine`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .engine import BUILDERS, build_book


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m press", description="Build the book strictly.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build one or more formats strictly")
    b.add_argument("formats", nargs="+", choices=sorted(BUILDERS))
    b.add_argument("--source", type=Path, default=Path("source"))
    b.add_argument("--conf", type=Path, default=Path("."))
    b.add_argument("--out", type=Path, default=Path("_build"))
    b.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    args = parser.parse_args(argv)
    return build_book(args.formats, args.source, args.conf, args.out, strict=not args.no_strict)
