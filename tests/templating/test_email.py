"""Tests for rendering an email template: subject, HTML, plain text, body and the size limit."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.templating.email import (
    EMAIL_BODY_BYTE_LIMIT,
    email_body_byte_count,
    email_too_long_message,
    is_email_too_long,
    render_email,
    render_email_subject,
)
from app.templating.sanitise import sanitise_personalisation

ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "body", "div"),
    *("p", "br", "h2", "hr", "ul", "ol", "li", "blockquote", "a"),
}
VALUES = st.text() | st.lists(st.text()) | st.none() | st.integers()


def test_render_email_fills_the_subject_and_body():
    rendered = render_email("Hello ((name))", "Dear ((name))", {"name": "Ada"})

    assert (rendered.subject, rendered.plain_text) == ("Hello Ada", "Dear Ada")


def test_the_subject_is_one_line_with_single_spaces():
    assert render_email_subject("  Your  ((thing))\n is\tready \u200b ", {"thing": "car\r\ntax"}) == (
        "Your car tax is ready"
    )


def test_the_body_is_the_filled_markdown():
    assert render_email("s", "# Hi ((name))\n\n* ((item))", {"name": "Ada", "item": "x"}).body == "# Hi Ada\n\n* x"


def test_a_list_value_becomes_a_bulleted_list():
    rendered = render_email("s", "You need:((items))Thanks", {"items": ["a pen", "a photo"]})

    assert rendered.plain_text == "You need:\n\n• a pen\n• a photo\n\nThanks"


def test_a_conditional_placeholder_adds_its_text_when_asked():
    assert render_email("s", "Hello.((late??\n\n^ You are late.))", {"late": "yes"}).plain_text == (
        "Hello.\n\nYou are late."
    )


def test_a_conditional_placeholder_adds_nothing_when_not_asked():
    assert render_email("s", "Hello.((late??\n\n^ You are late.))", {"late": "no"}).plain_text == "Hello."


def test_personalisation_cannot_add_html():
    rendered = render_email("s", "Hi ((name))", {"name": '<img src="x" onerror="alert(1)">'})

    assert '&lt;img src="x" onerror="alert(1)"&gt;' in rendered.html


def test_the_subject_is_escaped_in_the_html_title():
    assert "<title>&lt;b&gt;Hi&lt;/b&gt;</title>" in render_email("((s))", "body", {"s": "<b>Hi</b>"}).html


def test_the_templates_own_html_is_escaped_too():
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_email("s", "<b>bold</b>", {}).html


def test_sanitised_personalisation_shows_as_literal_text():
    personalisation, _ = sanitise_personalisation({"name": "User, [click here](https://evil.link)"}, ["name"])

    rendered = render_email("s", "Hello ((name))", personalisation)

    assert (rendered.body, rendered.plain_text, "<a " in rendered.html) == (
        r"Hello User, \[click here\]\(\)",
        "Hello User, [click here]()",
        False,
    )


def test_unsanitised_personalisation_may_use_markdown_as_in_notify():
    rendered = render_email("s", "Hello ((name))", {"name": "[click](https://example.com)"})

    assert 'href="https://example.com"' in rendered.html


@settings(deadline=None)  # CPU time varies on a shared machine; correctness does not
@given(values=st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUES))
def test_render_email_never_raises_and_personalisation_never_adds_tags(values):
    template = "# ((a))\n\n((b))\n\n* ((c))\n\n^ ((a??yes))\n\n[link](https://x.com/((b)))"

    rendered = render_email("((a)) ((b))", template, values)

    assert set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", rendered.html)) <= ALLOWED_TAGS


def test_email_body_byte_count_counts_utf8_bytes():
    assert email_body_byte_count("a£€😀") == 1 + 2 + 3 + 4


def test_rendered_email_knows_its_body_byte_count():
    assert render_email("s", "((x))", {"x": "é" * 10}).body_byte_count == 20


def test_the_email_body_limit_is_two_million_bytes():
    assert EMAIL_BODY_BYTE_LIMIT == 2_000_000


def test_a_body_of_exactly_the_limit_is_not_too_long():
    assert not is_email_too_long(2_000_000)


def test_a_body_one_byte_over_the_limit_is_too_long():
    assert is_email_too_long(2_000_001)


def test_email_too_long_message_text():
    assert email_too_long_message(2_000_001) == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2000001 bytes."
    )
