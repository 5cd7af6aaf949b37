"""Every renderer takes time in proportion to its input, for inputs written as attacks on backtracking and rescanning.

Measured as growth (8 times the input may take at most about 8 times as long), never as seconds, so a slow or busy
machine does not fail these tests; a quadratic renderer (64 times as long) always does.
"""

from __future__ import annotations

import pytest

from app.templating.email import render_email, render_email_subject
from app.templating.email_markdown import parse_inline, parse_markdown
from app.templating.placeholders import find_placeholders, missing_placeholders
from app.templating.sanitise import sanitise_personalisation, sanitise_text
from app.templating.sms import render_sms
from app.templating.urls import find_urls, trim_trailing_punctuation
from tests.linear_time import assert_linear

ATTACKS = {
    "closing parentheses after a link": lambda n: "https://example.com/" + ")" * n,
    "closing parentheses after a bare domain": lambda n: "see example.com/(" + ")" * n,
    "closing square brackets after a link": lambda n: "https://example.com/" + "]" * n,
    "punctuation after a link": lambda n: "https://example.com/x" + ".,;:!?')]" * n,
    "opening square brackets": lambda n: "[" * n,
    "unclosed link text": lambda n: "[" + "a" * n,
    "escaped brackets in link text": lambda n: "[" + "\\[" * n,
    "unclosed link targets": lambda n: "[a](b" * n,
    "link target without its parenthesis": lambda n: "[a](" + "b" * n,
    "backslash escapes": lambda n: "\\*" * n,
    "asterisks": lambda n: "*" * n,
    "underscores": lambda n: "_" * n,
    "spaced underscores": lambda n: "_ " * n,
    "almost a horizontal rule": lambda n: "- " * n + "x",
    "almost a heading": lambda n: "#" * n + "x",
    "almost a list item": lambda n: " " * n + "*",
    "opening double parentheses": lambda n: "((" * n,
    "unclosed placeholders": lambda n: "((a" * n,
    "unclosed conditional placeholders": lambda n: "((a??" * n,
    "nested parentheses": lambda n: "(" * n + "a" + ")" * n,
    "whitespace": lambda n: " " * n + "x",
    "blank lines": lambda n: "\n" * n + "x",
    "carriage returns": lambda n: "\r" * n + "x",
    "mixed whitespace": lambda n: " \t\u00a0\u2003\n" * n,
    "dotted labels ending in an at sign": lambda n: "a." * n + "@",
    "dotted labels ending in a dot": lambda n: " a" + ".a" * n + ".",
    "hyphenated word": lambda n: "a-" * n,
    "underscore labels": lambda n: "_." * n,
    "many addresses": lambda n: "a.com " * n,
    "an address with a long path": lambda n: "https://a.com/" + "a(" * n,
    "email-like runs": lambda n: "a@b." * n,
    "zero-width characters": lambda n: "\u200b" * n,
}

LINK_AND_MARKDOWN_ATTACKS = [
    name
    for name in ATTACKS
    if any(word in name for word in ("link", "bracket", "parenthes", "address", "label", "escape", "punctuation"))
]
WHITESPACE_AND_PLACEHOLDER_ATTACKS = [
    name for name in ATTACKS if any(word in name for word in ("space", "line", "return", "placeholder", "zero"))
]


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_rendering_an_email_takes_linear_time_on_attacks(attack):
    """The whole email: placeholders filled, markdown parsed (blocks, links, escapes), HTML and plain text written."""
    assert_linear(lambda text: render_email("subject", text, {"a": "value"}), ATTACKS[attack])


@pytest.mark.parametrize("attack", LINK_AND_MARKDOWN_ATTACKS)
def test_an_attack_in_personalisation_takes_linear_time_to_render(attack):
    assert_linear(lambda value: render_email("((a))", "Hello ((a)) ((b))", {"a": value, "b": [value]}), ATTACKS[attack])


@pytest.mark.parametrize("attack", WHITESPACE_AND_PLACEHOLDER_ATTACKS)
def test_rendering_an_sms_takes_linear_time_on_attacks(attack):
    assert_linear(lambda text: render_sms(text, {"a": "value"}, prefix="Service"), ATTACKS[attack])


@pytest.mark.parametrize("attack", WHITESPACE_AND_PLACEHOLDER_ATTACKS)
def test_rendering_a_subject_takes_linear_time_on_attacks(attack):
    assert_linear(lambda text: render_email_subject(text, {"a": "value"}), ATTACKS[attack])


@pytest.mark.parametrize("attack", LINK_AND_MARKDOWN_ATTACKS)
def test_sanitising_takes_linear_time_on_attacks(attack):
    assert_linear(sanitise_text, ATTACKS[attack])


@pytest.mark.parametrize(
    "attack",
    [
        "opening square brackets",
        "unclosed link targets",
        "opening double parentheses",
        "closing parentheses after a link",
    ],
)
@pytest.mark.parametrize(
    "function",
    [parse_markdown, parse_inline, find_placeholders, lambda text: list(find_urls(text))],
    ids=["markdown", "inline markdown", "placeholders", "links"],
)
def test_the_parts_take_linear_time_on_attacks(function, attack):
    assert_linear(function, ATTACKS[attack])


def test_sanitising_personalisation_takes_linear_time():
    assert_linear(
        lambda value: sanitise_personalisation({"a": value, "b": [value]}, ["a", "b"]),
        ATTACKS["closing parentheses after a link"],
    )


def test_many_placeholders_take_linear_time_to_check():
    assert_linear(
        lambda text: missing_placeholders(text, {"a1": "x"}), lambda n: "".join(f"((a{i}))" for i in range(n))
    )


def test_trimming_a_link_followed_by_closing_brackets_takes_linear_time():
    assert_linear(trim_trailing_punctuation, lambda n: "https://example.com/" + ")]" * n)


def test_the_preview_attack_of_the_issue_now_renders_in_linear_time():
    """150,000 `)` after a link took 12 s of API CPU: each trimmed bracket counted the whole address again."""
    assert_linear(lambda text: render_email("s", text, {}), lambda n: "https://www.gov.uk/x" + ")" * n)


def test_trimming_keeps_balanced_brackets_and_drops_unbalanced_ones():
    assert [trim_trailing_punctuation(url) for url in ("a.com/(x))).", "a.com/[x]]", "a.com/x)", "a.com/(x)")] == [
        "a.com/(x)",
        "a.com/[x]",
        "a.com/x",
        "a.com/(x)",
    ]


def test_a_link_followed_by_many_closing_parentheses_keeps_them_as_text():
    line = parse_inline("https://a.com/x" + ")" * 1000)

    assert [type(piece).__name__ for piece in line] == ["Link", "Text"]
    assert (line[0].href, line[1].text) == ("https://a.com/x", ")" * 1000)


def test_many_escapes_merge_into_one_text_piece():
    assert parse_inline("\\*" * 1000 + "x") == (parse_inline("*" * 1000 + "x")[0],)
