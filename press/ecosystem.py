"""The Jupyter Book ecosystem's extensions in the PDF, and their web-only parts left out.

Each extension brings its own nodes with HTML (and LaTeX) visitors; the ``typst`` builder
gets its visitors here, registered at ``builder-inited`` for the extensions the book loads:

========================  =====================================================================
extension                 PDF (Typst)
========================  =====================================================================
sphinx-proof              a titled box: "Theorem 2 (Pythagoras)", numbered as in the web book;
                          ``proof`` is plain text ("Proof. …")
sphinx-exercise           a titled box: "Exercise 1 (…)", "Solution to Exercise 1"
sphinx-inline-tabs        each tab's label in bold above its content (all tabs, in order)
sphinx.ext.graphviz       the drawing (``dot`` renders SVG at build time); without ``dot``, the
                          source and Sphinx's warning
sphinx-thebe              the "run code" button becomes a note that the web book runs the code
========================  =====================================================================

For the PDF and the EPUB, sphinx-thebe's page scripts (configuration, kernel name) are
removed from the doctree (``doctree-resolved``): an EPUB page has no scripts, and the PDF
cannot run code.  sphinx-togglebutton, sphinx-examples, sphinx-copybutton and sphinx-design
need nothing here: hidden content prints open, examples print source and result, copy
buttons exist only in the web book.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .notebooks import WEB
from .warnings_ import PressWarning, warn

RUN_NOTE = "The code on this page can be run in the web book."


def _escape(text: str) -> str:
    from .typstmarkup import escape

    return escape(text)


def _number(self: Any, node: nodes.Element, figtype: str) -> str:
    ids = node.get("ids", [])
    numbers = self.fignumbers.get(self.docname, {}).get(figtype, {}).get(ids[0]) if ids else None
    return ".".join(map(str, numbers)) if numbers else ""


def _box(self: Any, node: nodes.Element, head: str, kind: str = "note") -> None:
    """A titled box with the node's children (its own title left out, untitled sections
    opened), written at once."""
    title = node.children[0] if node.children and isinstance(node.children[0], nodes.title) else None
    body: list[nodes.Node] = []
    for child in node.children:
        if child is title:
            continue
        if isinstance(child, nodes.section) and not any(isinstance(c, nodes.title) for c in child.children):
            body += child.children
        else:
            body.append(child)
    if title is not None:
        text = self.render(title.children)
        head = f"{head} {text}" if head and text else head or text
    self.emit_labels(node)
    self.add(f'\n#press-admonition("{kind}", title: [{head}])[{self.render(body)}]\n\n')
    raise nodes.SkipNode


def _proof_visit(self: Any, node: nodes.Element) -> None:
    realtype = node.get("realtype", "")
    number = _number(self, node, node.get("countertype", "")) if node.get("countertype") else ""
    head = _escape(f"{realtype.title()} {number}".strip())
    _box(self, node, head, "tip" if realtype in ("algorithm", "example") else "note")


def _exercise_visit(self: Any, node: nodes.Element) -> None:
    title = node.children[0] if node.children and isinstance(node.children[0], nodes.title) else None
    if node.tagname == "exercise_enumerable_node":
        number = _number(self, node, "exercise")
        fmt = (title.get("title") if title is not None else "") or "Exercise %s"
        head = _escape(fmt % number if "%s" in fmt else fmt)
    else:
        head = ""
    _box(self, node, head, "hint")


def _pass(self: Any, node: nodes.Element) -> None:
    pass


def _proof_plain(self: Any, node: nodes.Element) -> None:
    """``{prf:proof}``: its text ("Proof. …") as plain paragraphs, as a book prints it."""
    body: list[nodes.Node] = []
    for child in node.children:
        body += [c for c in child.children if not isinstance(c, nodes.title)] \
            if isinstance(child, nodes.admonition) else [child]
    self.emit_labels(node)
    self.add(f"\n{self.render(body)}\n\n")
    raise nodes.SkipNode


def _tabs_for_print(doctree: nodes.document) -> None:
    """sphinx-inline-tabs' ``TabContainer`` (a label and the content): the label in bold
    above the content, as plain nodes (found by name: the class is in a private module)."""
    for tab in list(doctree.findall(lambda n: isinstance(n, nodes.Element) and n.tagname == "TabContainer")):
        label = next((c for c in tab.children if isinstance(c, nodes.label)), None)
        out = nodes.container(ids=tab.get("ids", []))
        if label is not None:
            out += nodes.paragraph("", "", nodes.strong("", "", *label.children))
        out += [c for c in tab.children if c is not label]
        tab.replace_self(out)


def _thebe_visit(self: Any, node: nodes.Element) -> None:
    self.add(f"\n#emph[{_escape(RUN_NOTE)}]\n\n")
    raise nodes.SkipNode


def _graphviz_visit(self: Any, node: nodes.Element) -> None:
    """The drawing, as SVG made by ``dot`` at build time (Sphinx's own renderer)."""
    from sphinx.ext.graphviz import GraphvizError, render_dot

    from .typstmarkup import string

    builder = self.builder
    if not hasattr(builder, "imgpath"):
        builder.imgpath = builder.imagedir
    try:
        _rel, outfn = render_dot(self, node["code"], node["options"], "svg")
    except GraphvizError as exc:
        warn(PressWarning.TYPST_NODE, f"graphviz: {exc}; the diagram's source is printed instead",
             location=self.location(node))
        outfn = None
    if outfn is None:  # no dot: Sphinx said so; the source stands in
        self.add(f"\n#press-code({string(node['code'])}, lang: \"dot\")\n\n")
        raise nodes.SkipNode
    alt = node.get("alt") or "Diagram"
    self.emit_labels(node)
    path = f"/{builder.imagedir}/{Path(outfn).name}" if builder.imagedir else f"/{Path(outfn).name}"
    self.add(f"#press-image({string(path)}, alt: {string(alt)})")
    raise nodes.SkipNode


def _register(app: Sphinx) -> None:
    """Typst visitors for the extensions this book loads."""
    loaded = app.extensions
    handlers: list[tuple[type, Any, Any]] = []
    if "sphinx_proof" in loaded:
        from sphinx_proof import nodes as proof

        for name in dir(proof):
            cls = getattr(proof, name)
            if isinstance(cls, type) and issubclass(cls, nodes.Admonition) and name.endswith("_node"):
                handlers.append((cls, _proof_plain, _pass) if name == "proof_node" else (cls, _proof_visit, _pass))
    if "sphinx_exercise" in loaded:
        from sphinx_exercise import nodes as exercise

        for name in ("exercise_node", "exercise_enumerable_node", "solution_node"):
            handlers.append((getattr(exercise, name), _exercise_visit, _pass))
        for name in ("exercise_end_node", "solution_start_node", "solution_end_node"):
            if hasattr(exercise, name):
                handlers.append((getattr(exercise, name), _pass, _pass))
    if "sphinx_thebe" in loaded:
        from sphinx_thebe import ThebeButtonNode

        handlers.append((ThebeButtonNode, _thebe_visit, _pass))
    if "sphinx.ext.graphviz" in loaded:
        from sphinx.ext.graphviz import graphviz

        handlers.append((graphviz, _graphviz_visit, _pass))
    for cls, visit, depart in handlers:
        app.add_node(cls, override=True, typst=(visit, depart))


def _web_only(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-thebe's scripts stay in the web book; its button becomes a note (EPUB); the
    PDF's tabs are written one after another."""
    if app.builder.name == "typst" and "sphinx_inline_tabs" in app.extensions:
        _tabs_for_print(doctree)
    if app.builder.name in WEB or "sphinx_thebe" not in app.extensions:
        return
    from sphinx_thebe import ThebeButtonNode

    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "x-thebe-config" in text or "kernelName =" in text:
            raw.parent.remove(raw)
    if app.builder.name != "typst":
        for button in list(doctree.findall(ThebeButtonNode)):
            button.replace_self(nodes.paragraph("", "", nodes.emphasis(RUN_NOTE, RUN_NOTE)))


def _proof_labels_merged(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    """sphinx-proof warns of a label used twice as it reads the second directive, from the
    labels read so far (``env.proof_list``); when the book is read with the cores
    (:mod:`press.engine.sphinx_run`), two pages read by different processes never see each
    other's labels, so the labels are compared here as each reader's are merged (before
    sphinx-proof's own handler, which lets the later one win, as reading in one process does)."""
    mine, theirs = getattr(env, "proof_list", None), getattr(other, "proof_list", None)
    if not mine or not theirs:
        return
    for label, proof in theirs.items():
        was = mine.get(label)
        if was is not None and proof.get("docname") in docnames and was.get("docname") != proof.get("docname"):
            warn(PressWarning.REFERENCE, f"duplicate {proof.get('realtype', 'proof')} label '{label}', other instance in "
                 f"{env.doc2path(was['docname'])}", location=(proof["docname"], None))


def setup(app: Sphinx) -> dict[str, Any]:
    """Typst visitors at ``builder-inited``; web-only scripts out of the PDF and the EPUB;
    sphinx-proof's duplicate labels when the book is read with the cores."""
    app.connect("builder-inited", _register)
    app.connect("doctree-resolved", _web_only, priority=900)
    app.connect("env-merge-info", _proof_labels_merged, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
