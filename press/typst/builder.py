"""The ``typst`` builder: one book, written as Typst and compiled to PDF in a child process."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import importlib.resources
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typst
from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.errors import NoUri
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.console import darkgreen
from sphinx.util.nodes import inline_all_toctrees
from sphinx.util.osutil import ensuredir

from .. import adapters
from .. import booktree
from .. import mathmacros
from .. import config as press_config
from .. import cover
from .. import frontmatter
from .. import pagemap
from .. import state
from ..stamps import Stamp
from ..warnings_ import PressWarning, warn
from . import errors
from . import glyphs
from . import level
from . import pieces as by_pieces
from ..typstmarkup import label, string
from .translator import TypstTranslator
from . import worker
from .worker import PDF_STANDARDS, Worker

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from ..state import BookBuild

#: :mod:`press.typst.pack`, run by path (it imports pikepdf only)
PACK = Path(__file__).resolve().with_name("pack.py")

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).with_name("book.typ")
#: ``press_pdf_design`` copied beside the book's ``.typ`` (imported after ``press-book.typ``)
DESIGN = "press-design.typ"
#: In the doctree folder: the inputs of the last PDF written (:meth:`TypstBuilder.input_fingerprint`).
PDF_STAMP = "press-pdf.sha256"
INDEX_CHAPTER = """
#press-index-chapter()
#press-page-map()
#press-gap-map()
"""
PAPER = {"a4": '"a4"', "us-letter": '"us-letter"', "6x9": "(width: 6in, height: 9in)"}


def compiler_for(book: BookBuild, root: str, font_paths: list[str]) -> tuple[Worker, typst.Fonts]:
    """The Typst compiler (and its fonts, for their names) for this root and these font
    folders, kept on the build's state (:attr:`press.state.BookBuild.compilers`).  The
    compiler runs in a child process of its own (:class:`press.typst.worker.Worker`: the
    book's layout never adds to the memory of the process that holds the Sphinx
    environment), which exits once the PDF is read, unless the compilers outlive the build
    (``press serve`` passes its own: :attr:`press.state.BookBuild.keep_compilers`); then a
    second compile of the same book reuses its parsed files, fonts and memoised layout and
    takes a fraction of the first compile."""
    key = (root, tuple(font_paths))
    if key not in book.compilers:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=list(font_paths))
        book.compilers[key] = (Worker(root, list(font_paths), keep=book.keep_compilers), fonts)
    return book.compilers[key]


class Packing:
    """The PDF with its objects in compressed object streams, made by :mod:`press.typst.pack`
    in a child process that starts here (its files live in a temporary folder in ``scratch``);
    :meth:`result` waits for it."""

    def __init__(self, pdf: bytes, scratch: Path) -> None:
        self.tmp = tempfile.TemporaryDirectory(dir=scratch, prefix=".press-pdf-")
        raw, self.packed = Path(self.tmp.name, "typst.pdf"), Path(self.tmp.name, "packed.pdf")
        raw.write_bytes(pdf)
        self.proc = worker.start([sys.executable, "-I", str(PACK), str(raw), str(self.packed)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def result(self) -> bytes:
        try:
            _, err = self.proc.communicate()
            if self.proc.returncode != 0:
                raise RuntimeError(f"press: packing the PDF failed (pikepdf):\n{err}")
            return self.packed.read_bytes()
        finally:
            self.tmp.cleanup()


def _dismantle(tree: nodes.Node) -> None:
    """Cut the child-to-parent links of the assembled book once it is written: the whole
    book's tree is then freed by reference counting as soon as it is dropped, instead of
    waiting for (and costing) a full garbage collection while Typst compiles."""
    stack = [tree]
    while stack:  # (an explicit stack: findall's generators cost more than the work)
        node = stack.pop()
        node.parent = None  # type: ignore[assignment]
        stack.extend(node.children)


class _Collections:
    """The cyclic collector off while the whole book's tree is built, translated and cut apart
    (:func:`_dismantle`: then freed by reference counting): its collections would only scan
    the tree's million objects again and again (0.3-0.4 s of a one-page edit of the light
    200-page benchmark book).  The tree is freed, and the collector switched on again, by
    :meth:`free` once the PDF's compile has started (:meth:`press.state.BookBuild.later`):
    freeing a million objects (0.15-0.2 s on the heavy benchmark book) is then done while the
    pieces compile instead of before."""

    def __init__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def free(self, tree: nodes.Node) -> None:
        _dismantle(tree)
        del tree
        self.on()

    def on(self) -> None:
        if self.was:
            gc.enable()
            self.was = False


class Compile:
    """One Typst compile of the book, run here or in a background thread.

    The layout itself happens in a child process (:mod:`press.typst.worker`: the book's
    layout never adds to the memory of this process, which holds the Sphinx environment);
    a thread only waits for it and for the packing, so the builder hands
    the job to the build's state (:meth:`press.state.BookBuild.submit`): when more formats
    follow the PDF the compile runs in a thread while the EPUB and the web book are
    written, and :meth:`press.state.BookBuild.finish_compiles` calls :meth:`finish`:
    errors and warnings are then reported, at the author's file:line, by that build
    (whose status they fail), and the PDF and its page map (:mod:`press.pagemap`) are
    written.  The EPUB finishes the compile before it places
    its print page markers; its pages are written while Typst works."""

    def __init__(self, compiler: Worker, typ_path: Path, pdf_path: Path, srcdir: str, timestamp: int) -> None:
        self.compiler, self.typ_path, self.pdf_path = compiler, typ_path, pdf_path
        self.srcdir, self.timestamp = srcdir, timestamp
        self.pdf: bytes | None = None
        self.warnings: list = []
        self.error: typst.TypstError | None = None
        self.crash: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.page_map: dict[str, Any] | str = "not compiled"
        #: set once :attr:`page_map` is known (or the compile ended without one)
        self.mapped = threading.Event()
        self.written: Any = None
        self.ran = False
        self.done = False
        self.level_report: dict[str, Any] = {}

    def run(self) -> None:
        self.ran = True
        try:
            # facing pages end level: a second compile with bounded space in a short page's gaps,
            # in the compile process (and where the pages begin, for the EPUB's page list: the
            # layout is memoised)
            pdf, warnings, self.level_report, raw = self.compiler.compile_levelled(
                str(self.typ_path), self.timestamp, PDF_STANDARDS,
                {"selector": pagemap.QUERY, "field": "value", "one": True, "optional": True})
            self.warnings = list(warnings or [])
            self.page_map = pagemap.parse(raw)
            packing = Packing(pdf, self.typ_path.parent)  # qpdf packs it in a child meanwhile
            self.mapped.set()
            self.compiler.done()  # the compile process exits (unless press serve keeps it)
            self.pdf = packing.result()
        except typst.TypstError as exc:
            self.error = exc
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish() in the main thread
            self.crash = exc
        finally:
            self.compiler.done()
            self.mapped.set()

    def early_page_map(self) -> dict[str, Any] | None:
        """The page map of a compile running in its thread as soon as the layout is known,
        before the PDF is packed (or its pieces joined): the EPUB places its page markers
        meanwhile; the compile is finished (errors reported, PDF written) at the end of the
        format that finishes it, as before.  ``None``: no map to give before :meth:`finish`."""
        if self.thread is None or self.done:
            return None
        self.mapped.wait()
        if self.error is not None or self.crash is not None or not isinstance(self.page_map, dict):
            return None
        return self.page_map

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self.run, name="press-typst-compile", daemon=True)
            self.thread.start()

    def dispatched(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the compile is in its own process: the thread's
        Python work before that (starting processes, reading the cache) is on the PDF's way."""

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def finish(self, app: Any) -> None:
        """Wait for the compile (or run it, if it was never started); report its errors and
        warnings through ``app``'s logging (an error sets ``app.statuscode``); write the PDF
        if there is one."""
        if self.thread is None and not self.ran:
            self.run()
        self.wait()
        if self.done:
            return
        self.done = True
        if self.crash is not None:
            raise self.crash
        if self.error is not None:
            errors.fail(self.error, self.typ_path, self.srcdir, app)  # at the author's file:line; fails the build
            return  # no PDF: the last good one stays where the engine keeps it
        for w in self.warnings or []:
            errors.warning(w, self.typ_path, self.srcdir)
        if self.level_report.get("filled"):
            logger.info(__("PDF make-up: space added in %d of %d gaps to end facing pages level (%d compiles)"),
                        self.level_report["filled"], self.level_report["gaps"], self.level_report["passes"])
        if self.pdf is not None:
            self.pdf_path.write_bytes(self.pdf)
            pagemap.record(state.of(app), app.env, app.config, Path(app.doctreedir), self.page_map, self.pdf_path.name)
            if self.written is not None:
                self.written()


