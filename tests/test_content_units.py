"""Unit tests (no book build) for content that must never stop a build or run as code:
math operators and strings (press.typst.math), MathJax macros (press.mathmacros), Typst
labels (press.typst.translator.label), control characters (press.encoding)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from press import mathmacros
from press.encoding import strip_controls
from press.typst.math import TYPST_OPERATORS, UnsafeMath, converted, display_to_typst, guard, to_typst
from press.typst.translator import label

OPERATORS = "max min sup inf arg Pr gcd limsup liminf det dim ker hom deg exp log lg ln arcsin sinh tanh lcm".split()


@pytest.mark.parametrize("name", OPERATORS)
def test_latex_operators_are_typst_operators(name):
    out = to_typst(f"\\{name}_x f")
    assert out == f"{name}_x f" and name in TYPST_OPERATORS


@pytest.mark.parametrize(
    "latex",
    [
        r'\text{a"); #panic("x}',
        r'\operatorname{x"); #panic("y}',
        r'\mathrm{a"b} + \text{"}',
        r'\text{x\}+\text{#panic()}',
        r'a"b',
    ],
)
def test_no_latex_reaches_typst_as_code(latex):
    out = to_typst(latex)
    # outside string literals there is no '#' (but #true/#false) and every string is closed
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', "", out)
    assert re.sub(r"#(true|false)\b", "", outside).count("#") == 0, out
    assert outside.count('"') == 0, out


def test_guard_refuses_code_and_open_strings():
    with pytest.raises(UnsafeMath):
        guard('a #panic("x")')
    with pytest.raises(UnsafeMath):
        guard('"open')
    assert guard('op("max", limits: #true)_x') == 'op("max", limits: #true)_x'
    assert guard('op("max")') == "max"  # Typst's own operator


def test_macros_from_mathjax3_config():
    config = SimpleNamespace(mathjax3_config={"tex": {"macros": {
        "R": "\\mathbb{R}", "vec": ["\\mathbf{#1}", 1], "pow": ["#1^{#2}", 2, "e"], "N": "\\mathbb{N}", "Z": "\\Z",
    }}})
    macros = mathmacros.from_config(config)
    expand = lambda t: mathmacros.expand(t, macros)  # noqa: E731
    assert expand(r"x \in \R") == r"x \in \mathbb{R}"
    assert expand(r"\vec{v} + \vec w") == r"\mathbf{v} + \mathbf{w}"
    assert expand(r"\pow{x}") == "e^{x}" and expand(r"\pow[2]{x}") == "2^{x}"
    assert expand(r"\Rightarrow \\R") == r"\Rightarrow \\R"  # a longer command and a line break stay
    assert expand(r"\Z") == r"\Z"  # a macro defined by itself stops
    assert mathmacros.from_config(SimpleNamespace()) == {}


def test_macros_reach_typst():
    macros = mathmacros.parse({"RR": "\\mathbb{R}"})
    assert to_typst(mathmacros.expand(r"\RR^n", macros)) == "RR^n"


@pytest.mark.parametrize("id_", ["area-in-m²-and-½-cup", "x’y", "a b", "ĳ-ﬁ", "中文"])
def test_labels_are_typst_labels(id_):
    name = label("doc/page", id_)
    assert all(c in ".:-_" or ("a" + c).isidentifier() for c in name), name
    assert name.startswith("d.doc.page:")


def test_control_characters_are_removed():
    text, found = strip_controls("a\x1b[31mred\x1b[0m b\x07c\td\n")
    assert text == "ared b" + "c\td\n" and found == ["U+001B", "U+0007"]


def test_mathml_prepare_expands_macros_and_spells_operators():
    from latex2mathml.converter import convert

    macros = mathmacros.parse({"R": "\\mathbb{R}"})
    out = convert(mathmacros.prepare(r"\arg z \in \R", macros))
    assert "\\arg" not in out and "<mo>arg</mo>" in out and "\\R" not in out


def test_delimiter_sizes_and_page_newcommands():
    assert to_typst(r"\big( a \big)^2 + \Bigl[ b \Bigr]") == "(a)^2 + [b]"
    tex, defined = mathmacros.definitions(r"\newcommand{\vc}[1]{\mathbf{s}_{#1}} \renewcommand\pde{\mathcal{P}} x = \vc{i}")
    assert tex.strip() == r"x = \vc{i}" and set(defined) == {"vc", "pde"}
    assert to_typst(mathmacros.expand(tex, defined)) == "x = upright(bold(s))_i"


def test_the_converters_own_code_passes_and_the_authors_does_not():
    assert to_typst(r"a \! b") == "a #h(-math.thin.amount) b"
    assert to_typst(r"\textcolor{red}{x}") == "#text(fill: red)[$x$]"
    assert to_typst(r"\sum\limits_i x") == "sum_i x" and to_typst(r"\left\lVert x \right\rVert") == "norm(x)"
    assert "#panic" not in to_typst(r'\hspace{1em); #panic("x") //}').replace('\\"', "").split('"')[0]


def test_array_between_left_and_right_is_one_delimited_matrix():
    """pbdl's ``\\left( \\begin{array}{c} .. \\end{array} \\right)``: one ``mat`` with the
    delimiter (``tex2typst``'s ``#none``/``align: #center`` pass the guard), no fallback."""
    col = to_typst(r"y := \left( \begin{array}{c} a\big\vert_{x_1}\\ \vdots\\ b \\ \end{array} \right) \ .")
    assert col.startswith('y : = mat(delim: "(", align: #center, a bar.v_(x_1);') and col.endswith(") med ."), col
    assert to_typst(r"\left[\begin{array}{cc} a & b \\ c & d\end{array}\right]") == 'mat(delim: "[", align: #center, a, b; c, d)'
    assert to_typst(r"\left|\begin{array}{cc} a & b\end{array}\right|") == 'mat(delim: "|", align: #center, a, b)'
    assert to_typst(r"\left(\begin{array}{c} \text{(a)}\end{array}\right)") == 'mat(delim: "(", align: #center, "(a)")'
    with pytest.raises(UnsafeMath):
        guard("x #none y #center")  # only as tex2typst writes them


def test_formulas_converted_as_a_page_is_read_are_what_the_writer_would_convert():
    # press.typst.equations.read_math keeps these answers with the page; the writer looks
    # its formulas up instead of converting them again (same Typst, a refusal left out)
    inline = [r"\max_x f(x) \in \mathbb{R}", r"_{x}", r'\text{a"b} + \frac{1}{2}']
    display = r"\begin{align} a &= b \\ c &= d \tag{7} \end{align}" + "\n\n" + r"e = mc^2"
    found = converted([(f, False) for f in inline] + [(display, True), (r"\frac{", False)])
    assert len(found) == 5 and all(isinstance(v, str) for v in found.values())
    for f in inline:
        assert to_typst(f, known=found) == to_typst(f)
    assert display_to_typst(display, known=found) == display_to_typst(display)
    # the lookup is by the converter's input: an answer found is the one used
    key = next(k for k in found if "mc" in k)
    assert "FROM-THE-READ" in display_to_typst(display, known={**found, key: "FROM-THE-READ"})[0]
