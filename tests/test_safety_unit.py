"""The output-safety layer without a book (fast tier): URL schemes, the raw-HTML sanitiser,
styles, MathML and the Content-Security-Policy (issue 21)."""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from press.mathml import convert
from press.sanitize import clean_style, sanitise, safe_url, url_scheme
from press.web.csp import policy, with_policy


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:x", "java&#x09;script:x",
    "java\nscript:x", "&#106;avascript:x", "javascript&colon;x", "\x01javascript:x", "vbscript:x",
    "data:text/html,<script>x</script>", "java&#x0A;script:x", "&#x6A;&#x61;vascript:x",
])
def test_script_urls_are_refused(url):
    assert not safe_url(url) and not safe_url(url, image=True)


@pytest.mark.parametrize("url", ["https://example.org/", "/a/b.html#c", "#top", "page.html", "mailto:a@b.c", "//cdn.example/x", "?q=1"])
def test_ordinary_urls_pass(url):
    assert safe_url(url)


def test_data_images_only_for_images():
    assert safe_url("data:image/png;base64,AAAA", image=True) and not safe_url("data:image/png;base64,AAAA")
    assert url_scheme("HTTPS://x") == "https" and url_scheme("a/b") is None


def test_styles_keep_only_the_allowed_properties():
    kept, gone = clean_style("position:fixed; top:0; color:red; width:100%; background:url(x); margin:-100px; font-weight:bold")
    assert kept == "color:red;width:100%;font-weight:bold"
    assert set(gone) == {"position", "top", "background", "margin"}


def test_fragments_keep_their_structure_and_lose_actives():
    assert sanitise("<details>\n<summary>More</summary>\n") == ("<details>\n<summary>More</summary>\n", [])
    assert sanitise("</details>") == ("</details>", [])
    out, gone = sanitise('<a href="java&#x09;script:alert(1)">x</a> <a href="https://e.org/">y</a>')
    assert out == '<a>x</a> <a href="https://e.org/">y</a>' and gone
    out, gone = sanitise('<svg viewBox="0 0 1 1" onload="x()"><path d="M0 0"/></svg>')
    assert 'viewBox="0 0 1 1"' in out and "onload" not in out and gone == ["onload= on <svg>"]
    assert sanitise("<script>a</script>b<style>p{}</style>") == ("b", ["<script>", "<style>"])
    assert sanitise("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>ok")[0] == "ok"


PIECES = st.sampled_from([
    "<a href=\"", "javascript:alert(1)", "java&#x09;script:", "\">", "</a>", "<img src=x ", "onerror=alert(1)", ">",
    "<svg", "\t", "onload=alert(1)", "/>", "<script>", "</script>", "<div style=\"", "position:fixed", "\"", "'",
    "<iframe src=", "<math>", "<style>", "&lt;", "&#x3C;", "<!--", "-->", "<![CDATA[", "]]>", "<b>", "</b>", "text ",
    "<noscript>", "</noscript>", "<textarea>", "</textarea>", "<p title=", "<object data=", "<embed src=",
])


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(PIECES, min_size=1, max_size=14).map("".join))
def test_nothing_active_survives(markup):
    out, _gone = sanitise(markup)
    root = lxml_html.fragment_fromstring(out or " ", create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in ("script", "iframe", "object", "embed", "style", "math"), (markup, out)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (markup, out)
            if name.lower() in ("href", "src"):
                assert safe_url(value, image=True), (markup, out)
            if name.lower() == "style":
                assert "position" not in value, (markup, out)


def test_math_text_is_escaped_and_math_is_well_formed():
    out = convert("\\text{<svg\tonload=alert(1)/>} a<b \\href{javascript:alert(1)}{x}", display=False)
    root = etree.fromstring(out)
    assert [e for e in root.iter() if etree.QName(e).localname == "svg"] == []
    assert all(not a.startswith("on") and a != "href" for e in root.iter() for a in e.attrib)
    assert "&lt;svg" in out
    with pytest.raises(ValueError):
        convert("\\nosuchcommand x", display=False)


def test_policy_hashes_only_the_themes_inline_code():
    theme = "<script>DOCUMENTATION_OPTIONS.pagename = 'guide/page';</script>"
    injected = "<script>alert(1)</script>"
    page = f'<html><head><meta charset="utf-8" />{theme}</head><body>{injected}<button onclick="window.print()"></button><img onerror="alert(1)"></body></html>'
    text = policy(page)
    import base64
    import hashlib

    def sha(s: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    assert sha("DOCUMENTATION_OPTIONS.pagename = 'guide/page';") in text
    assert sha("alert(1)") not in text and sha("window.print()") in text and "'unsafe-hashes'" in text
    assert "'unsafe-inline'" not in text.split("style-src")[0] and "object-src 'none'" in text
    once = with_policy(page)
    assert once.count("Content-Security-Policy") == 1 and with_policy(once) == once
    assert once.index("Content-Security-Policy") < once.index("<script>")
