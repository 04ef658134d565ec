"""Facing pages end level (press.typst.level): the plan of bounded space, from a first layout."""

from __future__ import annotations

from press.typst import level

PITCH = 16.0
HEIGHT = 800.0  # the page; the text block ends 100 pt above its foot (at 700 from the top)


def data(gaps, openers=()):
    return {"top": 60.0, "bottom": 100.0, "pitch": PITCH, "gaps": [list(g) for g in gaps], "openers": list(openers)}


def test_short_page_of_a_spread_gets_space_in_its_gaps_by_weight():
    # pages 2 (verso) and 3 (recto): page 3 ends 3 lines higher; its gaps: one at the top of
    # the page (not stretched), a paragraph gap and a gap above a heading (weight 2)
    gaps = [(1, 2, 300.0), (2, 3, 60.0), (3, 3, 200.0), (4, 3, 400.0), (5, 4, 60.0)]
    ends = [700.0, 690.0, 690.0 - 3 * PITCH, 600.0, 700.0]
    fills = level.plan(data(gaps), ends, HEIGHT, {4: 1.5})
    assert set(fills) == {3, 4}  # never on the page's first block, nor on the long page
    assert abs(fills[4] - 1.5 * fills[3]) < 0.02
    assert fills[3] + fills[4] <= level.PER_GAP * PITCH * 2.5 + 0.01  # bounded: half a line per unit


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
