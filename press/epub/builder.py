"""The ``epub`` builder of the press: Sphinx's EPUB 3 builder, made valid and complete.

It replaces Sphinx's ``epub`` builder (same name, same ``epub_*`` settings,
same ``_build/epub/<slug>.epub``) and changes what Sphinx gets wrong for a book:

* pages use the ``press_epub`` theme (``press/static/epub/``): ``lang`` on
  ``<html>``, one small stylesheet of our own, no scripts, no web-theme CSS;
* after writing, every XHTML file is parsed back: it must be well-formed,
  every local link must reach an existing page and id, no resource may be
  remote; each problem is a ``press.epub`` warning with the file;
* the package document, the navigation document (full hierarchy: parts →
  chapters → headings, plus landmarks), ``toc.ncx`` and the manifest are
  written here from the reading order of the toctrees, with only the files
  the pages really use;
* a cover is drawn from the title at build time (Typst → PNG);
* an index (``genindex.xhtml``, ``doc-index``) with the print index's entries: glossary
  terms and ``index`` entries (Sphinx's), each with the chapters that use it, and the names
  and tools of ``press_index_terms`` with their sub-entries, linked to their mentions;
* print page numbers (:mod:`press.epub.pages`): page-break markers where the PDF's pages
  begin and a ``page-list`` in the navigation document;
* the zip is reproducible: ``mimetype`` first and stored, fixed timestamps
  (``SOURCE_DATE_EPOCH``), fixed file modes and order.

Sphinx settings the press decides itself and therefore ignores: ``epub_cover``
(generated), ``epub_guide``, ``epub_pre_files``/``epub_post_files``,
``epub_tocdepth``/``epub_tocdup``/``epub_tocscope`` (the nav is always
complete), ``epub_uid``/``epub_identifier``/``epub_scheme`` (a UUID 5 of
``press_site_url``, else of the project name), ``epub_css_files`` and
``epub_use_index``.  ``epub_theme`` is honoured only when it names another
theme than Sphinx's plain ``epub``.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from docutils import nodes
from lxml import etree
from sphinx import addnodes
from sphinx.builders.epub3 import Epub3Builder
from sphinx.locale import __
from sphinx.util import logging

from .. import adapters
from .. import booktree
from .. import config as press_config
from .. import cover
from .. import frontmatter
from .. import memo
from .. import pagemap
from .. import state
from ..warnings_ import PressWarning, warn
from . import package, pages as print_pages, xhtml
from .package import ManifestEntry, Metadata, NavItem
from .translator import PressEpubTranslator

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

THEME = "press_epub"
THEME_DIR = Path(__file__).resolve().parent.parent / "static" / "epub"
CSS = "_static/press-epub.css"
COVER_PAGE = "cover.xhtml"
COVER_IMAGE = "_images/press-cover.png"
NAV = "nav.xhtml"
INDEX_PAGE = "genindex.xhtml"
INDEX_TITLE = "Index"
NCX = "toc.ncx"
#: packages whose ``html-page-context`` handlers the EPUB does without (see ``init``)
WEB_THEMES = {"sphinx_book_theme", "pydata_sphinx_theme", "sphinx_thebe", "sphinx_copybutton"}

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

#: front/back matter page names that have an ``epub:type`` and a ``doc-*`` role of the same name
NAMED_KINDS = {
    "preface", "foreword", "introduction", "prologue", "epilogue", "afterword",
    "appendix", "acknowledgments", "colophon", "dedication", "glossary", "bibliography",
}
BACKMATTER = {"glossary", "bibliography", "appendix", "afterword", "colophon", "epilogue"}

#: a named character reference (``&nbsp;``); XHTML without a DTD knows only XML's five
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def numeric_entities(markup: str) -> str:
    """HTML named character references (``&nbsp;``, ``&mdash;`` …) as numeric ones (``&#160;``)."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        chars = html.entities.html5.get(name + ";")
        if chars is None:
            return "&amp;" + name + ";"  # not an entity at all: the text as written
        return "".join(f"&#{ord(c)};" for c in chars)

    return _ENTITY.sub(repl, markup)


def rights_statement(notice: str, license: str) -> str:
    """``dc:rights``: the copyright notice, then the licence (``press_license``) as a sentence."""
    notice, license = notice.strip(), license.strip()
    if notice and license and notice[-1] not in ".!?":
        notice += "."
    return " ".join(t for t in (notice, license) if t)


def source_date_epoch(confdir: Path) -> int:
    """The build's date (:func:`press.config.source_date_epoch`); else now: the package
    must carry a modification date (not reproducible, said by the policy)."""
    epoch = press_config.source_date_epoch(confdir)
    return epoch if epoch is not None else int(time.time())


@dataclass
class Finishing:
    """What the steps of :meth:`PressEpubBuilder.handle_finish` share; each step fills its part."""

    epoch: int
    outdir: Path
    press: Any  # press.config.PressConfig
    lang: str
    title: str
    docs: list[str]  # documents in reading order
    pages: list[str]  # their files (+ the index page, once written)
    extra: list[str]  # orphan pages' files
    page_list: list[Any] = field(default_factory=list)  # write_page_list
    page_source: str = ""
    page_map: dict[str, Any] | None = None  # the PDF's (press.pagemap), for the index page's marker
    index_page: str = ""  # write_index_page
    toc: list[NavItem] = field(default_factory=list)  # write_nav
    spine_files: list[str] = field(default_factory=list)  # read_back
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: dict[str, None] = field(default_factory=dict)
    manifest: list[ManifestEntry] = field(default_factory=list)  # write_package


class PressEpubBuilder(Epub3Builder):
    """EPUB 3 builder: valid (EPUBCheck), accessible, self-contained, reproducible."""

    name = "epub"
    default_translator_class = PressEpubTranslator

    def write_documents(self, docnames: Any) -> None:
        """The pages in the reverse of Sphinx's order: the web book's process, forked, writes
        the same pages in Sphinx's order at the same time, and each code block and formula
        is computed by whichever process comes to it first and read by the other
        (:mod:`press.memo`).  Each page is written on its own, so the order changes no byte."""
        if self.parallel_ok or memo.of(self) is None:
            super().write_documents(docnames)
            return
        adapters.write_serial(self, sorted(docnames, reverse=True))

    def __init__(self, app: Sphinx, env: BuildEnvironment) -> None:
        super().__init__(app, env)
        self.sphinx = app  # Builder.app is deprecated (Sphinx 9); the constructor is given it

    def init(self) -> None:
        super().init()
        # The web themes' page handlers (launch buttons, repository buttons, thebe, the
        # sidebar) are about the web book: in an EPUB they only crash or add scripts.
        adapters.disconnect_packages(self.sphinx, "html-page-context", WEB_THEMES)
        adapters.sitemap_without_manager(self.sphinx)  # (no web page here: no queue process)
        # Sphinx's genindex page is not written: handle_finish writes our own index page.
        self.use_index = False
        self.press_kinds: dict[str, str] = {}
        self.press_body_types: dict[str, str] = {}
        self.press_order: list[str] = []

    # ---- theme and static files ------------------------------------------------------
    def get_theme_config(self) -> tuple[str, dict[str, Any]]:
        if self.config.epub_theme in ("epub", THEME):
            return THEME, {}
        return self.config.epub_theme, self.config.epub_theme_options

    def copy_static_files(self) -> None:
        """Only our stylesheet: no web-theme CSS, no JavaScript, no Pygments colours."""
        static = self.outdir / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(THEME_DIR / "static" / "press-epub.css", static / "press-epub.css")

    def copy_extra_files(self) -> None:
        pass

    # ---- reading order and page kinds ---------------------------------------------------
    def reading_order(self) -> list[str]:
        """The pages in the order of the book's tree (:mod:`press.booktree`): each once."""
        self.press_tree = booktree.book_tree(self.env, self.config)
        return list(self.press_tree.order)

    def classify(self, order: list[str]) -> None:
        """``epub:type`` of each page from its place in the book's tree (never its file
        name): the root page introduces the book, a part page is a part, a chapter below a
        part (or a page below a chapter) is a chapter; a top-level page is a glossary or
        bibliography by what it holds, or a named front/back matter kind (``preface.md``)."""
        root = self.config.root_doc
        tree = getattr(self, "press_tree", None) or booktree.book_tree(self.env, self.config)
        for doc in order:
            entry = tree.docs.get(doc)
            base = doc.rpartition("/")[2]
            kind = ""
            if doc == root:
                kind = "introduction"
            elif entry is not None and entry.kind == booktree.PART:
                kind = "part"
            elif entry is not None and entry.level > 1:
                kind = "chapter"
            else:
                doctree = self.env.get_doctree(doc)
                if any(True for _ in doctree.findall(addnodes.glossary)):
                    kind = "glossary"
                elif any(n.tagname == "bibliography" for n in doctree.findall(nodes.Element)):
                    kind = "bibliography"
                elif base in NAMED_KINDS:
                    kind = base
            self.press_kinds[doc] = kind
            self.press_body_types[doc] = "backmatter" if kind in BACKMATTER else "bodymatter"

    def prepare_writing(self, docnames: Any) -> None:
        super().prepare_writing(docnames)
        self.globalcontext["press_lang"] = self.language_tag()
        self.press_order = self.reading_order()
        self.classify(self.press_order)

    def language_tag(self) -> str:
        return (self.config.epub_language or self.config.language or "en").replace("_", "-")

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict[str, Any]:
        ctx = super().get_doc_context(docname, body, metatags)
        ctx["press_body_type"] = self.press_body_types.get(docname, "")
        # other extensions' nodes may carry HTML entities (``&nbsp;``) that XHTML cannot parse
        for key in ("body", "title"):
            if isinstance(ctx.get(key), str) and "&" in ctx[key]:
                ctx[key] = numeric_entities(ctx[key])
        if isinstance(ctx.get("body"), str):
            if xhtml.controls(ctx["body"]):
                warn(PressWarning.CONTROL_CHAR, "control characters (terminal colours?) removed from the EPUB page", location=docname)
            ctx["body"] = xhtml.repair(ctx["body"])  # other extensions' HTML made valid XHTML
        return ctx

    # ---- the navigation tree ----------------------------------------------------------------
    def page_toc(self, docname: str) -> list[NavItem]:
        """A page's top-level sections (its title, then any further top-level section, which
        the web book's toctree and the PDF show as siblings of the page), each with the
        headings below it, as nested nav items."""
        toc = self.env.tocs.get(docname)
        href = docname + self.out_suffix

        def items(bullets: nodes.Element) -> list[NavItem]:
            out = []
            for li in bullets.children:
                if not isinstance(li, nodes.list_item):
                    continue
                ref = next(iter(li.findall(nodes.reference)), None)
                if ref is None:
                    continue
                anchor = self.fix_fragment("", ref.get("anchorname", "").lstrip("#"))
                subs = [c for c in li.children if isinstance(c, nodes.bullet_list)]
                children = [i for b in subs for i in items(b)]
                out.append(NavItem(ref.astext(), href + (f"#{anchor}" if anchor else ""), children))
            return out

        if toc is None or not len(toc) or not isinstance(toc[0], nodes.list_item):
            return []
        return items(toc)

    def nav_tree(self) -> list[NavItem]:
        """The navigation tree: the book's parts, chapters and nested pages
        (:mod:`press.booktree`, each page once), with each page's headings (a page's further
        top-level sections follow it as its siblings, as in the web book and the PDF).  A
        part made from a toctree caption is a heading without a page of its own (``href=""``)."""
        tree = getattr(self, "press_tree", None) or booktree.book_tree(self.env, self.config)

        def entries(item: booktree.Entry) -> list[NavItem]:
            kids = [e for c in item.children for e in entries(c)]
            if item.docname is None:
                return [NavItem(item.caption, "", kids)]
            title = self.env.titles.get(item.docname)
            top = self.page_toc(item.docname)
            children = (top[0].children if top else []) + kids
            text = title.astext() if title else item.docname
            if item.number:  # the author's :numbered: toctree: the web's and the PDF's numbers
                text = f"{item.number} {text}"
            return [NavItem(text, item.docname + self.out_suffix, children), *top[1:]]

        root = tree.root
        top = self.page_toc(root.docname)
        return [NavItem(entries(root)[0].text, root.docname + self.out_suffix, top[0].children if top else []),
                *top[1:], *(e for c in root.children for e in entries(c))]

    # ---- metadata -------------------------------------------------------------------------
    def metadata(self, epoch: int, has_images: bool, has_math: bool, missing_alt: bool = False, math_fallback: bool = False,
                 page_source: str = "") -> Metadata:
        """The book's metadata; the accessibility claims only say what the pages show."""
        press = press_config.get(self.config)
        root_meta = frontmatter.page(self.env, self.config.root_doc)
        subtitle = press.subtitle or (root_meta.extra.get("subtitle", "") if root_meta else "")
        description = (root_meta.description if root_meta else "") or (
            self.config.epub_description if self.config.epub_description != "unknown" else ""
        )
        subjects = frontmatter.all_tags(self.env)
        features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
        if has_images and not missing_alt:
            features.append("alternativeText")
        if has_math:
            features.append("MathML")
        if page_source:
            features += ["pageBreakMarkers", "pageNavigation"]
        summary = (
            "This EPUB 3 publication has a navigation document with the full table of contents "
            "(parts, chapters and headings) and landmarks, headings in order, and a language on "
            "every page. "
            + ("Every image has alternative text. " if has_images and not missing_alt else "")
            + ("Some images lack alternative text. " if missing_alt else "")
            + ("Formulas are MathML with their LaTeX source as alternative text. " if has_math and not math_fallback else "")
            + ("Some formulas are given only as LaTeX source. " if math_fallback else "")
            + (f"Page-break markers and a page list follow the print edition: {page_source}. " if page_source else "")
            + "It contains no scripts, no audio or video and no known hazards; the text follows "
            "the reading system's font, size and colours."
        )
        return Metadata(
            identifier=package.book_uuid(press.site_url or f"urn:press:{self.config.project}"),
            other_identifiers=[press.site_url] if press.site_url else [],
            title=self.config.epub_title or self.config.project,
            subtitle=str(subtitle),
            language=self.language_tag(),
            modified=package.w3c_datetime(epoch),
            authors=list(press.authors) or [self.config.epub_author],
            publisher=self.config.epub_publisher,
            description=description,
            subjects=subjects,
            rights=rights_statement(press.copyright_notice or self.config.epub_copyright, press.license),
            date=(root_meta.date if root_meta and root_meta.date else package.w3c_datetime(epoch)[:10]),
            access_modes=["textual", "visual"] if has_images else ["textual"],
            features=features,
            summary=summary,
            conforms=not (missing_alt or math_fallback),
            page_source=page_source,
        )

    # ---- finishing: check the pages, write the package, zip it ------------------------------
    def handle_finish(self) -> None:
        """The steps after the pages are written, in order, like Sphinx's EPUB builder:
        cover, print page list, index, navigation, read back, package, zip."""
        book = self.finishing()
        self.write_cover(book)
        self.write_page_list(book)
        self.write_index_page(book)
        self.write_nav(book)
        self.read_back(book)
        self.write_package(book)
        self.write_epub(book)

    def finishing(self) -> Finishing:
        """What the finishing steps share: the pages in reading order and what each step adds."""
        outdir = Path(self.outdir)
        press = press_config.get(self.config)
        docs = [d for d in self.press_order if (outdir / (d + self.out_suffix)).exists()]
        return Finishing(
            epoch=source_date_epoch(Path(self.confdir)),
            outdir=outdir,
            press=press,
            lang=self.language_tag(),
            title=self.config.epub_title or self.config.project,
            docs=docs,
            pages=[d + self.out_suffix for d in docs],
            # pages outside every toctree (orphans) travel along, out of the reading order
            extra=[
                d + self.out_suffix for d in sorted(self.env.all_docs)
                if d not in self.press_order and (outdir / (d + self.out_suffix)).exists()
            ],
        )

    def write_cover(self, book: Finishing) -> None:
        """The cover image (press.cover: the same art as the PDF's cover) and its page."""
        outdir, press, title = book.outdir, book.press, book.title
        (outdir / COVER_IMAGE).parent.mkdir(parents=True, exist_ok=True)
        png = cover.cover_png(
            title, press.subtitle, ", ".join(press.authors), book.lang,
            [str(Path(self.confdir, p)) for p in press.pdf_font_paths],
        )
        (outdir / COVER_IMAGE).write_bytes(png)
        alt = f"Cover of {title}" + (f": {press.subtitle}" if press.subtitle else "")
        cover_body = (
            f'<section epub:type="cover" class="press-cover">\n'
            f'<img role="doc-cover" src="{package.esc(COVER_IMAGE)}" alt="{package.esc(alt)}" />\n</section>'
        )
        (outdir / COVER_PAGE).write_text(
            package.xhtml_page(book.lang, title, cover_body, CSS, body_type="cover"), encoding="utf-8"
        )

    def write_page_list(self, book: Finishing) -> None:
        """Print page numbers: markers in the pages and a page list (press.epub.pages).  The
        page map comes through the build's state, which finishes the PDF compiled in the
        background while the pages were written."""
        # (the pages are read while the PDF is still being compiled: the map may make us wait)
        pages = print_pages.read_pages(book.outdir, book.docs, self.out_suffix)
        page_map, why = pagemap.for_epub(self.sphinx)
        book.page_map = page_map
        book.page_list = print_pages.place(book.outdir, pages, page_map)
        if page_map is None:
            logger.info(__("the EPUB has no print page list: %s (build the PDF with it)"), why)
        if book.page_list:
            book.page_source = f"{book.title}, PDF edition ({page_map['pdf']})"

    def write_index_page(self, book: Finishing) -> None:
        """The index (genindex data: glossary terms and index entries), after the last page."""
        book.index_page = self.write_index(book.outdir, book.lang, book.pages)
        if book.index_page:
            book.pages.append(book.index_page)
            mark = print_pages.index_marker(book.outdir, book.index_page, book.page_map)  # the printed index's page
            if mark:
                book.page_list.append(mark)

    def write_nav(self, book: Finishing) -> None:
        """The navigation document: the full contents, landmarks and the page list."""
        book.toc = toc = self.nav_tree()
        if book.index_page:
            toc.append(NavItem(INDEX_TITLE, book.index_page))
        landmarks = [("cover", "Cover", COVER_PAGE), ("toc", "Contents", f"{NAV}#toc")]
        if book.docs:
            landmarks.append(("bodymatter", "Start of content", book.pages[0]))
        for doc in book.docs:
            kind = self.press_kinds.get(doc)
            if kind in ("glossary", "bibliography"):
                title_node = self.env.titles.get(doc)
                landmarks.append((kind, title_node.astext() if title_node else kind.title(), doc + self.out_suffix))
        if book.index_page:
            landmarks.append(("index", INDEX_TITLE, book.index_page))
        (book.outdir / NAV).write_text(
            package.nav_document(book.lang, "Contents", toc, landmarks, CSS, page_list=book.page_list),
            encoding="utf-8",
        )

    def read_back(self, book: Finishing) -> None:
        """Read every page back: ids, links, resources, properties; report each problem."""
        outdir, pages, extra = book.outdir, book.pages, book.extra
        book.spine_files = spine_files = [COVER_PAGE, NAV, *pages, *extra]
        book.info = info = {f: self.inspect(outdir, f) for f in spine_files}
        ids = {f: i["ids"] for f, i in info.items()}
        broken = {f for f, i in info.items() if not i["well_formed"]}
        resources: dict[str, None] = book.resources
        for f, i in info.items():
            doc = f[: -len(self.out_suffix)] if f in pages or f in extra else None
            for res in i["resources"]:
                if not (outdir / res).is_file():
                    warn(PressWarning.EPUB, f"{f}: the EPUB needs {res!r}, which was not written", location=self.source_of(doc, res))
                elif res not in spine_files:
                    resources[res] = None
            for target, fragment in i["links"]:
                if target in broken:
                    continue  # that page is not well-formed (reported there): its ids are unknown
                if target not in ids:
                    warn(PressWarning.EPUB, f"{f}: link to {target!r}, which is not a page of the EPUB", location=self.source_of(doc, target))
                elif fragment and fragment not in ids[target]:
                    warn(PressWarning.EPUB, f"{f}: link to {target}#{fragment}: no such id in that page", location=self.source_of(doc, fragment))
            for problem in i["problems"]:
                warn(PressWarning.EPUB, f"{f}: {problem}", location=doc)

    def write_package(self, book: Finishing) -> None:
        """``toc.ncx``, ``content.opf`` (metadata, manifest, spine, guide) and the container."""
        outdir, info, resources, pages, extra = book.outdir, book.info, book.resources, book.pages, book.extra
        spine_files = book.spine_files
        images = [r for r in resources if r != COVER_IMAGE and package.MEDIA_TYPES.get(posixpath.splitext(r)[1].lower(), "").startswith("image/")]
        meta = self.metadata(
            book.epoch,
            has_images=bool(images),
            has_math=any("mathml" in i["properties"] for i in info.values()),
            missing_alt=any(i["missing_alt"] for i in info.values()),
            math_fallback=any(i["math_fallback"] for i in info.values()),
            page_source=book.page_source,
        )
        (outdir / NCX).write_text(package.ncx_document(meta.identifier, meta.title, book.lang, book.toc), encoding="utf-8")
        manifest = [ManifestEntry(NAV, ["nav"]), ManifestEntry(NCX)]
        manifest += [ManifestEntry(f, sorted(info[f]["properties"])) for f in spine_files if f != NAV]
        manifest += [ManifestEntry(r, ["cover-image"] if r == COVER_IMAGE else []) for r in sorted(resources)]
        if COVER_IMAGE not in resources:
            manifest.append(ManifestEntry(COVER_IMAGE, ["cover-image"]))
        package.manifest_ids(manifest)
        cover_id = next(e.id for e in manifest if e.href == COVER_IMAGE)
        # an orphan page some page links to is out of the reading order (non-linear); one that
        # nothing links to would be unreachable, so it closes the reading order instead
        linked = {t for f, i in info.items() for t, _ in i["links"] if t != f}
        spine = [(COVER_PAGE, True), (NAV, True)] + [(p, True) for p in pages] + [(p, p not in linked) for p in extra]
        guide = [("cover", "Cover", COVER_PAGE), ("toc", "Contents", NAV)]
        if pages:
            guide.append(("text", "Start of content", pages[0]))
        opf = package.package_document(meta, manifest, spine, guide, cover_id=cover_id)
        (outdir / "content.opf").write_text(opf, encoding="utf-8")
        (outdir / "META-INF").mkdir(exist_ok=True)
        (outdir / "META-INF" / "container.xml").write_text(package.CONTAINER_XML, encoding="utf-8")
        book.manifest = manifest

    def write_epub(self, book: Finishing) -> None:
        """The reproducible zip (press.reprozip): container, package, NCX, nav, then the manifest."""
        order = ["META-INF/container.xml", "content.opf", NCX, NAV]
        order += [e.href for e in book.manifest if e.href not in order]
        target = book.outdir / f"{self.config.epub_basename}.epub"
        logger.info(__("writing %s file..."), target.name)
        package.write_zip(target, book.outdir, order, book.epoch)

    def write_index(self, outdir: Path, lang: str, pages: list[str]) -> str:
        """``genindex.xhtml``: the entries of the print index, grouped by letter: Sphinx's
        index entries (glossary terms, ``index`` directives), each linked and named by its
        chapter, a glossary term also with the chapters that use it (``{term}`` links); and
        the names and tools of ``press_index_terms`` (:mod:`press.indexterms`), with their
        sub-entries, linked to their first mention in each chapter.  In reading order;
        ``""`` if there is no entry at all."""
        from sphinx.environment.adapters.indexentries import IndexEntries

        from .. import indexterms

        found = indexterms.mentions(self.env)  # the anchors placed when the pages were read
        uses: dict[str, list[str]] = {}  # "glossary.xhtml#term-x" -> pages that link to it
        mentions: dict[str, list[str]] = {}  # "Name; sub" -> "page#anchor", one per page
        for page in pages:
            text = (outdir / page).read_text(encoding="utf-8")
            for href in dict.fromkeys(re.findall(r'href="([^"#]*#term-[^"]+)"', text)):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
                if target.split("#")[0] != page:
                    uses.setdefault(target, []).append(page)
            for entry, anchor in found.get(page[: -len(self.out_suffix)], ()):
                mentions.setdefault(entry, []).append(f"{page}#{anchor}")

        # name -> (refs, {sub: refs}); refs are (main, uri) like Sphinx's
        merged: dict[str, tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]] = {}
        for _letter, entries in IndexEntries(self.env).create_index(self):
            for name, (refs, subs, _key) in entries:
                own, own_subs = merged.setdefault(name, ([], {}))
                own += list(refs)
                for sname, srefs in subs:
                    own_subs.setdefault(sname, []).extend(srefs)
        for entry, uris in mentions.items():
            name, _, sub = (part.strip() for part in entry.partition(";"))
            own, own_subs = merged.setdefault(name, ([], {}))
            refs = [("", uri) for uri in uris]
            if sub:
                own_subs.setdefault(sub, []).extend(refs)
            else:
                own += refs
        if not merged:
            return ""
        esc = package.esc

        def links(refs: list[tuple[str, str]]) -> str:
            refs = list(refs)
            for _main, uri in list(refs):
                refs += [("", page) for page in uses.get(uri, [])]
            out = []
            for _main, uri in refs:
                doc = uri.split("#", 1)[0][: -len(self.out_suffix)] if uri.split("#", 1)[0].endswith(self.out_suffix) else ""
                title = self.env.titles.get(doc)
                out.append(f'<a href="{esc(uri)}">{esc(title.astext() if title else doc or uri)}</a>')
            return ", ".join(out)

        def letter(name: str) -> str:
            first = unicodedata.normalize("NFD", name[:1])[:1].upper()
            return first if first.isalpha() else "Symbols"

        groups: dict[str, list[str]] = {}
        for name in sorted(merged, key=lambda n: (letter(n) != "Symbols", n.casefold(), n)):
            groups.setdefault(letter(name), []).append(name)

        body = ['<section epub:type="index" role="doc-index" aria-labelledby="press-index-title">',
                f'<h1 id="press-index-title">{esc(INDEX_TITLE)}</h1>']
        for initial, names in groups.items():
            body.append(f'<section class="press-index-group" aria-label="{esc(initial)}"><h2>{esc(initial)}</h2>\n<ul class="press-index">')
            for name in names:
                refs, subs = merged[name]
                sub = ""
                if subs:
                    sub = "<ul>" + "".join(
                        f"<li>{esc(sname)} {links(subs[sname])}</li>" for sname in sorted(subs, key=str.casefold)
                    ) + "</ul>"
                sep = " " if refs else ""
                body.append(f"<li>{esc(name)}{sep}{links(refs)}{sub}</li>")
            body.append("</ul></section>")
        body.append("</section>")
        (outdir / INDEX_PAGE).write_text(
            package.xhtml_page(lang, INDEX_TITLE, "\n".join(body), CSS, body_type="backmatter"), encoding="utf-8"
        )
        return INDEX_PAGE

    def source_of(self, doc: str | None, needle: str) -> Any:
        """The author's file:line for a problem found in a written page: the first node of
        ``doc`` whose link, image or id names ``needle`` (else the page itself)."""
        if doc is None or doc not in self.env.all_docs:
            return doc
        name = posixpath.basename(unquote(needle))
        try:
            doctree = self.env.get_doctree(doc)
        except Exception:  # a page without a stored doctree: the page itself is the place
            return doc
        for node in doctree.findall(nodes.Element):
            if not node.line and not node.source:
                continue
            named = [node.get("refuri", ""), node.get("refid", ""), node.get("uri", ""), node.get("reftarget", "")]
            if any(v and (needle in v or (name and v.endswith(name))) for v in named):
                return node
            if isinstance(node, nodes.raw) and needle in node.astext():
                return node
        return doc

    def inspect(self, outdir: Path, name: str) -> dict[str, Any]:
        """Parse one written page: its ids, local links, resources, OPF properties, problems."""
        result: dict[str, Any] = {
            "ids": set(), "links": [], "resources": [], "properties": set(), "problems": [],
            "missing_alt": False, "math_fallback": False, "well_formed": False,
        }
        try:
            tree = etree.parse(str(outdir / name), etree.XMLParser(resolve_entities=False, no_network=True))
        except (OSError, ValueError, etree.XMLSyntaxError) as exc:
            result["problems"].append(f"not well-formed XHTML: {exc}")
            return result
        result["well_formed"] = True
        base = posixpath.dirname(name)
        root = tree.getroot()
        if not root.get("lang") or not root.get("{http://www.w3.org/XML/1998/namespace}lang"):
            result["problems"].append("the page has no lang/xml:lang")
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if el.get("id"):
                result["ids"].add(el.get("id"))
            ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
            if ns == MATHML_NS and local == "math":
                result["properties"].add("mathml")
            elif ns == SVG_NS and local == "svg":
                result["properties"].add("svg")
            if ns == XHTML_NS and local == "img" and (
                not (el.get("alt") or "").strip() or "press-missing-alt" in (el.get("class") or "").split()
            ):
                result["missing_alt"] = True
            if ns == XHTML_NS and "math-fallback" in (el.get("class") or "").split():
                result["math_fallback"] = True
            if ns == XHTML_NS and local == "script":
                result["problems"].append("contains a <script> element (EPUB pages must not be scripted here)")
            if ns == XHTML_NS and local == "a" and el.get("href") is not None:
                href = el.get("href")
                try:
                    parts = urlsplit(href)
                except ValueError:
                    result["problems"].append(f"invalid link {href!r}")
                    continue
                if parts.scheme or parts.netloc:
                    continue
                target = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else name
                result["links"].append((target, unquote(parts.fragment)))
                continue
            for attr in ("src", "href", "data", "poster", XLINK_HREF):
                value = el.get(attr)
                if value is None or (ns == XHTML_NS and local == "a"):
                    continue
                try:
                    parts = urlsplit(value)
                except ValueError:
                    result["problems"].append(f"invalid resource address {value!r}")
                    continue
                if parts.scheme in ("http", "https", "ftp") or parts.netloc:
                    result["problems"].append(f"remote resource {value!r} (the EPUB must be self-contained)")
                    continue
                if parts.scheme or not parts.path:
                    continue
                result["resources"].append(posixpath.normpath(posixpath.join(base, unquote(parts.path))))
        return result
