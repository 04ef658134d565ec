"""Facing pages end level (press.typst.level): the plan of bounded space, from a first layout."""

from __future__ import annotations

from press.typst import level

PITCH = 16.0
HEIGHT = 800.0  # the page; the text block ends 100 pt above its foot (at 700 from the top)


def data(gaps, openers=()):
    return {"top": 60.0, "bottom": 100.0, "pitch": PITCH, "gaps": [list(g) for g in gaps], "openers": list(openers)}


def test_short_page_of_a_spread_gets_space_in_its_gaps_by_weight():
    # pages 2 (verso) and 3 (recto): page 3 ends a line higher; its gaps: one at the top of
    # the page (not stretched), a paragraph gap and a gap above a heading (weight 1.5)
    gaps = [(1, 2, 300.0), (2, 3, 60.0), (3, 3, 200.0), (4, 3, 400.0), (5, 4, 60.0)]
    ends = [700.0, 690.0, 690.0 - PITCH, 600.0, 700.0]
    fills = level.plan(data(gaps), ends, HEIGHT, {4: 1.5})
    assert set(fills) == {3, 4}  # never on the page's first block, nor on the long page
    assert abs(fills[4] - 1.5 * fills[3]) < 0.02
    assert abs(fills[3] + fills[4] - PITCH) < 0.02  # half a line per unit of weight is enough: by weight


def test_a_page_with_few_gaps_takes_up_to_a_line_in_each_never_more():
    # page 3 ends 4 lines short with two gaps (one above a heading): each takes a line (the
    # heading's first: 1.5 x the unit), the page ends 2 lines short rather than with holes
    gaps = [(1, 2, 300.0), (2, 3, 200.0), (3, 3, 400.0), (4, 4, 60.0)]
    ends = [700.0, 690.0, 690.0 - 4 * PITCH, 600.0]
    fills = level.plan(data(gaps), ends, HEIGHT, {3: 1.5})
    assert fills == {2: level.MOST * PITCH, 3: level.MOST * PITCH}
    # 1.6 lines short: past half a line per unit of weight, by weight until the heading's gap is full
    fills = level.plan(data(gaps), [700.0, 690.0, 690.0 - 1.6 * PITCH, 600.0], HEIGHT, {3: 1.5})
    assert abs(fills[3] - 1.5 * fills[2]) < 0.02 and abs(sum(fills.values()) - 1.6 * PITCH) < 0.02
    fills = level.plan(data(gaps), [700.0, 690.0, 690.0 - 1.9 * PITCH, 600.0], HEIGHT, {3: 1.5})
    assert fills[3] == level.MOST * PITCH and abs(fills[2] - 0.9 * PITCH) < 0.02


def test_share_fills_by_weight_up_to_the_most_a_gap_takes():
    gaps = [(1, 1.0), (2, 1.5), (3, 0.5)]
    assert level.share(0.0, gaps, PITCH) == {}
    small = level.share(PITCH, gaps, PITCH)  # a line in all: a third of a line per unit
    assert abs(small[1] - PITCH / 3) < 1e-6 and abs(small[2] - PITCH / 2) < 1e-6
    for want in (2 * PITCH, 2.5 * PITCH, 2.9 * PITCH):
        got = level.share(want, gaps, PITCH)
        assert abs(sum(got.values()) - want) < 1e-6 and max(got.values()) <= level.MOST * PITCH + 1e-9
        assert got[3] <= got[1] <= got[2]  # by weight
    assert level.share(10 * PITCH, gaps, PITCH) == {1: PITCH, 2: PITCH, 3: PITCH}


def test_a_gap_typst_set_no_space_in_gives_its_share_to_the_others():
    # page 3: the first gap is the head of the flow under a float at the page's top (Typst sets
    # no space there): its mark (placed after its space) did not move, the next moved by its
    # own space only, the third by the second's and its own
    gaps = [(1, 3, 300.0), (2, 3, 400.0), (3, 3, 500.0), (4, 2, 100.0)]
    fills = {1: 5.0, 2: 10.0, 3: 3.0}
    after = data([(1, 3, 300.0), (2, 3, 410.0), (3, 3, 513.0), (4, 2, 100.0)])
    assert level._unset(data(gaps), after, fills, {3}) == {1}
    assert level._unset(data(gaps), after, fills, {2}) == set()  # (only the pages asked about)
    every = data([(1, 3, 305.0), (2, 3, 415.0), (3, 3, 518.0), (4, 2, 100.0)])
    assert level._unset(data(gaps), every, fills, {3}) == set()  # all set (a smaller fill below a larger)
    ends = [700.0, 690.0, 690.0 - PITCH, 600.0]
    again = level.plan(data(gaps), ends, HEIGHT, {}, skip={1})
    assert set(again) == {2, 3} and abs(sum(again.values()) - PITCH) < 0.02


