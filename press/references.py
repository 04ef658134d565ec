"""Each chapter ends with the works it cites.

At read time a page that cites anything gets a final "References" section (so
it is in the page's table of contents, the EPUB nav and the PDF outline)
holding a :class:`chapter_references` placeholder with the cited keys.  After
sphinxcontrib-bibtex has formatted the bibliography, a post-transform replaces
the placeholder with the same formatted entries and labels as the full
bibliography, each label linking to the entry there.  Pages that hold a
``bibliography`` directive are left alone.

Lists are in numeric label order ([2] before [10]).  In the PDF a part opener
(a section folder's ``index`` page) carries no list of its own: its citation
labels link to the book's bibliography, and a list there would only spill onto
a near-empty page before the part's first chapter.

The ``press`` bibliography style (the default unless ``conf.py`` sets
``bibtex_default_style``) is pybtex's ``plain`` with a publisher's manners:
editors' fields (``note``, ``annote``) are never printed, titles keep the
capitals the .bib gives them, a date already in ``howpublished`` is not repeated,
and a DOI is printed once, as its https://doi.org/ address (instead of the URL).
"""

from __future__ import annotations

import re
from typing import Any

import pybtex.plugin
import pybtex_docutils
from pybtex.database import Entry
from pybtex.style.formatting import plain
from pybtex.style.template import field, href, join, optional, sentence, words
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex import env_updated as bibtex_env_updated
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node

from . import adapters
from . import state

TITLE = "References"


#: Fields that hold editors' notes, never printed.
EDITORS_FIELDS = ("note", "annote")


