"""Tests for finding web addresses in text."""

import pytest

from app.templating.urls import find_urls, has_scheme, trim_trailing_punctuation


def urls_in(text: str) -> list[str]:
    return [text[start:end] for start, end in find_urls(text)]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("Visit https://www.gov.uk/help now", ["https://www.gov.uk/help"]),
        ("Visit http://example.com", ["http://example.com"]),
        ("Visit example.com", ["example.com"]),
        ("Visit sub.example.co.uk/path?x=1#top", ["sub.example.co.uk/path?x=1#top"]),
        ("Visit my-site.example.museum", ["my-site.example.museum"]),
        ("a.io and b.com", ["a.io", "b.com"]),
    ],
    ids=["https-with-path", "http", "bare-domain", "path-query-fragment", "hyphen-and-long-tld", "two"],
)
def test_find_urls_finds_web_addresses(text, urls):
    assert urls_in(text) == urls


@pytest.mark.parametrize(
    "text",
    [
        "ada@example.com",
        "first.last@example.com",
        "Mr. Smith",
        "version 1.2.3",
        "a.b",
        "file.x1",
    ],
    ids=["email", "dotted-email", "abbreviation", "version-number", "one-letter-tld", "digit-in-tld"],
)
def test_find_urls_ignores_things_that_are_not_addresses(text):
    assert urls_in(text) == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("See example.com/page.", "example.com/page"),
        ("See example.com/page, then", "example.com/page"),
        ("(see example.com/page)", "example.com/page"),
        ("See example.com/wiki/A_(B)", "example.com/wiki/A_(B)"),
        ("See [example.com/page]", "example.com/page"),
    ],
    ids=["full-stop", "comma", "closing-bracket", "balanced-brackets", "square-brackets"],
)
def test_find_urls_leaves_out_trailing_punctuation(text, url):
    assert urls_in(text) == [url]


def test_find_urls_treats_two_words_joined_by_a_full_stop_as_an_address():
    assert urls_in("end of sentence.Next") == ["sentence.Next"]


def test_trim_trailing_punctuation_can_trim_to_nothing():
    assert trim_trailing_punctuation(".,)") == ""


@pytest.mark.parametrize(("url", "expected"), [("https://a.com", True), ("HTTP://a.com", True), ("a.com", False)])
def test_has_scheme(url, expected):
    assert has_scheme(url) is expected