def test_the_fill_is_what_levels_the_spread_when_there_is_enough_glue():
    gaps = [(g, 3, 100.0 + 50 * g) for g in range(1, 9)] + [(9, 4, 60.0), (10, 2, 60.0)]
    ends = [700.0, 690.0, 690.0 - 2 * PITCH, 600.0]
    fills = level.plan(data(gaps), ends, HEIGHT, {})
    assert abs(sum(fills.values()) - 2 * PITCH) < 0.1


def test_no_space_on_an_opener_a_blank_page_or_a_chapter_end_nor_past_the_text_block():
    gaps = [(1, 2, 200.0), (2, 3, 200.0), (3, 4, 200.0), (4, 5, 200.0), (5, 4, 60.0), (6, 5, 300.0), (7, 3, 60.0)]
    # page 3 opens a chapter: spread 2-3 is left alone; page 5 is before a blank page
    assert level.plan(data(gaps, openers=[3]), [700.0, 500.0, 690.0, 500.0, 690.0, None], HEIGHT, {}) == {}
    assert set(level.plan(data(gaps), [700.0, 500.0, 690.0, 500.0, 690.0, None], HEIGHT, {})) == {1}
    # a facing page ending lower than the text block (a footnote's descenders) is no target past it
    fills = level.plan(data([(1, 2, 60.0), (2, 2, 300.0), (30, 3, 60.0)] + [(g, 2, 300.0 + g) for g in range(3, 30)]),
                       [700.0, 680.0, 703.0, 700.0], HEIGHT, {})
    assert sum(fills.values()) <= 700.0 - level.SAFETY - 680.0 + 0.01


def test_a_small_difference_is_left_alone():
    gaps = [(1, 3, 200.0), (2, 3, 300.0), (3, 4, 60.0)]
    assert level.plan(data(gaps), [700.0, 690.0, 688.0, 600.0], HEIGHT, {}) == {}


def test_filled_writes_the_space_into_the_marks_only():
    source = "A\n\n#press-gap(1)\n\nB\n\n#press-gap(12, weight: 1.5)\n\n= C\n\n#press-gap(2)\n"
    out = level.filled(source, {12: 8.15, 1: 4.0})
    assert "#press-gap(1, fill: 4.0pt)" in out and "#press-gap(12, weight: 1.5, fill: 8.15pt)" in out
    assert "#press-gap(2)\n" in out


# -- the marks: where the translator writes them, what the template does with them ------------

def _gaps_of(source: str) -> list[tuple[int, str | None]]:
    return [(int(m.group(1)), m.group(3)) for m in level.GAP.finditer(source)]


def test_gaps_between_works_cited_bibliography_entries_and_inside_a_box():
    from docutils import nodes
    from test_pdf_escaping import document_for, fake_builder

    from press.typst.translator import TypstTranslator

    doc = document_for([])
    section = nodes.section(ids=["s"])
    section += nodes.title("", "Works")
    section += nodes.paragraph("", "Text.")
    cited = nodes.bullet_list(classes=["press-chapter-references"])
    for text in ("[1] One.", "[2] Two.", "[3] Three."):
        cited += nodes.list_item("", nodes.paragraph("", text))
    section += cited
    box = nodes.note()
    box += [nodes.paragraph("", "First."), nodes.paragraph("", "Second.")]
    section += box
    for n in (1, 2):
        entry = nodes.citation(ids=[f"c{n}"])
        entry += [nodes.label("", str(n)), nodes.paragraph("", f"Entry {n}.")]
        section += entry
    doc[0] += section
    visitor = TypstTranslator(doc, fake_builder())
    doc.walkabout(visitor)
    out = visitor.astext()
    reflist = out[out.index("#press-reflist("):]
    assert reflist.count("[#press-gap(") == 2  # between the three works, none before the first
    assert "[#press-gap(" not in reflist[:reflist.index("One")]
    box_text = out[out.index("#press-admonition("):]
    assert "#press-gap(" in box_text[:box_text.index("Second")]
    assert "#press-gap(" not in box_text[:box_text.index("First")]  # not before a box's first block
    weights = [w for _, w in _gaps_of(out)]
    # the reference list (after a paragraph), the works, the box, its blocks, two entries
    assert weights == [None, "0.5", "0.5", None, "0.5", "0.5", "0.5"], out


