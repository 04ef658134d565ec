"""``python -m benchmarks [--pages 200] [--scaling 50,200,400] [--no-latex]`` (``make bench``).

Generates a book of N pages, builds it with our PDF route (``python -m press build
pdf``, exactly what ``make pdf`` runs) and with Sphinx's ``latexpdf`` (xelatex), each
from a clean output folder in a child process, and prints a table: wall time, peak
memory, PDF page count and the ratio; then where our time goes, and (with
``--scaling``) how our time grows with the page count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf

from .generate import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEX_PACKAGES = ["texlive-xetex", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-freefont-otf", "tex-gyre"]


def ensure_tex() -> str | None:
    """Make sure xelatex and latexmk exist (apt-get, benchmark only); return a reason if not."""
    if shutil.which("xelatex") and shutil.which("latexmk"):
        return None
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return "xelatex is missing and cannot be installed here (needs apt-get as root)"
    print("bench: installing TeX Live for the latexpdf baseline (apt-get)...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *TEX_PACKAGES]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            return f"could not install TeX Live ({' '.join(cmd[:2])} failed)"
    return None if shutil.which("xelatex") else "xelatex still missing after apt-get"


def measure(cmd: list[str], cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1795564800")}
    out = subprocess.run([sys.executable, "-m", "benchmarks.measure", "--", *cmd], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(str(pdf)).pages) if pdf.is_file() else 0


def timed(book: Path, name: str, cmd: list[str], pdf: str | None = None) -> dict:
    """Run one route (``{out}`` in ``cmd``) into a fresh ``book/<name>``; time it, count PDF pages."""
    out = book / name
    shutil.rmtree(out, ignore_errors=True)
    result = measure([c.replace("{out}", str(out)) for c in cmd], book)
    if pdf is not None:
        result["pages"] = pages(out / pdf)
    return result


def sphinx_build() -> str:
    return str(Path(sys.executable).with_name("sphinx-build"))


def ours(book: Path) -> dict:
    cmd = [sys.executable, "-m", "press", "build", "pdf", "--source", str(book / "source"),
           "--conf", str(book), "--out", "{out}"]
    return timed(book, "_typst", cmd, "pdf/bench.pdf")


def latex(book: Path) -> dict:
    cmd = [sphinx_build(), "-M", "latexpdf", str(book / "source"), "{out}", "-c", str(book), "-q"]
    return timed(book, "_latex", cmd, "latex/bench.pdf")


def latex_writer_only(book: Path) -> dict:
    """Sphinx's LaTeX writer without TeX: the part of latexpdf that is not xelatex."""
    cmd = [sphinx_build(), "-b", "latex", str(book / "source"), "{out}", "-c", str(book), "-q"]
    return timed(book, "_latex_only", cmd)


def phases(book: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "benchmarks.phases", str(book), str(book / "_phases")],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # extensions may print before


def row(name: str, r: dict) -> str:
    return f"| {name} | {r['wall']:.1f} s | {r['maxrss_mb']:.0f} MB | {r['pages']} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="source pages in the generated book")
    parser.add_argument("--scaling", default="50,200,400", help="also time our route at these sizes (\"\" to skip)")
    parser.add_argument("--no-latex", action="store_true", help="skip the latexpdf baseline")
    parser.add_argument("--work", type=Path, default=HERE / "_work")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)

    book = generate(args.work / f"book-{args.pages}", args.pages)
    print(f"bench: generated {args.pages} pages in {book}", flush=True)
    mine = ours(book)
    if mine["status"] != 0:
        print(mine["stderr"], file=sys.stderr)
        return 1
    reason = "skipped (--no-latex)" if args.no_latex else ensure_tex()
    base = None
    if reason is None:
        base = latex(book)
        if base["status"] != 0 or not base["pages"]:
            reason = "latexpdf failed: " + base["stderr"][-500:]
            base = None

    print(f"\n## PDF from {args.pages} generated pages\n")
    print("| route | wall time | peak memory | PDF pages |")
    print("|---|---|---|---|")
    print(row("press (Typst, in-process)", mine))
    if base is not None:
        print(row("Sphinx latexpdf (xelatex)", base))
        print(f"\nratio: press is **{base['wall'] / mine['wall']:.1f}×** faster than latexpdf (target ≥ 5×); "
              f"peak memory {mine['maxrss_mb']:.0f} MB vs {base['maxrss_mb']:.0f} MB")
    else:
        print(f"\nlatexpdf baseline: {reason}")

    split = phases(book)
    if base is not None:
        writer = latex_writer_only(book)
        tex = base["wall"] - writer["wall"]
        print(f"\nlatexpdf split: Sphinx read + LaTeX writer {writer['wall']:.1f} s, latexmk/xelatex {tex:.1f} s; "
              f"our Typst compile {split['compile']:.1f} s → TeX/Typst compile ratio **{tex / split['compile']:.1f}×**")
    print("\n## Where our time goes\n")
    print("| phase | time | share |")
    print("|---|---|---|")
    labels = {"read": "Sphinx read (MyST parse, transforms, env)", "assemble": "assemble book + resolve refs",
              "write": "Typst writing (translator)", "compile": "Typst compile (layout + PDF)",
              "other": "other (setup, images, env pickling)"}
    for key, text in labels.items():
        print(f"| {text} | {split[key]:.2f} s | {100 * split[key] / split['total']:.0f}% |")
    print(f"| total (in-process) | {split['total']:.2f} s | 100% |")

    if args.scaling:
        sizes = [int(s) for s in args.scaling.split(",") if s.strip()]
        print("\n## Growth of our route\n")
        print("| source pages | PDF pages | wall time | per PDF page |")
        print("|---|---|---|---|")
        for n in sizes:
            r = mine if n == args.pages else ours(generate(args.work / f"book-{n}", n))
            print(f"| {n} | {r['pages']} | {r['wall']:.1f} s | {1000 * r['wall'] / max(r['pages'], 1):.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