class PressStyle(plain.Style):
    """pybtex ``plain`` as a publisher prints it (see the module docstring)."""

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        fields = {k: v for k, v in entry.fields.items() if k.lower() not in EDITORS_FIELDS}
        published = fields.get("howpublished", "")
        undated_ok = entry.type.lower() in ("misc", "online", "software", "patent")
        if undated_ok and published and fields.get("year") and str(fields["year"]) in published:
            fields.pop("year", None)  # "Post on X, 2 February 2025" already dates it
            fields.pop("month", None)
        if fields.get("doi"):
            fields.pop("url", None)  # the DOI is the lasting address
        clean = Entry(entry.type, fields=fields, persons=entry.persons)
        clean.key = entry.key
        return super().format_entry(label, clean, bib_data=bib_data)

    def format_title(self, e: Entry, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_url(self, e: Entry) -> Any:
        url = field("url", raw=True)
        return words[href(url)[url]]

    def format_doi(self, e: Entry) -> Any:
        url = join["https://doi.org/", field("doi", raw=True)]
        return href(url)[url]

    def format_web_refs(self, e: Entry) -> Any:
        return sentence[
            optional[self.format_url(e)],
            optional[self.format_eprint(e)],
            optional[self.format_doi(e)],
        ]


def label_order(label: str) -> tuple:
    """Natural order of citation labels: ``2`` before ``10``, ``Knu84`` by its parts."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", label))


class chapter_references(nodes.General, nodes.Element):
    """Placeholder for the list of works a page cites (replaced before writing)."""


def _cited_keys(document: nodes.document) -> list[str]:
    keys: list[str] = []
    for xref in document.findall(addnodes.pending_xref):
        if xref.get("refdomain") != "cite":
            continue
        for target in parse_citation_targets(xref["reftarget"]):
            if target.key not in keys:
                keys.append(target.key)
    return keys


class AddReferencesSection(SphinxTransform):
    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        if next(iter(self.document.findall(bibliography_node)), None) is not None:
            return
        keys = _cited_keys(self.document)
        top = next(iter(self.document.findall(nodes.section)), None)
        if not keys or top is None:
            return
        section = nodes.section(ids=[f"references-{self.env.docname.replace('/', '-')}", "references"], names=["references"], classes=["press-references"])
        section += nodes.title(TITLE, TITLE)
        section += chapter_references(keys=keys)
        top += section


class TieCitations(SphinxTransform):
    """A citation never starts a line: the space before it is a no-break space ("each\u00a0[8, 32]."),
    in every format (a caption's last line was "[13, 22]." alone in print)."""

    default_priority = 885

    def apply(self, **kwargs: Any) -> None:
        from sphinx import addnodes

        for ref in list(self.document.findall(addnodes.pending_xref)):
            if ref.get("refdomain") != "cite" or ref.get("reftype") != "p":
                continue  # (a textual citation, {cite:t}, starts with its authors' names)
            prev = ref.previous_sibling()
            targets = []
            while isinstance(prev, nodes.target):  # bibtex's back-reference anchor
                targets.append(prev)
                prev = prev.previous_sibling()
            if isinstance(prev, nodes.Text) and prev.astext()[-1:].isspace():
                # (by identity: Text nodes are strings, equal ones are found by value)
                parent = prev.parent
                at = next(i for i, c in enumerate(parent.children) if c is prev)
                parent.pop(at)
                parent.insert(at, nodes.Text(prev.astext().rstrip() + "\u00a0"))
                # The citation's anchor (its id, for the bibliography's back links) goes before
                # the last word: between the no-break space and the citation a labelled anchor
                # is a place Typst breaks a line at (and after "]" it left a gap before ",").
                anchors = []
                for target in targets:
                    parent.pop(next(i for i, c in enumerate(parent.children) if c is target))
                    anchors.insert(0, target)
                if ref.get("ids"):
                    anchor = nodes.inline("", "", ids=list(ref["ids"]))
                    for id_ in ref["ids"]:
                        self.document.ids[id_] = anchor
                    ref["ids"] = []
                    anchors.append(anchor)
                if not anchors:
                    continue
                at = next(i for i, c in enumerate(parent.children) if c is ref) - 1  # the tied text
                if not parent[at].astext().strip() and at > 0 and isinstance(parent[at - 1], nodes.Text):
                    at -= 1  # a space of its own ("et al. "): the words before it
                words = parent[at].astext()
                m = re.search(r"\S+\s*$", words)
                head, last = (words[:m.start()], words[m.start():]) if m else ("", words)
                parent.pop(at)
                pieces = ([nodes.Text(head)] if head else []) + anchors + [nodes.Text(last)]
                for n, piece in enumerate(pieces):
                    parent.insert(at + n, piece)


class TieTextualCitations(SphinxPostTransform):
    """The same inside a resolved textual citation ("Becker *et al.*\u00a0[1]", ``{cite:t}``)."""

    default_priority = 15  # after bibtex has resolved the citations (Sphinx's resolver: 10)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.inline)):
            if "bibtex-citation" not in node.get("classes", ()):
                continue
            for i, kid in enumerate(list(node.children)):
                if not isinstance(kid, nodes.Text):
                    continue
                text = re.sub(r"\s+\[", "\u00a0[", kid.astext())
                after = node.children[i + 1] if i + 1 < len(node.children) else None
                if text[-1:].isspace() and isinstance(after, nodes.Text) and after.astext().startswith("["):
                    text = text.rstrip() + "\u00a0"
                if text != kid.astext():
                    node.pop(i)
                    node.insert(i, nodes.Text(text))


class FillReferences(SphinxPostTransform):
    default_priority = 20  # after bibtex and Sphinx have resolved references

    def run(self, **kwargs: Any) -> None:
        placeholders = list(self.document.findall(chapter_references))
        if not placeholders:
            return
        domain = self.env.get_domain("cite")
        by_key = {}
        for citation in domain.citations:
            by_key.setdefault(citation.key, citation)
        builder = adapters.builder_of(self.env)
        backend = pybtex_docutils.Backend()
        fromdoc = self.env.docname
        # The assembled PDF tree: which document each placeholder belongs to (innermost
        # start_of_file; Sphinx's inlining sets no parent links, so walk downwards, once).
        owner: dict[int, str] = {}

        def walk(node: nodes.Element, doc: str) -> None:
            for child in node.children:
                if isinstance(child, addnodes.start_of_file):
                    walk(child, child["docname"])
                elif isinstance(child, chapter_references):
                    owner[id(child)] = doc
                elif isinstance(child, nodes.Element):
                    walk(child, doc)

        if builder.format == "typst":
            walk(self.document, fromdoc)
        for node in placeholders:
            items = nodes.bullet_list(classes=["press-chapter-references"])
            if builder.format == "typst" and _is_part(owner.get(id(node), fromdoc), self.config.root_doc):
                section = node.parent
                section.parent.remove(section)
                continue
            for key in sorted(node["keys"], key=lambda k: label_order(by_key[k].formatted_entry.label if k in by_key else k)):
                citation = by_key.get(key)
                if citation is None:
                    continue  # already reported by sphinxcontrib-bibtex
                para = nodes.paragraph()
                label_text = f"[{citation.formatted_entry.label}]"
                try:
                    uri = builder.get_relative_uri(fromdoc, citation.bibliography_key.docname)
                    ref = nodes.reference("", "", internal=True, refuri=f"{uri}#{citation.citation_id}")
                    ref += nodes.Text(label_text)
                    para += ref
                except Exception:  # the target is outside this output (NoUri)
                    para += nodes.Text(label_text)
                para += nodes.Text(" ")
                para += citation.formatted_entry.text.render(backend)
                items += nodes.list_item("", para)
            node.replace_self(items if len(items) else [])


def _is_part(docname: str, root: str) -> bool:
    """Whether a document is a part opener (a section folder's ``index``)."""
    return docname != root and "/" in docname and docname.rsplit("/", 1)[-1] == "index"


def _default_style(app: Sphinx, config: Any) -> None:
    if not adapters.set_in_conf(config, "bibtex_default_style"):
        config.bibtex_default_style = "press"


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


#: pybtex plugins sphinxcontrib-bibtex looks up by name for every citation (``plaintext``
#: once per resolved reference) or every bibliography.  pybtex finds a plugin by scanning
#: the entry points of every installed distribution on each call (~6 ms; 3.7 s of a
#: 200-page build); registering the class once through pybtex's public
#: ``register_plugin`` makes each later look-up a dictionary hit.
HOT_PLUGINS = (
    ("pybtex.backends", "plaintext"),
    ("pybtex.backends", "docutils"),
    ("pybtex.style.labels", "number"),
    ("pybtex.style.labels", "alpha"),
    ("pybtex.style.names", "plain"),
    ("pybtex.style.names", "lastfirst"),
    ("pybtex.style.sorting", "none"),
    ("pybtex.style.sorting", "author_year_title"),
)


_REGISTERED: list[bool] = []  # once per process


def register_once() -> None:
    """:func:`register_hot_plugins`, once per process (and before the web book's process is
    forked, in the engine's preload of its modules, so that it does not scan again: 0.3 s)."""
    if not _REGISTERED:
        register_hot_plugins()
        _REGISTERED.append(True)


def register_hot_plugins() -> None:
    for group, name in HOT_PLUGINS:
        try:
            klass = pybtex.plugin.find_plugin(group, name)
        except pybtex.plugin.PluginNotFound:  # an older or trimmed pybtex: look it up as before
            continue
        pybtex.plugin.register_plugin(group, name, klass, force=True)


#: ``env.press_citations_by``: the build (:attr:`press.state.BookBuild.token`) whose
#: sphinxcontrib-bibtex ``env-updated`` formatted the citations kept in the environment
CITATIONS_BY = "press_citations_by"
#: on an application: it read or removed a page (its environment is not the one it loaded)
_CHANGED = "press_env_changed"


def _changed(app: Sphinx, *args: Any) -> None:
    setattr(app, _CHANGED, True)


def _before_read(app: Sphinx, env: Any, docnames: list[str]) -> None:
    if docnames:
        setattr(app, _CHANGED, True)


def _citations(app: Sphinx, env: Any) -> list[str]:
    """sphinxcontrib-bibtex's ``env-updated`` (it formats every citation of the book with
    pybtex: 0.25 s of CPU per format on the 200-page benchmark book), once per build: the
    next format's application loads the environment the first one saved after formatting
    them (Sphinx saves it after ``env-updated``) and, reading and removing no page, would
    format the same citations again."""
    token = state.of(app).token
    if getattr(env, CITATIONS_BY, None) == token and not getattr(app, _CHANGED, False):
        return []  # (what sphinxcontrib-bibtex returns: no page to write again)
    updated = list(bibtex_env_updated(app, env) or [])
    setattr(env, CITATIONS_BY, token)
    return updated


def setup(app: Sphinx) -> dict[str, Any]:
    """Register :class:`chapter_references`, its read transform and its post-transform,
    the ``press`` bibliography style, and pybtex's often-used plugins once per process
    (:data:`HOT_PLUGINS`); sphinxcontrib-bibtex's citations formatted once per build
    (:func:`_citations`)."""
    if adapters.disconnect(app, "env-updated", bibtex_env_updated):
        app.connect("env-before-read-docs", _before_read)
        app.connect("env-purge-doc", _changed)
        app.connect("env-updated", _citations)
    app.add_node(chapter_references, html=(_skip, None), text=(_skip, None), latex=(_skip, None), typst=(_skip, None))
    pybtex.plugin.register_plugin("pybtex.style.formatting", "press", PressStyle)
    register_once()
    app.connect("config-inited", _default_style)
    app.add_transform(AddReferencesSection)
    app.add_transform(TieCitations)
    app.add_post_transform(FillReferences)
    app.add_post_transform(TieTextualCitations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
