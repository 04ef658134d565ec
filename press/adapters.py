"""The one place the press touches other packages' internals.

Everything else in ``press/`` uses public APIs of Sphinx and its extensions.  Each function
here wraps one internal that has no public route (as of Sphinx 9.0 and sphinx-sitemap
2.x), says why, and is pinned by ``tests/test_adapters.py``, which fails loudly when the
upstream changes shape; the same test fails when an internal is used anywhere else.

This module imports nothing of the press.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import IO, Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

#: the foreign internals used here (``tests/test_adapters.py`` allows them nowhere else)
INTERNALS = (
    "_raw_config",  # Config: what conf.py itself set
    "_press",  # Config: our validated settings, kept with the values they were made from
    "env._app",  # BuildEnvironment: the application (for the builder) in a post-transform
    "_fail_on_warnings",  # Sphinx: whether warnings fail this build
    "events.listeners",  # EventManager: another extension's handler, to disconnect it
    "sitemap_links",  # sphinx-sitemap's queue of page links
    "handle_exception",  # sphinx.cmd.build: Sphinx's crash report, outside build_main
    "_actions",  # argparse: a parser's arguments (the manual's command reference)
    "_choices_actions",  # argparse: the help line of each sub-command
)


# ---- configuration ---------------------------------------------------------------------------

def set_in_conf(config: Config, name: str) -> bool:
    """Whether ``conf.py`` itself sets ``name`` (a ``-D`` override does not count).

    Why an internal: ``Config`` answers every registered name with its default, and has no
    public "was this given?" question; the press fills in defaults (MyST, ``numfig``, the
    theme, ``epub_basename`` …) only where the author said nothing, including when the author
    chose the same value as Sphinx's default.  ``Config._raw_config`` is the namespace
    ``conf.py`` was executed in."""
    return name in config._raw_config


def conf_value(config: Config, name: str, default: Any = None) -> Any:
    """The value ``conf.py`` itself gives ``name`` (``default`` if none), readable before
    ``config-inited`` (when an extension's ``setup()`` decides what to load).  Same internal
    as :func:`set_in_conf`."""
    return config._raw_config.get(name, default)


def conf_names(config: Config) -> list[str]:
    """Every name ``conf.py`` defines (to report unknown ``press_*`` settings).  Same
    internal as :func:`set_in_conf`: the registered values are public, the names an author
    wrote that nobody registered are not."""
    return list(config._raw_config)


def keep_press_settings(config: Config, settings: Any) -> None:
    """Keep the validated :class:`press.config.PressConfig` on Sphinx's ``Config``.

    Why an attribute of ours on a foreign object: the settings are derived from the config
    values (defaults filled, types checked) and must travel with them — into forked ``-j``
    workers and pickled environments — wherever a ``Config`` goes; Sphinx has no slot for an
    extension's derived settings, and a registered config value would be compared between
    builds (forcing re-reads)."""
    config._press = settings  # type: ignore[attr-defined]


def press_settings(config: Config) -> Any:
    """What :func:`keep_press_settings` kept."""
    return config._press  # type: ignore[attr-defined]


# ---- the application, seen from where Sphinx does not hand it over --------------------------

def builder_of(env: BuildEnvironment) -> Any:
    """The builder writing now, from a post-transform (links need ``get_relative_uri``).

    Why an internal: ``SphinxTransform.app`` and ``BuildEnvironment.app`` are deprecated in
    Sphinx 9 (removed in 11) without a replacement for a post-transform; Sphinx's own
    post-transforms read ``env._app.builder`` (sphinx/transforms/post_transforms)."""
    return env._app.builder


def fails_on_warnings(app: Sphinx) -> bool:
    """Whether warnings fail this build (``-W``, the engine's strict builds).

    Why an internal: the constructor's ``warningiserror`` is kept only as
    ``Sphinx._fail_on_warnings`` (``Sphinx.warningiserror`` is a class constant ``False``
    since Sphinx 8.1)."""
    return bool(getattr(app, "_fail_on_warnings", False))


def disconnect(app: Sphinx, event: str, handler: Callable[..., Any]) -> int:
    """Disconnect another extension's ``handler`` from ``event``; how many were removed.

    Why an internal: :meth:`Sphinx.disconnect` takes the listener id that only the
    extension that connected it was given; ``EventManager.listeners`` is where the ids
    are (the EPUB builder replaces checks Sphinx's ``epub3`` connects at import)."""
    removed = 0
    for listener in list(app.events.listeners.get(event, [])):
        if listener.handler is handler:
            app.disconnect(listener.id)
            removed += 1
    return removed


def disconnect_packages(app: Sphinx, event: str, packages: set[str]) -> int:
    """Disconnect every handler of ``event`` that a module of ``packages`` (top-level names)
    connected; how many were removed (the EPUB builder drops the web themes' page handlers)."""
    removed = 0
    for listener in list(app.events.listeners.get(event, [])):
        module = getattr(listener.handler, "__module__", None) or ""
        if module.split(".")[0] in packages:
            app.disconnect(listener.id)
            removed += 1
    return removed


def disconnect_methods(app: Sphinx, event: str, owner: type) -> int:
    """Disconnect from ``event`` every handler that is a method of an ``owner`` instance; how
    many were removed.

    Why an internal: the same as :func:`disconnect`, for a handler Sphinx connected itself
    (an environment collector's method: a bound method is a new object at every access, so
    it is recognised by the instance it is bound to)."""
    removed = 0
    for listener in list(app.events.listeners.get(event, [])):
        if isinstance(getattr(listener.handler, "__self__", None), owner):
            app.disconnect(listener.id)
            removed += 1
    return removed


def declare_all(app: Sphinx, attribute: str) -> bool:
    """Whether every extension of ``app`` declares ``attribute`` (``parallel_read_safe``)
    true: :meth:`Sphinx.is_parallel_allowed` answers the same but warns (a failed strict
    build) when one does not, so press asks first.  ``Sphinx.extensions`` holds them."""
    return all(getattr(ext, attribute, None) is True for ext in app.extensions.values())


def vouch_parallel_read(app: Sphinx, names: dict[str, str]) -> None:
    """Declare the loaded extensions among ``names`` (name → why) safe for parallel reading.

    Why an internal: ``Sphinx.extensions`` maps names to ``Extension`` objects whose
    ``parallel_read_safe`` comes from the extension's ``setup()``; an extension that does
    not say (sphinx-multitoc-numbering, loaded by sphinx-external-toc in every Jupyter
    Book) makes Sphinx warn and read in one process.  press sets it only for extensions it
    has read (:data:`press.engine.sphinx_run.READ_SAFE`)."""
    for name in names:
        ext = app.extensions.get(name)
        if ext is not None and getattr(ext, "parallel_read_safe", None) is None:
            ext.parallel_read_safe = True


def domains_merge(app: Sphinx) -> bool:
    """Whether every domain of ``app``'s environment merges the data of forked readers:
    an extension may declare itself safe for parallel reading and still leave its
    domain's ``merge_domaindata`` to Sphinx's default, which raises (sphinx-proof).

    Why an internal: the environment's domains are reached through ``env.domains``, a
    container Sphinx keeps private in name (``_DomainsContainer``) with public methods."""
    from sphinx.domains import Domain

    return all(getattr(d.merge_domaindata, "__func__", None) is not Domain.merge_domaindata
               for d in app.env.domains.values())


def merge_nothing(app: Sphinx, names: dict[str, str]) -> None:
    """Give the domains among ``names`` (domain name → why) a merge of the readers' data that
    merges nothing: a domain whose class leaves ``merge_domaindata`` to Sphinx's default
    (which raises) although its data holds nothing but Sphinx's ``version`` key (its
    extension keeps its data elsewhere and merges it in its own ``env-merge-info`` handler:
    sphinx-proof).  A domain that starts to hold data, or to merge, is left alone; if a reader
    still brings data, the merge raises as Sphinx's default does.

    Why an internal: as :func:`domains_merge`, ``env.domains``; the merge is set on the
    domain object Sphinx made for this environment, not on its class."""
    from sphinx.domains import Domain

    for name in names:
        domain = app.env.domains.get(name)
        if (domain is None or type(domain).merge_domaindata is not Domain.merge_domaindata
                or type(domain).initial_data or set(domain.data) - {"version"}):
            continue

        def merge(docnames: Any, otherdata: dict[str, Any], _domain: Any = domain) -> None:
            if set(otherdata) - {"version"}:
                raise NotImplementedError(f"merge_domaindata must be implemented in {type(_domain)} "
                                          "to be able to do parallel builds!")

        domain.merge_domaindata = merge


def write_serial(builder: Any, docnames: list[str]) -> None:
    """Write ``docnames`` in one process in this order, as ``Builder.write_documents`` does in
    Sphinx's (sorted).

    Why an internal: ``Builder.write_documents`` sorts the names and calls
    ``Builder._write_serial`` (warnings held, progress, each page read, resolved and written);
    no public call writes pages in another order (the EPUB goes the other way round from the
    web book's process so that the two share :mod:`press.memo`'s work)."""
    builder._write_serial(docnames)


def set_parallel(app: Sphinx, processes: int) -> None:
    """How many processes ``app``'s builder may use from now on.

    Why an internal: ``Sphinx.parallel`` is set by the constructor (``-j``) and read by the
    builder where it decides (``Builder.read`` before it reads the pages, ``Builder.build``
    after, for the writers); press reads the book with the cores when nothing else can run
    yet, and writes in one process (:mod:`press.engine.sphinx_run`)."""
    app.parallel = processes


# ---- sphinx-sitemap --------------------------------------------------------------------------

def sitemap_queue(app: Sphinx) -> Any:
    """sphinx-sitemap's queue of ``(link, last_updated)`` for this build, or ``None``.

    Why an internal: sphinx-sitemap collects the links of the pages written in this build
    only (``app.sitemap_links``, filled at ``html-page-context``) and offers no way to add
    pages an incremental build did not rewrite; :mod:`press.web.sitemap` completes it."""
    return getattr(app, "sitemap_links", None)


def sitemap_without_manager(app: Sphinx) -> None:
    """sphinx-sitemap's queue for a builder that writes no HTML page (the PDF's, the EPUB's;
    called from the builder's ``init``, before ``builder-inited``):
    a plain :class:`queue.Queue`, instead of the :class:`multiprocessing.Manager` queue its
    ``builder-inited`` handler makes for every builder (a server process forked from the
    build: 0.2 s of every such application's start, the PDF's on a one-page edit's way).

    Why an internal: the queue is ``app.sitemap_links``, which sphinx-sitemap's handler sets
    (with ``env.is_directory_builder``) and its ``build-finished`` handler reads; it has no
    setting to skip a builder."""
    if "sphinx_sitemap" not in app.extensions:
        return
    import queue

    import sphinx_sitemap

    disconnect(app, "builder-inited", sphinx_sitemap.record_builder_type)
    app.builder.env.is_directory_builder = False  # type: ignore[attr-defined]
    app.sitemap_links = queue.Queue()  # type: ignore[attr-defined]


def add_sitemap_page(app: Sphinx, pagename: str) -> None:
    """Let sphinx-sitemap make the link of ``pagename`` (its URL scheme, its exclusions)
    by calling its ``html-page-context`` handler as Sphinx would (no public entry point)."""
    import sphinx_sitemap

    sphinx_sitemap.add_html_link(app, pagename, None, {}, None)


# ---- crash reports ---------------------------------------------------------------------------

def report_crash(app: Sphinx | None, exc: BaseException, stream: IO[str] = sys.stderr) -> None:
    """Sphinx's own report of an unexpected exception (what ``sphinx-build`` prints: the
    message, the log file with the traceback), for a build the engine drives itself.

    Why not public: :func:`sphinx.cmd.build.handle_exception` is the report, but its second
    argument is ``sphinx-build``'s parsed command line (an ``argparse.Namespace``); the
    engine has none, so it gives the three options the function reads."""
    from sphinx.cmd.build import handle_exception

    handle_exception(app, SimpleNamespace(pdb=False, verbosity=0, traceback=False), exc, stream)  # type: ignore[arg-type]


# ---- argparse (the manual's command reference, press/manual.py) ---------------------------------

def parser_actions(parser: Any) -> list:
    """Every argument of an ``argparse`` parser, in order.  Why an internal: argparse has no
    public way to list what a parser accepts (``_actions``, stable since Python 3.2); the
    manual's reference is written from the parser so it cannot fall behind it."""
    return list(parser._actions)


def subcommand_helps(subparsers: Any) -> dict[str, str]:
    """The ``help=`` of each sub-command of a ``_SubParsersAction`` (``_choices_actions``;
    the public ``choices`` maps names to parsers, which do not keep their help line)."""
    return {c.dest: c.help or "" for c in subparsers._choices_actions}
