"""press.memo: the work the EPUB's and the web book's processes share (code highlighting,
MathML), computed once per build, the same bytes as computed by each."""

from __future__ import annotations

from pathlib import Path

from sphinx.highlighting import PygmentsBridge

from press import mathml as press_mathml
from press import memo


def test_a_result_is_made_once_and_read_by_the_other_process(tmp_path):
    made = []

    def make():
        made.append(1)
        return "<b>x</b>", True

    first, second = memo.SharedMemo(tmp_path), memo.SharedMemo(tmp_path)  # two processes, one folder
    assert first.get("k", "key", make) == "<b>x</b>"
    assert second.get("k", "key", make) == "<b>x</b>" and len(made) == 1 and second.hits == 1
    assert second.get("k", "other key", make) == "<b>x</b>" and len(made) == 2


def test_what_is_not_kept_is_made_again(tmp_path):
    made = []

    def make():
        made.append(1)
        return "warned", False

    m = memo.SharedMemo(tmp_path)
    m.get("k", "key", make)
    m.get("k", "key", make)
    assert len(made) == 2 and not any(p.is_file() for p in Path(tmp_path).rglob("*"))


def _bridge():
    return PygmentsBridge("html", "sphinx")


def test_highlighting_is_shared_and_the_same_bytes(tmp_path):
    code = "def f(x):\n    return x + 1  # one\n"
    expected = _bridge().highlight_block(code, "python")
    first = memo.SharedHighlighter(_bridge(), memo.SharedMemo(tmp_path))
    second = memo.SharedHighlighter(_bridge(), memo.SharedMemo(tmp_path))
    assert first.highlight_block(code, "python") == expected
    assert second.highlight_block(code, "python") == expected and second._memo.hits == 1
    # options are part of the key: line numbers give other bytes, not the cached ones
    numbered = _bridge().highlight_block(code, "python", linenos=True)
    assert numbered != expected and second.highlight_block(code, "python", linenos=True) == numbered
    assert first.get_stylesheet() == _bridge().get_stylesheet()  # the rest of the bridge as it was


def test_a_block_that_warns_is_highlighted_by_each_process(tmp_path):
    """A lexing error is Sphinx's warning at the block: each process reports its own."""
    import logging

    seen = []

    class Catch(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler = Catch(logging.WARNING)
    logging.getLogger("sphinx.sphinx.highlighting").addHandler(handler)
    try:
        folder = tmp_path / "memo"
        for _ in range(2):
            memo.SharedHighlighter(_bridge(), memo.SharedMemo(folder)).highlight_block("x = $ 1", "python",
                                                                                       location=("page", 1))
    finally:
        logging.getLogger("sphinx.sphinx.highlighting").removeHandler(handler)
    assert len(seen) == 2 and not any(p.is_file() for p in folder.rglob("*"))


def test_mathml_through_the_memo_is_convert(tmp_path):
    class Builder:
        press_memo = memo.SharedMemo(tmp_path)

    for latex, display in (("x^2 + \\arg z", False), ("a &= b \\\\ c &= d", True)):
        assert memo.mathml(Builder(), latex, display) == press_mathml.convert(latex, display)
        assert memo.mathml(Builder(), latex, display) == press_mathml.convert(latex, display)
    assert Builder.press_memo.hits == 2
    assert memo.mathml(None, "x", False) == press_mathml.convert("x", False)  # no memo: computed
