"""press.suggest without a book: our own did-you-mean records and the one-message rule.

The messages themselves (``press.reference``, ``press.citation`` at the reference's
``file:line``) are checked on built books in ``tests/bad_input/cases.yaml`` (``ref-*``).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from docutils import nodes
from sphinx import addnodes

from press.suggest import REPORTED, ReportedOnce, _place, _suppressed, did_you_mean


def record(location, type_: str, subtype: str) -> logging.LogRecord:
    rec = logging.LogRecord("sphinx.x", logging.WARNING, __file__, 1, "a message", (), None)
    rec.location, rec.type, rec.subtype = location, type_, subtype
    return rec


def test_the_other_packages_message_about_a_reported_node_is_not_printed_and_not_changed():
    node = addnodes.pending_xref(reftype="myst", reftarget="pag.md")
    node[REPORTED] = ("myst.xref_missing",)
    other = record(node, "myst", "xref_missing")
    assert ReportedOnce().filter(other) is False
    assert other.getMessage() == "a message" and other.levelno == logging.WARNING
    # another kind of message about the same node, or any message about another node, is printed
    assert ReportedOnce().filter(record(node, "myst", "xref_ambiguous")) is True
    assert ReportedOnce().filter(record(addnodes.pending_xref(), "myst", "xref_missing")) is True
    assert ReportedOnce().filter(record("page.md:3", "myst", "xref_missing")) is True


def test_a_reference_is_reported_at_its_own_line_of_the_paragraph(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# T\n\nFirst line of the paragraph,\nand here {ref}`first-lable` is.\n\nNext.\n", encoding="utf-8")
    para = nodes.paragraph()
    para.source, para.line = str(page), 3
    ref = addnodes.pending_xref(reftarget="first-lable")
    para += ref
    assert _place(ref, "first-lable") == f"{page}:4"
    assert _place(ref, "not-in-this-paragraph") is ref  # not found before the blank line: the node
    assert _place(ref, "First") is ref  # on the paragraph's first line: the node itself


def test_a_users_suppression_of_the_other_packages_message_silences_ours():
    config = SimpleNamespace(suppress_warnings=["ref.term", "myst"], nitpick_ignore=[("myst", "x.md")],
                             nitpick_ignore_regex=[])
    assert _suppressed(config, "ref.term")
    assert not _suppressed(config, "ref.doc")
    assert _suppressed(config, "myst.xref_missing")
    quiet = SimpleNamespace(suppress_warnings=[], nitpick_ignore=[("myst", "x.md")],
                            nitpick_ignore_regex=[("myst", r"old/.*")])
    assert _suppressed(quiet, "myst.xref_missing", "x.md")
    assert _suppressed(quiet, "myst.xref_missing", "old/page.md")
    assert not _suppressed(quiet, "myst.xref_missing", "y.md")


def test_did_you_mean():
    assert did_you_mean("first-lable", ["first-label", "second"]) == " (did you mean 'first-label'?)"
    assert did_you_mean("zzz", ["first-label"]) == ""


def test_a_toctree_note_about_a_page_whose_front_matter_was_reported_is_not_repeated():
    """Sphinx's ``toc.no_title`` names the page in its argument (read from the record, not its text)."""
    from press.suggest import WARNED, PressMessages

    env = SimpleNamespace(**{WARNED: {"guide/bad": {"press.frontmatter_yaml"}, "guide/ok": {"ref.ref"}}})
    messages = PressMessages(SimpleNamespace(env=env))

    def no_title(doc: str) -> logging.LogRecord:
        rec = logging.LogRecord("sphinx.x", logging.WARNING, __file__, 1,
                                "toctree contains reference to document %r that doesn't have a title: "
                                "no link will be generated", (doc,), None)
        rec.type, rec.subtype, rec.location = "toc", "no_title", "index.md:3"
        return rec

    assert messages._consequence(no_title("guide/bad")) is True
    assert messages._consequence(no_title("guide/ok")) is False
    assert messages._consequence(no_title("guide/other")) is False
