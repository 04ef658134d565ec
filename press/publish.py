"""``press publish``: the built web book onto a ``gh-pages`` branch, for hosts without Actions.

The folder ``OUT/html`` (the web book, with the PDF, the EPUB and the offline zip inside)
becomes one commit on the branch (default ``gh-pages``) with ghp-import, which never touches
the working tree or the index, and is pushed to the remote (default ``origin``).  A
``.nojekyll`` file goes with it: GitHub Pages would otherwise run Jekyll, which drops Sphinx's
``_static/`` and ``_images/`` folders.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from . import __version__


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def pages_url(remote_url: str) -> str:
    """``https://OWNER.github.io/REPO/`` for a GitHub remote URL (https or ssh), else ``""``."""
    m = re.match(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([^/]+)/([^/]+?)(?:\.git)?/?$",
                 remote_url)
    if not m:
        return ""
    owner, repo = m.groups()
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{repo.lower()}/"
    return f"https://{owner.lower()}.github.io/{repo}/"


def publish(out: Path, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
            cname: str | None = None, push: bool = True) -> int:
    """Commit ``out/html`` to ``branch`` and push it to ``remote``; one line on any problem."""
    html = out / "html"
    if not (html / "index.html").is_file():
        print(f"press publish: no web book in {html}/: build it first, with its public address "
              f"(press build --site-url https://you.github.io/repo/)", file=sys.stderr)
        return 2
    if not _git("rev-parse", "--git-dir"):
        print("press publish: this folder is not in a git repository: `git init` and add a remote "
              f"(`git remote add {remote} URL`) first", file=sys.stderr)
        return 2
    remote_url = _git("remote", "get-url", remote)
    if push and not remote_url:
        print(f"press publish: the repository has no remote {remote!r}: add it (`git remote add {remote} URL`) "
              f"or name another with --remote", file=sys.stderr)
        return 2
    from ghp_import import GhpError, ghp_import

    if push:  # ghp-import adds its commit on top of the remote branch as this repository last saw it
        _git("fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")

    head = _git("rev-parse", "--short", "HEAD")
    mesg = message or f"Publish the web book (press {__version__}" + (f", from {head})" if head else ")")
    try:
        ghp_import(str(html), mesg=mesg, remote=remote, branch=branch, push=push, nojekyll=True, cname=cname)
    except (GhpError, subprocess.CalledProcessError, OSError) as exc:
        text = " ".join(str(getattr(exc, "message", exc)).split())
        print(f"press publish: git failed: {text}", file=sys.stderr)
        return 1
    where = f"{remote} ({remote_url})" if push else "this repository (not pushed: --no-push)"
    print(f"press publish: {html}/ is the {branch!r} branch of {where}")
    url = pages_url(remote_url) if push else ""
    if url:
        print(f"press publish: on GitHub choose Settings -> Pages -> Deploy from a branch: {branch}; "
              f"the book is then at {url}")
    return 0