class PieceCompile(Compile):
    """The book compiled by pieces (:mod:`press.typst.pieces`) and joined: the same job as
    :class:`Compile` for the build (run in a thread, finished in one place), but every compile
    process holds one part of the book, two or more run at once, and a piece whose Typst
    source and numbers did not change is taken from the cache."""

    def __init__(self, compiler: Worker, build: by_pieces.PieceBuild, typ_path: Path, pdf_path: Path,
                 srcdir: str) -> None:
        super().__init__(compiler, typ_path, pdf_path, srcdir, build.timestamp)
        self.build = build

    def dispatched(self, timeout: float) -> None:
        if self.thread is not None:
            self.build.dispatched.wait(timeout)

    def run(self) -> None:
        self.ran = True
        self.compiler.done()  # the whole book's compiler (asked for the glyphs) is not needed
        joiner = None
        try:
            joiner = by_pieces.Joiner()  # (it imports pikepdf while the pieces compile)
            pdfs, anchors, self.page_map, plain = self.build.run(prepare=joiner.prepare)
            self.build.dispatched.set()  # (every piece from the cache: the join is a process too)
            self.mapped.set()  # (the join below takes a while: the EPUB needs only the map)
            self.warnings = [(w, self.build.outdir / f"{w.get('piece', '')}.typ") for w in plain]
            joined = self.pdf_path.with_name(f".press-joined-{self.pdf_path.name}")
            joiner.join(pdfs, anchors, joined)
            self.pdf = joined.read_bytes()
            joined.unlink()
        except typst.TypstError as exc:
            self.error = exc
            if self.build.error is not None:
                self.typ_path = self.build.error[1]
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish() in the main thread
            self.crash = exc
        finally:
            self.build.dispatched.set()
            self.mapped.set()
            if joiner is not None:
                joiner.close()

    def finish(self, app: Any) -> None:
        if self.thread is None and not self.ran:
            self.run()
        self.wait()
        if self.done:
            return
        book = state.of(app)
        b = self.build
        book.pdf_pieces = {"pieces": len(b.pieces), "compiled": sorted(b.compiled), "reused": sorted(b.reused),
                           "passes": b.passes, "stable": b.stable, "provisional": b.provisional}
        if self.error is None and self.crash is None:
            logger.info(__("PDF by pieces: %d compiled, %d unchanged, %d pass(es); space added in %d gaps "
                           "to end facing pages level"), len(b.compiled), len(b.reused), b.passes, b.levelled)
            if not b.stable:
                warn(PressWarning.TYPST_COMPILE, f"the PDF's page numbers did not settle after {b.passes} passes "
                     "(a page reference may show a stale number); build again to settle them")
        plain, self.warnings = self.warnings, []
        super().finish(app)
        if self.error is None and self.crash is None:
            for w, path in plain:
                errors.warning(by_pieces.warnings_of([w])[0], path, self.srcdir)