def _typst(tmp_path, body: str):
    import shutil

    import typst

    from press.typst import builder as typst_builder

    shutil.copyfile(typst_builder.TEMPLATE, tmp_path / "press-book.typ")
    shutil.copyfile(typst_builder.TEMPLATE.with_name("elements.typ"), tmp_path / "press-elements.typ")
    (tmp_path / "t.typ").write_text(
        '#import "press-book.typ": *\n#set page(width: 300pt, height: 300pt, margin: 20pt)\n' + body
        + "\n#context [#metadata(query(<press-gap>).map(g => (g.value, g.location().page(), "
        "g.location().position().y.pt())))<out>]\n", encoding="utf-8")
    import json
    return {g: (p, y) for g, p, y in json.loads(typst.query(str(tmp_path / "t.typ"), "<out>", field="value", one=True,
                                                           root=str(tmp_path)))}


def test_the_template_sets_the_space_of_a_gap_between_works_cited(tmp_path):
    works = '#press-reflist([A first work.], [#press-gap(1, weight: 0.5{})], [A second.], [#press-gap(2)], [A third.])'
    plain = _typst(tmp_path, works.format(""))
    wide = _typst(tmp_path, works.format(", fill: 20pt"))
    # (a mark sits after its space: the second work and both marks moved down by the fill)
    assert plain[1][1] > 20.0 + 8.0  # below the first work
    assert abs(wide[1][1] - plain[1][1] - 20.0) < 0.01 and abs(wide[2][1] - plain[2][1] - 20.0) < 0.01


def test_gap_marks_do_not_make_a_short_box_breakable(tmp_path):
    # six paragraphs: a short box, kept whole (it moves to the next page rather than split),
    # with or without the five marks between them
    paras = ["Paragraph {} of the box.".format(i) for i in range(6)]
    filler = "#v(200pt)\n"
    marked = "".join(f"{p}\n\n#press-gap({i + 1}, weight: 0.5)\n\n" for i, p in enumerate(paras[:-1])) + paras[-1]
    where = _typst(tmp_path, filler + f'#press-admonition("note", title: [Note])[{marked}]')
    assert {p for p, _ in where.values()} == {2}, where


def test_a_line_ending_in_a_colon_before_a_list_leads_in():
    # issue 23: "A routine a team could adopt tomorrow:" was left at a page's foot, its list
    # on the next page; now it is kept with the list (no gap after it), as a "File x:" line is
    # with its listing; a list item's own text before its sub-list, or a line without a
    # colon, is left as it was
    from docutils import nodes
    from test_pdf_escaping import document_for, fake_builder

    from press.typst.translator import TypstTranslator

    def items(*texts):
        out = nodes.enumerated_list()
        for text in texts:
            out += nodes.list_item("", nodes.paragraph("", text))
        return out

    doc = document_for([])
    section = nodes.section(ids=["s"])
    section += nodes.title("", "Routine")
    section += nodes.paragraph("", "Before.")
    section += nodes.paragraph("", "A routine a team could adopt:")
    section += items("Review.", "Check.")
    section += nodes.paragraph("", "No colon here")
    section += items("Three.", "Four.")
    outer = items("Steps:")
    outer[0] += items("Sub one.", "Sub two.")
    section += outer
    doc[0] += section
    visitor = TypstTranslator(doc, fake_builder())
    doc.walkabout(visitor)
    out = visitor.astext()
    assert out.count("#press-lead-in[") == 1
    lead = out[out.index("#press-lead-in["):]
    assert lead.startswith("#press-lead-in[A routine a team could adopt\\:]")
    assert "#press-gap(" not in lead[:lead.index("Review")]  # no gap after a lead-in
    plain = out[out.index("No colon here"):]
    assert "#press-gap(" in plain[:plain.index("Three")]


# -- a page whose foot holds footnotes: its body is levelled, its notes stay at the foot -------

