"""A node type the Typst writer has never heard of: the PDF build must warn with
file:line and keep its text."""

from docutils import nodes
from docutils.parsers.rst import Directive


class mystery(nodes.General, nodes.Element):
    pass


class MysteryDirective(Directive):
    has_content = True

    def run(self):
        node = mystery()
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        node += nodes.paragraph(text=" ".join(self.content))
        return [node]


def _visit_html(self, node):
    self.body.append("<div>")


def _depart_html(self, node):
    self.body.append("</div>")


def setup(app):
    app.add_node(mystery, html=(_visit_html, _depart_html))
    app.add_directive("mystery", MysteryDirective)
    return {"parallel_read_safe": True}
