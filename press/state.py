"""One build, one state object: :class:`BookBuild`.

A ``press build`` runs one Sphinx application per format; what those applications share
(and nothing else does) lives in one :class:`BookBuild`, made by the engine
(:mod:`press.engine`) for the whole build:

=====================  =========================================================
``compiles``           the PDF's Typst compile job(s) the ``typst`` builder handed in
                       (:meth:`BookBuild.submit`); finished in one place,
                       :meth:`BookBuild.finish_compiles`
``compilers``          the Typst compilers by (root, font folders): a second compile
                       of the same book (``press serve``) reuses parsed files and fonts
``page_map``           the page map of this build's PDF (:mod:`press.pagemap`; also
                       kept in the doctree folder for a later build of the EPUB alone)
``outputs``            where each format is written, and the folder whose ``pdf/`` and
                       ``epub/`` the web book copies (:class:`Outputs`)
``site_url``           the public URL decided by the host (``press build --site-url``
                       or ``PRESS_SITE_URL``, read once by the CLI); overrides
                       ``press_site_url``
``reading_order``      the documents in the order a reader meets them (toctrees)
``token``              this build's identity: a page that drew a message is read again
                       by the next build, not by this build's next format (:mod:`press.suggest`)
=====================  =========================================================

**The hook.** The engine creates each application as a :class:`BookApp` — Sphinx's own
application with one documented attribute, :attr:`BookApp.press_build`, set *before*
Sphinx's constructor runs, so every extension sees it from ``setup()`` on (the
``config-inited`` and ``builder-inited`` handlers run inside that constructor).  Code of
ours asks :func:`of(app) <of>`.  An application that was not made by the engine
(``sphinx-build -b typst``, the tests' ``SphinxTestApp``) gets a state of its own at the
first :func:`of`, which compiles in place and reads the download folder from
``press_download_dir``.

No module of the press keeps build state in globals: everything a build shares is
reached from the application it is given.  This module imports nothing of the press
(every other module may import it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

#: the attribute of a Sphinx application that holds its :class:`BookBuild`
ATTRIBUTE = "press_build"


@dataclass
class Outputs:
    """Where this build puts things."""

    #: format (``pdf``/``epub``/``html``) -> the folder this build writes it to
    folders: dict[str, Path] = field(default_factory=dict)
    #: the folder whose ``pdf/<slug>.pdf`` and ``epub/<epub_basename>.epub`` the web book copies
    #: and links (``None``: no downloads)
    downloads: Path | None = None


class BookBuild:
    """The state one book build shares between its formats (see the module docstring)."""

    def __init__(self, *, outputs: Outputs | None = None, site_url: str | None = None,
                 compilers: dict[Any, Any] | None = None, standalone: bool = False) -> None:
        import uuid

        #: this build's identity, the same in every format (and in the web book's forked
        #: process): a page read by this build is not read again for the next format
        self.token = uuid.uuid4().hex
        self.outputs = outputs or Outputs()
        self.site_url = (site_url or "").strip() or None
        #: Typst compilers by (root folder, font folders); pass one dict to several builds to reuse them
        self.compilers: dict[Any, Any] = {} if compilers is None else compilers
        #: compilers passed in outlive this build (``press serve``): their compile processes
        #: stay between builds (:class:`press.typst.worker.Worker`); otherwise each exits once
        #: its PDF is read, so the layout's memory is freed while the other formats are written
        self.keep_compilers = compilers is not None
        #: made for one application outside the engine (``sphinx-build``): settings come from conf.py
        self.standalone = standalone
        #: while True the ``typst`` builder's compile is left in :attr:`compiles` (started in a
        #: thread when :attr:`start_deferred`) instead of being run and finished in place
        self.defer_compiles = False
        self.start_deferred = True
        self.compiles: list[Any] = []
        #: waits for the staged doctree folder's copy (the engine's; :meth:`doctrees_ready`)
        self.doctrees_copied: Callable[..., None] | None = None
        #: work done once the PDF's compile has started, off its way (:meth:`later`)
        self.deferred_work: list[Callable[[], None]] = []
        #: the page map of the PDF this build made or kept (:mod:`press.pagemap`), with its fingerprint
        self.page_map: dict[str, Any] | None = None
        self._order: tuple[str, list[str]] | None = None
        #: paths outside the book already reported at include time, (page, path, line),
        #: so the page's doctree check does not report them again (:mod:`press.containment`)
        self.contained: set[tuple[str, str, int | None]] = set()
        #: the last PDF compiled by pieces (:mod:`press.typst.pieces`): how many pieces, which
        #: were compiled and which taken unchanged from the cache, passes, settled or not
        self.pdf_pieces: dict[str, Any] | None = None
        #: work the EPUB's and the web book's processes share (code highlighting, MathML), a
        #: folder of this build's staging (:class:`press.memo.SharedMemo`, set by the engine)
        self.memo: Any = None
        #: the builder of the build's first format: every format's application reads conf.py
        #: again, and only this one reports what is wrong in it (:func:`reports_config`)
        self.first_builder: str | None = None

    # ---- the PDF's compile -----------------------------------------------------------------
    def submit(self, job: Any, app: Sphinx) -> None:
        """The ``typst`` builder's compile (:class:`press.typst.builder.Compile`): run and
        finished now, or left to run while the next formats are written (the engine's
        :meth:`deferring`)."""
        if self.defer_compiles:
            if self.start_deferred:
                job.start()
                self.after_start(job)
            self.compiles.append(job)
        else:
            job.run()
            self.do_later()
            job.finish(app)

    def start_compiles(self) -> None:
        """Start the deferred compiles that were not started (the engine, after its fork)."""
        for job in self.compiles:
            job.start()
            self.after_start(job)

    def after_start(self, job: Any) -> None:
        """A compile just started in its thread: let it hand its work to its processes (up to
        a second) before this thread's own work (:meth:`later`) takes the interpreter."""
        job.dispatched(1.0)
        self.do_later()

    def doctrees_ready(self) -> None:
        """The staged doctree folder is whole: the engine copies the environment first and the
        rest meanwhile; an application waits for it once it has loaded the environment, at
        ``builder-inited`` (before any extension's handler there)."""
        wait, self.doctrees_copied = self.doctrees_copied, None
        if wait is not None:
            wait()

    def later(self, work: Callable[[], None]) -> None:
        """``work`` once the PDF's compile has started (the ``typst`` builder's freeing of the
        book's assembled tree), or at the latest when it is finished."""
        self.deferred_work.append(work)

    def do_later(self) -> None:
        while self.deferred_work:
            self.deferred_work.pop(0)()

    def finish_compiles(self, app: Sphinx) -> None:
        """The one place a compile is finished: wait for it, report its errors and warnings
        through ``app`` (an error fails that build), write the PDF and its page map."""
        self.do_later()
        while self.compiles:
            self.compiles.pop(0).finish(app)

    def early_page_map(self) -> tuple[dict[str, Any], str] | None:
        """The page map of this build's one running compile and its PDF's name, before that
        compile is finished (:meth:`press.typst.builder.Compile.early_page_map`), or ``None``."""
        if len(self.compiles) != 1:
            return None
        job = self.compiles[0]
        raw = job.early_page_map()
        return None if raw is None else (raw, job.pdf_path.name)

    def abandon_compiles(self) -> None:
        """Wait for every compile and drop it (the build will not be published)."""
        self.do_later()
        while self.compiles:
            self.compiles.pop(0).wait()

    # ---- what the other formats ask for ----------------------------------------------------
    def downloads_folder(self, configured: str, confdir: str | Path) -> Path | None:
        """The folder holding the PDF and EPUB the web book copies (see :class:`Outputs`);
        ``configured``: ``press_download_dir``, which only a standalone build reads."""
        if self.standalone:
            return Path(confdir, configured) if configured else None
        return self.outputs.downloads

    def reading_order(self, env: BuildEnvironment, root: str) -> list[str]:
        """Every document reachable from ``root`` through the toctrees, depth first (each once)."""
        if self._order is not None and self._order[0] == root:
            return list(self._order[1])
        order: list[str] = []

        def visit(doc: str) -> None:
            if doc in order or doc not in env.all_docs:
                return
            order.append(doc)
            for child in env.toctree_includes.get(doc, []):
                visit(child)

        visit(root)
        self._order = (root, order)
        return list(order)