def _same_text(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _typst_str_list(items: list[str]) -> str:
    return "(" + "".join(f"{string(i)}, " for i in items) + ")"


def _is_references(node: nodes.Node) -> bool:
    return isinstance(node, nodes.section) and "press-references" in node.get("classes", ())


class TypstBuilder(Builder):
    """Assemble the whole book into one doctree, write ``<slug>.typ``, compile ``<slug>.pdf``."""

    name = "typst"
    format = "typst"
    epilog = __("The PDF is in %(outdir)s.")
    supported_image_types = ["image/svg+xml", "image/png", "image/jpeg", "image/gif"]
    supported_remote_images = True  # never downloaded: the translator prints a framed link
    default_translator_class = TypstTranslator
    imagedir = "images"

    def __init__(self, app: Sphinx, env: BuildEnvironment) -> None:
        super().__init__(app, env)
        self.sphinx = app  # Builder.app is deprecated (Sphinx 9); the constructor is given it

    def init(self) -> None:
        self.docnames: set[str] = set()
        self.known_labels: set[str] = set()
        adapters.sitemap_without_manager(self.sphinx)  # (no web page here: no queue process)

    def get_outdated_docs(self) -> str:
        return "all documents"  # the PDF is always the whole book

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        if self.docnames and docname not in self.docnames:
            raise NoUri(docname, typ)
        return "%" + docname

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return self.get_target_uri(to, typ)

    def prepare_writing(self, docnames: Set[str]) -> None:
        pass

    @property
    def press(self) -> press_config.PressConfig:
        return press_config.get(self.config)

    def assemble_doctree(self) -> nodes.document:
        root = self.config.root_doc
        self.docnames = {root}
        tree = self.env.get_doctree(root)
        tree["docname"] = root
        largetree = inline_all_toctrees(self, self.docnames, root, tree, darkgreen, [root])
        largetree["docname"] = root
        # parts, chapters and sections from the author's toctrees (press.booktree)
        self.book_tree = booktree.book_tree(self.env, self.config)
        logger.info(__("resolving references..."))
        self.env.resolve_references(largetree, root, self)
        self.own_content_first(largetree)
        return largetree

    @staticmethod
    def own_content_first(tree: nodes.Element) -> None:
        """Chapters pulled in by a toctree move after the content that belongs before them.

        Sphinx inlines each toctree where it stands.  That is the author's order below a
        chapter (a sub-page is a section among the page's own sections, numbered so by
        ``:numbered:``), but not in two cases, where the chapters move, in order, to the
        end of the document's top section:

        * the **root page** opens the book and its toctree entries are the book's chapters
          (or parts), never its sections: its own content after a toctree (a root page
          with a toctree under each of its sections, "The User Guide", "The Community
          Guide", …) would otherwise print inside the last chapter before it;
        * a page's closing **"References"** (press.references, after its generated
          toctree), so a part's works cited do not trail its last chapter and the book's
          front matter keeps its own references.
        """
        holders: set[int] = set()  # elements with a chapter somewhere below them

        def mark(node: nodes.Element) -> bool:  # top-down: a node's .parent is not always set
            found = False
            for child in node.children:
                if isinstance(child, nodes.Element) and (isinstance(child, addnodes.start_of_file) | mark(child)):
                    found = True
            if found:
                holders.add(id(node))
            return found

        mark(tree)
        for sof in [tree, *tree.findall(addnodes.start_of_file)]:
            chapters: list[tuple[nodes.Element, nodes.Element]] = []  # (parent, chapter)
            home: nodes.Element | None = None

            def scan(node: nodes.Element, top: nodes.Element | None) -> None:
                nonlocal home
                for child in node.children:
                    if isinstance(child, addnodes.start_of_file):
                        chapters.append((node, child))
                    elif isinstance(child, nodes.Element):
                        if id(child) in holders:
                            scan(child, top or child)
                        elif not chapters or home is not None:
                            continue
                        elif sof is tree and not isinstance(child, nodes.Invisible):
                            home = top if isinstance(top, nodes.section) else sof  # the top section holding it
                        else:
                            found = next(iter(child.findall(_is_references)), None)
                            if found is not None:
                                home = found.parent

            scan(sof, None)
            if home is None:
                continue
            for parent, chapter in chapters:
                parent.remove(chapter)
                home.append(chapter)

    def collect_labels(self, tree: nodes.document, chars: set[str] | None = None) -> set[str]:
        """Every label the translator will define, so links to anything else stay plain text
        (and, in ``chars``, every character of the book's text: the same walk)."""
        labels = set()
        current = [tree["docname"]]

        def walk(node: nodes.Node) -> None:
            if chars is not None and isinstance(node, nodes.Text):
                chars.update(node)
                return
            if isinstance(node, addnodes.start_of_file):
                current.append(node["docname"])
                labels.add(label(node["docname"]))
            if isinstance(node, nodes.Element):
                for id_ in node.get("ids", ()):
                    labels.add(label(current[-1], id_))
                for child in node.children:
                    walk(child)
            if isinstance(node, addnodes.start_of_file):
                current.pop()

        walk(tree)
        labels.add(label(tree["docname"]))
        return labels

    def input_fingerprint(self) -> str:
        """Everything the PDF is made from: when it equals the last good PDF's, the book is
        neither assembled, translated nor compiled again.  The page map's fingerprint (each
        document's last read — Sphinx re-reads a page whose images or citations changed —
        the press settings, title, release, language and the templates), plus this
        writer's own code, the Typst version and the fonts."""
        h = hashlib.sha256(pagemap.fingerprint(self.env, self.config).encode())
        for code in sorted(Path(__file__).parent.glob("*.py")):
            h.update(code.read_bytes())
        for module in (booktree, mathmacros):  # the book's shape; the math macros and their setting
            h.update(Path(module.__file__).read_bytes())
        h.update(repr(mathmacros.from_config(self.config)).encode())
        h.update(f"{typst.__version__}\0{self.font_paths()}\0{press_config.source_date_epoch(self.confdir)}".encode())
        h.update((self.design_text() or "").encode())
        return h.hexdigest()

    def design_text(self) -> str | None:
        """The book's own design file (``press_pdf_design``), or ``None`` (read once per build)."""
        if not self.press.pdf_design:
            return None
        if getattr(self, "_design", None) is None:
            path = Path(self.confdir, self.press.pdf_design)
            try:
                self._design = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                from .. import config as conf_lines

                warn(PressWarning.CONFIG, f"press_pdf_design = {self.press.pdf_design!r}: cannot read {path} "
                                          f"({getattr(exc, 'strerror', None) or exc})",
                     location=conf_lines.where(self.confdir, "press_pdf_design"))
                self._design = ""
        return self._design or None

    def up_to_date(self, fingerprint: str) -> bool:
        recorded = Stamp(self.doctreedir, PDF_STAMP).text()
        out = Path(self.outdir)
        return recorded == fingerprint and all(
            (out / name).is_file() for name in (f"{self.press.slug}.typ", f"{self.press.slug}.pdf", "press-book.typ")
        )

    def record_stamp(self) -> None:
        Stamp(self.doctreedir, PDF_STAMP).write(self.fingerprint)

    def write_documents(self, _docnames: Set[str]) -> None:
        self.fingerprint = self.input_fingerprint()
        self.typ_path = Path(self.outdir, f"{self.press.slug}.typ")
        if self.up_to_date(self.fingerprint):
            self.unchanged = True  # nothing the PDF is made from changed: keep it
            return
        collections = _Collections()  # the whole book's tree lives until it is freed
        try:
            doctree = self.assemble_doctree()
            self.post_process_images(doctree)
            chars: set[str] = set()
            self.known_labels = self.collect_labels(doctree, chars)
            self.missing_glyphs = self.find_missing_glyphs(doctree, chars)
            visitor = self.create_translator(doctree, self)
            doctree.walkabout(visitor)
            body = visitor.astext()
            del visitor
        except BaseException:
            collections.on()
            raise
        state.of(self.sphinx).later(functools.partial(collections.free, doctree))
        del doctree
        self.body = body  # the PDF by pieces cuts it (finish)
        source = self.preamble() + body + INDEX_CHAPTER
        self.typ_path = Path(self.outdir, f"{self.press.slug}.typ")
        template = Path(self.outdir, "press-book.typ")
        elements = Path(self.outdir, "press-elements.typ")
        # Same Typst source and templates as the last good build in this folder: no recompile
        # needed unless an image changed (checked in finish()).
        self.unchanged = (
            _same_text(self.typ_path, source)
            and _same_text(template, TEMPLATE.read_text(encoding="utf-8"))
            and _same_text(elements, TEMPLATE.with_name("elements.typ").read_text(encoding="utf-8"))
            and Path(self.outdir, f"{self.press.slug}.pdf").is_file()
        )
        design = self.design_text()
        if design is not None and not _same_text(Path(self.outdir, DESIGN), design):
            Path(self.outdir, DESIGN).write_text(design, encoding="utf-8")
            self.unchanged = False
        if not self.unchanged:
            self.typ_path.write_text(source, encoding="utf-8")
            shutil.copyfile(TEMPLATE, template)
            shutil.copyfile(TEMPLATE.with_name("elements.typ"), elements)
        cover_svg = Path(self.outdir, "cover.svg")
        meta = cover.book_meta(self.config)  # the designed cover, as vectors, on the first page
        svg = cover.render("svg", "cover", **meta)
        if not (cover_svg.is_file() and cover_svg.read_bytes() == svg):
            cover_svg.write_bytes(svg)
            self.unchanged = False

    def text_fonts(self) -> str:
        """The Typst array of the text font and the fallback chain (installed families only)."""
        _, fonts = compiler_for(state.of(self.sphinx), str(self.outdir), self.font_paths())
        have = {f.casefold() for f in fonts.families()}
        chain = [self.press.pdf_font] + [f for f in self.press.pdf_fallback_fonts if f.casefold() in have]
        return "(" + "".join(f"{string(f)}, " for f in dict.fromkeys(chain)) + ")"

    def find_missing_glyphs(self, doctree: nodes.Node, chars: set[str] | None = None) -> set[str]:
        """The characters of the book's text (``chars``: already collected) that no font can
        print (:mod:`press.typst.glyphs`)."""
        if chars is None:
            chars = set()
            for text in doctree.findall(nodes.Text):
                chars.update(text)
        compiler, _ = compiler_for(state.of(self.sphinx), str(self.outdir), self.font_paths())
        return glyphs.missing(compiler, Path(self.outdir), chars, self.text_fonts())

    def book_description(self) -> str:
        meta = frontmatter.page(self.env, self.config.root_doc)
        return (meta.description if meta else "") or self.press.subtitle

    def pub_date(self) -> str:
        """The PDF's creation/modification date (:func:`press.config.source_date_epoch`), or
        none at all (never the clock: two builds of the same source stay byte-identical)."""
        epoch = press_config.source_date_epoch(self.confdir)
        if epoch is None:
            return "none"
        when = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
        return (
            f"datetime(year: {when.year}, month: {when.month}, day: {when.day}, "
            f"hour: {when.hour}, minute: {when.minute}, second: {when.second})"
        )

    def preamble(self) -> str:
        cfg, press = self.config, self.press
        args = {
            "title": string(cfg.project),
            "subtitle": string(press.subtitle),
            "authors": _typst_str_list(press.authors),
            "version": string(cfg.release or cfg.version or ""),
            "date": string(cfg.today or ""),
            "copyright": string(press.copyright_notice),
            "description": string(self.book_description()),
            "keywords": _typst_str_list(frontmatter.all_tags(self.env)),
            "pub-date": self.pub_date(),
            "lang": string((cfg.language or "en").split("_")[0]),
            "paper": PAPER[press.pdf_paper],
            "font": string(press.pdf_font),
            "sans-font": string(press.pdf_sans_font),
            "mono-font": string(press.pdf_mono_font),
            "fallback-fonts": self.text_fonts(),
            "license": string(press.license),
            "cover": string("cover.svg"),
        }
        joined = ",\n  ".join(f"{k}: {v}" for k, v in args.items())
        design = f'#import "{DESIGN}": *\n' if self.design_text() is not None else ""
        return f'#import "press-book.typ": *\n{design}#show: book.with(\n  {joined},\n)\n'

    def copy_image_files(self) -> bool:
        """Copy the images the book uses; return whether any of them changed."""
        changed = False
        if not self.images:
            return changed
        dest = Path(self.outdir, self.imagedir)
        ensuredir(dest)
        for src in self.images:
            target = dest / self.images[src]
            data = Path(self.srcdir, src).read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
                changed = True
        return changed

    def font_paths(self) -> list[str]:
        """Bundled fonts first (Source Sans Pro from its pinned PyPI package, SIL OFL 1.1,
        licence in the package's ``files/LICENSE.txt``), then ``press_pdf_font_paths``;
        system fonts are never used."""
        bundled = importlib.resources.files("font_source_sans_pro") / "files"
        confdir = Path(self.confdir)
        # the fallback chain's fonts (press.typst.glyphs: symbols, emoji, CJK, other scripts)
        return [str(bundled), *glyphs.package_font_dirs()] + [str((confdir / p).resolve()) for p in self.press.pdf_font_paths]

    def piece_job(self, compiler: Worker, pdf_path: Path, timestamp: int, images_changed: bool) -> PieceCompile | None:
        """The compile by pieces (``press_pdf_pieces``), or ``None`` for one compile of the whole
        book (the setting is off, or the book is one piece)."""
        body = getattr(self, "body", None)
        if body is None:  # (not translated: the Typst source is the last build's)
            return None
        replaced = by_pieces.replaced_by_design(self.design_text() or "")
        if replaced and self.press.pdf_pieces == "auto":
            logger.info(__("press_pdf_design replaces %s: the PDF is compiled whole"), ", ".join(replaced))
        short = len(body.encode()) < by_pieces.AUTO_FROM_BYTES
        if (self.press.pdf_pieces == "off" or (self.press.pdf_pieces == "auto" and (replaced or short))
                or len(by_pieces.split(body)) < 2):
            by_pieces.forget(Path(self.outdir), Path(self.doctreedir, by_pieces.CACHE))
            return None
        outdir, cache = Path(self.outdir), Path(self.doctreedir, by_pieces.CACHE)
        if images_changed:  # a piece's PDF embeds its images: none of the cached ones is current
            shutil.rmtree(cache, ignore_errors=True)
        salt = hashlib.sha256()
        for name in ("press-book.typ", "press-elements.typ", DESIGN, "cover.svg"):
            path = outdir / name
            salt.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
        salt.update(Path(level.__file__).read_bytes())  # how a piece's facing pages are levelled
        # (not the date: only the front matter's piece is dated, in its source; see PieceBuild)
        salt.update(f"{typst.__version__}\0{self.font_paths()}".encode())
        book = state.of(self.sphinx)
        # press serve keeps the compile processes of the pieces it compiled last (warm layouts)
        kept = book.compilers.setdefault(by_pieces.KeptWorkers, by_pieces.KeptWorkers()) if book.keep_compilers else None
        build = by_pieces.PieceBuild(outdir, cache, self.font_paths(), self.preamble(), body, timestamp, salt.hexdigest(),
                                     kept=kept)
        self.body = None
        return PieceCompile(compiler, build, self.typ_path, pdf_path, str(self.srcdir))

    def finish(self) -> None:
        images_changed = self.copy_image_files()
        pdf_path = Path(self.outdir, f"{self.press.slug}.pdf")
        # Same source, templates and images: the PDF is up to date (and so is its page map;
        # without one, e.g. after an upgrade, compile once more to read it)
        if getattr(self, "unchanged", False) and not images_changed:
            if pagemap.refresh(state.of(self.sphinx), self.env, self.config, Path(self.doctreedir)):
                logger.info(__("%s is up to date (same Typst source, template and images)"), pdf_path.name)
                self.record_stamp()
                state.of(self.sphinx).do_later()  # (no compile to wait for)
                return
        book = state.of(self.sphinx)
        compiler, fonts = compiler_for(book, str(self.outdir), self.font_paths())
        families = {f.casefold() for f in fonts.families()}
        for setting in ("pdf_font", "pdf_sans_font", "pdf_mono_font"):
            family = getattr(self.press, setting)
            if family.casefold() not in families:
                warn(PressWarning.CONFIG, f"press_{setting} = {family!r} is not among the bundled fonts: {sorted(fonts.families())}")
        for family in self.press.pdf_fallback_fonts:  # the default chain skips what is not installed
            if family not in press_config.FALLBACK_FONTS and family.casefold() not in families:
                warn(PressWarning.CONFIG, f"press_pdf_fallback_fonts names {family!r}, which is not among the fonts: {sorted(fonts.families())}")
        timestamp = press_config.source_date_epoch(self.confdir) or 0
        logger.info(__("compiling %s with Typst %s..."), pdf_path.name, typst.__version__)
        job = self.piece_job(compiler, pdf_path, timestamp, images_changed) or Compile(
            compiler, self.typ_path, pdf_path, str(self.srcdir), timestamp)
        job.written = self.record_stamp  # once the PDF is written
        book.submit(job, self.sphinx)  # run now, or while the next formats are written
