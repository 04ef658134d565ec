"""Bullet, numbered, definition and field lists, line blocks: the list visitors of the Typst writer.

:class:`ListVisitors` is a base of :class:`press.typst.translator.TypstTranslator`.  The
translator state it uses: ``add``, ``emit_labels``, ``close_block`` and ``in_citation`` (a
chapter's works cited is a list of references, press.references).
"""

from __future__ import annotations

from docutils import nodes

from ..typstmarkup import string


class ListVisitors:
    """Lists as ``press-list``, ``press-enum``, ``press-terms`` and ``press-fields`` calls."""

    # -- lists -----------------------------------------------------------
    def visit_bullet_list(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        if "press-chapter-references" in node.get("classes", ()):
            # a chapter's works cited (press.references): a reference list, URLs inline
            self.in_citation += 1
            self.add("\n#press-reflist(")
            return
        if "contains-task-list" in node.get("classes", ()):
            self.add("\n#press-list(marker: [], ")  # MyST task list: the checkbox is the marker
            return
        self.add("\n#press-list(")

    def depart_bullet_list(self, node: nodes.Element) -> None:
        if "press-chapter-references" in node.get("classes", ()):
            self.in_citation -= 1
        self.add(")\n\n")

    def visit_enumerated_list(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        style = {
            "arabic": "1.",
            "loweralpha": "a.",
            "upperalpha": "A.",
            "lowerroman": "i.",
            "upperroman": "I.",
        }.get(node.get("enumtype", "arabic"), "1.")
        prefix, suffix = node.get("prefix", ""), node.get("suffix", ".")
        style = prefix + style[:-1] + suffix
        start = node.get("start", 1)
        self.add(f"\n#press-enum(start: {start}, numbering: {string(style)}, ")

    def depart_enumerated_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_list_item(self, node: nodes.Element) -> None:
        self.add("[")
        self.emit_labels(node)

    def depart_list_item(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("], ")

    def visit_definition_list(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        self.add("\n#press-terms(")

    def depart_definition_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_definition_list_item(self, node: nodes.Element) -> None:
        self.add("(")

    def depart_definition_list_item(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_term(self, node: nodes.Element) -> None:
        self.add("[")
        self.emit_labels(node)

    def depart_term(self, node: nodes.Element) -> None:
        self.add("], ")

    def visit_classifier(self, node: nodes.Element) -> None:
        self.add("[#emph[")

    def depart_classifier(self, node: nodes.Element) -> None:
        self.add("]], ")

    def visit_definition(self, node: nodes.Element) -> None:
        previous = node.parent.index(node) - 1 if node.parent is not None else -1
        if previous >= 0 and isinstance(node.parent[previous], nodes.definition):
            self.add(" #parbreak() ")  # a further definition of the same term: same block
        else:
            self.add("[")

    def depart_definition(self, node: nodes.Element) -> None:
        self.close_block()
        if not isinstance(node.next_node(descend=False, siblings=True), nodes.definition):
            self.add("]")

    def visit_glossary(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_glossary(self, node: nodes.Element) -> None:
        pass

    def visit_field_list(self, node: nodes.Element) -> None:
        self.add("\n#press-fields(")

    def depart_field_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_field(self, node: nodes.Element) -> None:
        self.add("(")

    def depart_field(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_field_name(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_field_name(self, node: nodes.Element) -> None:
        self.add("], ")

    def visit_field_body(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_field_body(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("]")

    def visit_line_block(self, node: nodes.Element) -> None:
        self.add("\n")

    def depart_line_block(self, node: nodes.Element) -> None:
        self.add("\n\n")

    def visit_line(self, node: nodes.Element) -> None:
        pass

    def depart_line(self, node: nodes.Element) -> None:
        self.add(" \\\n")