def test_a_page_with_notes_is_short_by_its_body_not_full_by_its_notes():
    # issue 23: page 3's foot holds footnotes (their area starts at 600); its body ends two
    # lines above them.  Its lowest content (the notes, at the foot) made it count as full:
    # now its body is filled, by the gap between the body and its notes, never past them;
    # page 2, full, is left alone
    gaps = [(g, 3, 100.0 + 40 * g) for g in range(1, 9)] + [(9, 2, 300.0), (10, 4, 60.0)]
    notes = data(gaps) | {"notes": [[3, 600.0]]}
    ends = [700.0, 700.0, 600.0 - 2 * PITCH, 600.0]
    fills = level.plan(notes, ends, HEIGHT, {})
    assert set(fills) == set(range(1, 9))  # page 3's gaps
    assert abs(sum(fills.values()) - (2 * PITCH - level.SAFETY)) < 0.1
    assert level.rooms(notes, HEIGHT) == {3: 600.0}


def test_a_page_facing_notes_is_filled_to_the_foot_and_the_notes_page_to_its_notes():
    # page 3 (notes from 600, body a line and a half above them) faces page 2, which ends two
    # lines short of the foot: the notes on page 3 end at the foot, so both pages are filled
    # (page 2 to the foot, page 3's body down to its notes), not page 3 to page 2's end
    gaps = [(g, 2, 100.0 + 40 * g) for g in range(1, 9)] + [(g, 3, 100.0 + 40 * (g - 10)) for g in range(10, 18)]
    notes = data(gaps) | {"notes": [[3, 600.0]]}
    fills = level.plan(notes, [700.0, 700.0 - 2 * PITCH, 600.0 - 1.5 * PITCH, 600.0], HEIGHT, {})
    page2 = sum(pt for g, pt in fills.items() if g < 10)
    page3 = sum(pt for g, pt in fills.items() if g >= 10)
    assert abs(page2 - (2 * PITCH - level.SAFETY)) < 0.1 and abs(page3 - (1.5 * PITCH - level.SAFETY)) < 0.1
    # without notes, the same ends: page 3 is filled to page 2's end only
    plain = level.plan(data(gaps), [700.0, 700.0 - 2 * PITCH, 700.0 - 3.5 * PITCH, 600.0], HEIGHT, {})
    assert set(plain) == set(range(10, 18)) and abs(sum(plain.values()) - 1.5 * PITCH) < 0.1


def _book_pdf(tmp_path, body: str):
    """A small piece of a body compiled with the book's template: ``(pdf, gap map)``."""
    import shutil

    import typst

    from press.typst import builder as typst_builder

    shutil.copyfile(typst_builder.TEMPLATE, tmp_path / "press-book.typ")
    shutil.copyfile(typst_builder.TEMPLATE.with_name("elements.typ"), tmp_path / "press-elements.typ")
    (tmp_path / "t.typ").write_text(
        '#import "press-book.typ": *\n#show: book.with(title: "T", paper: "6x9", piece: (kind: "body", start: 2, '
        'part: 0, chapter: 0, footnote: 0, level: 1, far: (:)))\n' + body + "\n#press-gap-map()\n", encoding="utf-8")
    compiler = typst.Compiler(str(tmp_path / "t.typ"), root=str(tmp_path))
    pdf = compiler.compile()
    return pdf, level.gap_map(lambda sel, field=None, one=False: compiler.query(sel, field=field, one=one))


def test_the_body_of_a_page_with_notes_ends_above_them(tmp_path):
    # a page of two paragraphs and a footnote, short (a page break), then a long paragraph
    # with a note in its first line, which runs on over the foot of the next page
    words = "word " * 60
    body = (f"{words}#footnote[A note, two lines long: {words[:200]}]\n\n#press-gap(1)\n\n{words}\n\n"
            f"#pagebreak()\nA note#footnote[Note.] {words * 12}")
    pdf, data = _book_pdf(tmp_path, body)
    notes = level.notes_tops(data)
    assert set(notes) == {1, 2}, data.get("notes")
    pitch, limit = data["pitch"], level._height(pdf) - data["bottom"]
    lowest = level.content_ends(pdf, data["bottom"])  # (as before: the notes, at the foot)
    ends = level.content_ends(pdf, data["bottom"], notes)
    for page in (1, 2):
        assert abs(lowest[page - 1] - limit) < 2.0, (lowest, limit)
        assert notes[page] < limit - pitch  # the notes are more than a line high
        assert ends[page - 1] <= notes[page] + 0.5, (ends, notes)  # the body's end: above its notes
    assert notes[1] - ends[0] > 3 * pitch  # the first page is short, the second full:
    assert notes[2] - ends[1] < pitch  # its body runs down to its notes