class BookApp(Sphinx):
    """Sphinx's application carrying the engine's :class:`BookBuild` (``book=``) as
    :attr:`press_build`, set before Sphinx's constructor loads the extensions."""

    press_build: BookBuild

    def __init__(self, *args: Any, book: BookBuild, **kwargs: Any) -> None:
        self.press_build = book
        self.press_buildername = kwargs.get("buildername")
        super().__init__(*args, **kwargs)

    def preload_builder(self, name: str) -> None:
        """Sphinx calls this after the extensions of conf.py: an ordinary Sphinx project
        whose ``extensions`` do not list press gets it here, so ``press build`` in any
        Sphinx project has the ``typst`` and press ``epub`` builders (not Sphinx's crash
        report "Builder name typst not registered")."""
        if "press" not in self.extensions:
            self.setup_extension("press")
        super().preload_builder(name)


def of(app: Sphinx) -> BookBuild:
    """The :class:`BookBuild` of ``app``; an application the engine did not make gets one of
    its own (compiles in place, settings from conf.py)."""
    book = getattr(app, ATTRIBUTE, None)
    if book is None:
        book = BookBuild(standalone=True)
        setattr(app, ATTRIBUTE, book)
    return book


def reports_config(app: Sphinx) -> bool:
    """Whether ``app`` reports a problem of ``conf.py`` itself: the application of the build's
    first format (the others read the same file: one message, not one per format), or any
    application the engine did not make."""
    first = of(app).first_builder
    return first is None or getattr(app, "press_buildername", None) in (None, first)
