"""Tests for writing parsed email markdown as HTML."""

import re

import pytest

from app.templating.email_html import href_for, render_html_blocks, render_html_document
from app.templating.email_markdown import parse_markdown


def html_for(markdown: str) -> str:
    return render_html_blocks(parse_markdown(markdown))


def without_attributes(html: str) -> str:
    return re.sub(r"<(\w+)[^>]*>", r"<\1>", html)


def test_paragraphs_keep_their_line_breaks():
    assert without_attributes(html_for("One\nTwo\n\nThree")) == "<p>One<br>Two</p>\n<p>Three</p>"


def test_a_heading_is_an_h2():
    assert without_attributes(html_for("# Title")) == "<h2>Title</h2>"


def test_a_horizontal_rule_is_an_hr():
    assert without_attributes(html_for("---")) == "<hr>"


def test_a_bullet_list_is_a_ul():
    assert without_attributes(html_for("* a\n* b")) == "<ul><li>a</li><li>b</li></ul>"


def test_a_numbered_list_is_an_ol():
    assert without_attributes(html_for("1. a\n2. b")) == "<ol><li>a</li><li>b</li></ol>"


def test_inset_text_is_a_blockquote():
    assert without_attributes(html_for("^ Note")) == "<blockquote><p>Note</p></blockquote>"


def test_a_link_has_its_address_and_text():
    assert re.search(r'<a [^>]*href="https://example.com/a">here</a>', html_for("[here](https://example.com/a)"))


def test_text_is_html_escaped():
    assert html_for("<script>alert('x')</script> & co") == (
        '<p style="margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0b0c0c;">'
        "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co</p>"
    )


def test_ampersands_in_addresses_are_escaped_in_the_attribute():
    assert 'href="https://example.com/?a=1&amp;b=2"' in html_for("https://example.com/?a=1&b=2")


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ('https://example.com/"onmouseover="x', "https://example.com/%22onmouseover=%22x"),
        ("https://example.com/<b>", "https://example.com/%3Cb%3E"),
        ("https://example.com/caf\u00e9", "https://example.com/caf%C3%A9"),
        ("https://example.com/a%20b?q=1#top", "https://example.com/a%20b?q=1#top"),
    ],
    ids=["double-quote", "angle-brackets", "non-ascii", "already-encoded"],
)
def test_href_for_percent_encodes_characters_that_cannot_appear_raw(url, href):
    assert href_for(url) == href


def test_the_document_is_self_contained():
    document = render_html_document(parse_markdown("Hello https://example.com"), title="Subject")

    assert re.findall(r"<(\w+)", document) == ["html", "head", "meta", "meta", "title", "body", "div", "p", "a"]


def test_the_document_title_is_the_escaped_subject():
    document = render_html_document([], title="Tom & <Jerry>")

    assert "<title>Tom &amp; &lt;Jerry&gt;</title>" in document
