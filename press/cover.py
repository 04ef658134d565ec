"""The book's cover, designed once and drawn from its metadata by the ``typst`` wheel.

One Typst design (:data:`COVER_TYP`) in two shapes: the portrait cover (6 × 9 in; the
PDF's first page as vectors, the EPUB's ``cover-image`` as PNG) and the landscape social
card (1200 × 630 px, the web book's ``og:image``).  The art is typographic and geometric:
the title and subtitle in the sans face on the press blue, over a rising field of small
squares that thickens towards the top right (the book's subject: work handed, step by
step, to agents).  Every input comes from ``conf.py`` (``project``, ``press_subtitle``,
``press_authors``, ``language``); nothing is downloaded, and the same metadata always
gives the same bytes.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import typst
from sphinx.application import Sphinx

from . import adapters
from . import config as press_config

#: Where the web book keeps its social card (relative to the HTML output).
SOCIAL_CARD = "_static/press-social-card.png"

COVER_TYP = r"""
#let inp = sys.inputs
#let (w, h) = if inp.shape == "card" { (1200pt * 0.75, 630pt * 0.75) } else { (6in, 9in) }
#let card = inp.shape == "card"
#let blue = rgb("#1f4e79")
#let ink = rgb("#0f2a44")
#set page(width: w, height: h, margin: 0pt, fill: ink)
#set text(font: "Source Sans Pro", fill: white, lang: inp.lang, hyphenate: false)
#set par(justify: false, leading: 0.32em)
// The field: a grid of squares, denser and brighter towards the top right.
#let n = if card { 40 } else { 24 }
#let cell = w / n
#let rows = calc.ceil(h / cell)
#for j in range(rows) {
  for i in range(n) {
    let x = i / (n - 1)
    let y = 1 - j / calc.max(1, rows - 1)
    // a rising curve: squares above it are lit, more strongly the further above
    let curve = calc.pow(x, 1.8)
    let d = y - curve * 0.9
    if d < 0.04 and d > -0.6 {
      let a = calc.min(1.0, calc.max(0.0, 1 - calc.abs(d) * 2.4))
      place(top + left, dx: i * cell + cell * 0.18, dy: j * cell + cell * 0.18,
        rect(width: cell * 0.64, height: cell * 0.64, radius: cell * 0.08,
          fill: blue.lighten(int(20 + 60 * (1 - a)) * 1%).transparentize(int(30 + 50 * (1 - a)) * 1%)))
    }
  }
}
#let pad = if card { 0.45in } else { 0.6in }
#place(top + left, dx: pad, dy: pad, block(width: w - 2 * pad, {
  text(size: if card { 11pt } else { 12pt }, weight: "semibold", tracking: 0.08em, fill: rgb("#9cc3e8"),
    upper(inp.authors))
  v(if card { 0.6em } else { 1.4em })
  block(width: if card { 78% } else { 100% },
    text(size: if card { 34pt } else { 40pt }, weight: "bold", inp.title))
  v(0.5em)
  line(length: if card { 1.4in } else { 1.8in }, stroke: 3pt + rgb("#f2b134"))
  v(0.5em)
  if inp.subtitle != "" {
    block(width: if card { 70% } else { 90% },
      text(size: if card { 17pt } else { 19pt }, fill: rgb("#d6e6f5"), inp.subtitle))
  }
}))
"""


def _fonts(extra: list[str] | None = None) -> typst.Fonts:
    bundled = importlib.resources.files("font_source_sans_pro") / "files"
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                       font_paths=[str(bundled), *(extra or [])])


def inputs(title: str, subtitle: str = "", authors: str = "", lang: str = "en",
           shape: str = "cover") -> dict[str, str]:
    return {"title": title, "subtitle": subtitle, "authors": authors, "lang": lang or "en", "shape": shape}


def render(fmt: str, shape: str = "cover", ppi: float | None = None, font_paths: list[str] | None = None,
           **meta: str) -> bytes:
    """The cover (``shape="cover"``) or social card (``"card"``) as ``png``, ``svg`` or ``pdf``."""
    args: dict[str, Any] = {"format": fmt, "font_paths": _fonts(font_paths), "ignore_system_fonts": True,
                            "sys_inputs": inputs(shape=shape, **meta)}
    if fmt == "png":
        args["ppi"] = ppi or 200
    return typst.compile(COVER_TYP.encode("utf-8"), **args)


def cover_png(title: str, subtitle: str, authors: str, lang: str, font_paths: list[str] | None = None) -> bytes:
    """The portrait cover as PNG (1200 × 1800): the EPUB's cover image."""
    return render("png", "cover", ppi=200, font_paths=font_paths, title=title, subtitle=subtitle,
                  authors=authors, lang=lang)


def book_meta(config: Any) -> dict[str, str]:
    """The cover's inputs from a Sphinx config."""
    press = press_config.get(config)
    return {"title": config.project, "subtitle": press.subtitle, "authors": ", ".join(press.authors),
            "lang": (config.language or "en").split("_")[0]}


def _social_card_config(app: Sphinx) -> None:
    """The web book's ``og:image`` is the social card, unless ``conf.py`` chose one."""
    if app.builder.format == "html" and not adapters.set_in_conf(app.config, "ogp_image") and app.config.ogp_site_url:
        app.config.ogp_image = SOCIAL_CARD


def _write_social_card(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.config.ogp_image != SOCIAL_CARD:
        return
    target = Path(app.outdir, SOCIAL_CARD)
    target.parent.mkdir(parents=True, exist_ok=True)
    press = press_config.get(app.config)
    extra = [str(Path(app.confdir, p)) for p in press.pdf_font_paths]
    target.write_bytes(render("png", "card", ppi=96, font_paths=extra, **book_meta(app.config)))


def setup(app: Sphinx) -> dict[str, Any]:
    """The social card for HTML builds (the PDF and EPUB builders call :func:`render` themselves)."""
    app.connect("builder-inited", _social_card_config)
    app.connect("build-finished", _write_social_card)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
