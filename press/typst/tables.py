"""Tables: the state of the table being written, and the table visitors of the Typst writer.

As Sphinx's LaTeX writer keeps a ``Table`` object for the table it is writing, the Typst
writer keeps a :class:`Table` per open table (a stack: a table may sit in a cell of another)
on ``translator.tables``; nothing about a table lives in loose counters of the translator.

:class:`TableVisitors` is a base of :class:`press.typst.translator.TypstTranslator`.  The
translator state it uses besides ``tables``: ``add``, ``render``, ``emit_labels``,
``take_label``, ``extra_labels``, ``fignumber`` and ``in_caption``.
"""

from __future__ import annotations

from dataclasses import dataclass

from docutils import nodes

from ..typstmarkup import string


@dataclass
class Table:
    """One table being written: its caption and number (Sphinx's), its size, its columns."""

    caption: str = ""  #: the title, as Typst markup
    number: str = ""  #: Sphinx's number, formatted (``Table 3``)
    rows: int = 0
    #: whether the table may break across pages (a long table, a notebook's output table)
    breakable: bool = False
    columns: str = "1fr"  #: the Typst column widths, in fractions of the width
    stubs: int = 0  #: the stub (row header) columns
    open_cells: int = 0  #: cells being written (their paragraphs are inline: ``#parbreak()``)


class TableVisitors:
    """``press-table-figure`` (caption, number, label) around ``press-table`` (the grid)."""

    tables: list[Table]  # set by the translator's __init__

    @property
    def in_table(self) -> bool:
        """Whether the text being written is in a cell of a table."""
        return any(table.open_cells for table in self.tables)

    def table(self) -> Table:
        """The table being written (a detached one for a table part outside a table node)."""
        if not self.tables:
            self.tables.append(Table())
        return self.tables[-1]

    def visit_table(self, node: nodes.Element) -> None:
        title = node.next_node(nodes.title)
        self.in_caption += 1
        text = self.render(title.children) if title is not None and title.parent is node else ""
        self.in_caption -= 1
        rows = sum(1 for _ in node.findall(nodes.row))
        table = Table(
            caption=text, number=self.fignumber(node, "table"), rows=rows,
            # (a notebook's output table stays below its cell, like a long table: press.notebooks)
            breakable=rows > 15 or "press-notebook-table" in node.get("classes", ()),
        )
        self.tables.append(table)
        try:
            body = self.render([c for c in node.children if not isinstance(c, nodes.title)])
        finally:
            self.tables.pop()
        breakable = ", breakable: true" if table.breakable else ""
        if not table.breakable and self.near_opener(node):
            breakable = ", placement: bottom"
        self.add(f"\n#press-table-figure(caption: [{table.caption}], number: {string(table.number)}{breakable})[{body}]")
        self.add(self.take_label(node) + "\n\n")
        self.extra_labels(node)
        raise nodes.SkipNode

    def visit_tgroup(self, node: nodes.Element) -> None:
        table = self.table()
        colspecs = [c for c in node.children if isinstance(c, nodes.colspec)]
        widths = [int(c.get("colwidth", 1)) or 1 for c in colspecs]
        total = sum(widths) or 1
        table.columns = ", ".join(f"{w / total:.4f}fr" for w in widths) or "1fr"
        table.stubs = sum(1 for c in colspecs if c.get("stub"))
        self.add(f"#press-table(columns: ({table.columns},), stubs: {table.stubs}, ")

    def depart_tgroup(self, node: nodes.Element) -> None:
        self.add(")")

    def visit_colspec(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_thead(self, node: nodes.Element) -> None:
        self.add("table.header(")

    def depart_thead(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_tbody(self, node: nodes.Element) -> None:
        pass

    def depart_tbody(self, node: nodes.Element) -> None:
        pass

    def visit_row(self, node: nodes.Element) -> None:
        pass

    def depart_row(self, node: nodes.Element) -> None:
        pass

    def visit_entry(self, node: nodes.Element) -> None:
        spans = []
        if node.get("morecols"):
            spans.append(f"colspan: {node['morecols'] + 1}")
        if node.get("morerows"):
            spans.append(f"rowspan: {node['morerows'] + 1}")
        for align in ("left", "center", "right"):
            if f"text-{align}" in node.get("classes", ()):
                spans.append(f"align: {align}")
        self.table().open_cells += 1
        self.add(f"table.cell({', '.join(spans)})[" if spans else "[")
        self.emit_labels(node)

    def depart_entry(self, node: nodes.Element) -> None:
        self.table().open_cells -= 1
        self.add("], ")
