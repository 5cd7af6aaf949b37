"""Tests for parsing Notify-flavoured email markdown."""

import pytest

from app.templating.email_markdown import (
    Heading,
    HorizontalRule,
    InsetText,
    Link,
    ListBlock,
    Paragraph,
    Text,
    parse_inline,
    parse_markdown,
)


def line(text):
    return (Text(text),)


def test_empty_markdown_has_no_blocks():
    assert parse_markdown("  \n\n ") == []


def test_blank_lines_separate_paragraphs():
    assert parse_markdown("One\n\n\n\nTwo") == [Paragraph((line("One"),)), Paragraph((line("Two"),))]


def test_a_single_line_break_stays_inside_the_paragraph():
    assert parse_markdown("One\r\n  Two  ") == [Paragraph((line("One"), line("Two")))]


def test_one_hash_and_a_space_make_a_heading():
    assert parse_markdown("# Your appointment\nDetails") == [
        Heading(line("Your appointment")),
        Paragraph((line("Details"),)),
    ]


def test_two_hashes_make_an_ordinary_paragraph():
    assert parse_markdown("## Smaller") == [Paragraph((line("Smaller"),))]


def test_a_hash_without_a_space_is_not_a_heading():
    assert parse_markdown("#hashtag") == [Paragraph((line("#hashtag"),))]


def test_a_heading_without_text_is_dropped():
    assert parse_markdown("#\nText") == [Paragraph((line("Text"),))]


@pytest.mark.parametrize("marker", ["*", "-", "•"], ids=["asterisk", "hyphen", "bullet"])
def test_bullet_lists(marker):
    assert parse_markdown(f"{marker} one\n{marker} two") == [ListBlock(False, ((line("one"),), (line("two"),)))]


def test_numbered_lists():
    assert parse_markdown("1. one\n2. two") == [ListBlock(True, ((line("one"),), (line("two"),)))]


def test_a_marker_without_a_space_is_not_a_list_item():
    assert parse_markdown("-5 degrees\n1.5 million") == [Paragraph((line("-5 degrees"), line("1.5 million")))]


def test_blank_lines_between_items_keep_one_list():
    assert parse_markdown("* one\n\n* two") == [ListBlock(False, ((line("one"),), (line("two"),)))]


def test_a_line_under_an_item_continues_the_item():
    assert parse_markdown("* one\n  more") == [ListBlock(False, ((line("one"), line("more")),))]


def test_a_paragraph_after_a_blank_line_ends_the_list():
    assert parse_markdown("* one\n\nAfter") == [ListBlock(False, ((line("one"),),)), Paragraph((line("After"),))]


def test_a_list_may_follow_a_paragraph_line_directly():
    assert parse_markdown("You need:\n* a pen") == [
        Paragraph((line("You need:"),)),
        ListBlock(False, ((line("a pen"),),)),
    ]


def test_switching_from_bullets_to_numbers_starts_a_new_list():
    assert parse_markdown("* a\n1. b") == [ListBlock(False, ((line("a"),),)), ListBlock(True, ((line("b"),),))]


@pytest.mark.parametrize("rule", ["---", "***", "___", "* * *", "-----"], ids=str)
def test_horizontal_rules(rule):
    assert parse_markdown(f"Above\n{rule}\nBelow") == [
        Paragraph((line("Above"),)),
        HorizontalRule(),
        Paragraph((line("Below"),)),
    ]


def test_a_caret_starts_inset_text_that_runs_to_a_blank_line():
    assert parse_markdown("^ Keep this\nsafe\n\nAfter") == [
        InsetText((line("Keep this"), line("safe"))),
        Paragraph((line("After"),)),
    ]


def test_a_caret_line_after_a_paragraph_starts_inset_text():
    assert parse_markdown("Text\n^Inset") == [Paragraph((line("Text"),)), InsetText((line("Inset"),))]


def test_a_markdown_link_becomes_a_link():
    assert parse_inline("Go [here](https://example.com/a) now") == (
        Text("Go "),
        Link("here", "https://example.com/a"),
        Text(" now"),
    )


def test_a_markdown_link_to_a_bare_domain_gets_https():
    assert parse_inline("[here](example.com)") == (Link("here", "https://example.com"),)


def test_a_mailto_link_is_a_link():
    assert parse_inline("[Email us](mailto:help@example.com)") == (Link("Email us", "mailto:help@example.com"),)


@pytest.mark.parametrize(
    "markdown",
    ["[x](javascript:alert)", "[x](data:text/html,hi)", "[x](/relative/path)", "[x](vbscript:msgbox)"],
    ids=["javascript", "data", "relative", "vbscript"],
)
def test_a_markdown_link_to_anything_else_stays_text(markdown):
    assert parse_inline(markdown) == (Text(markdown),)


def test_a_markdown_link_without_text_shows_its_address():
    assert parse_inline("[](https://example.com)") == (Link("https://example.com", "https://example.com"),)


def test_a_bare_web_address_becomes_a_link_that_shows_it_as_written():
    assert parse_inline("See www.gov.uk/tax.") == (
        Text("See "),
        Link("www.gov.uk/tax", "https://www.gov.uk/tax", is_autolink=True),
        Text("."),
    )


def test_an_address_with_a_scheme_keeps_it():
    assert parse_inline("http://example.com") == (Link("http://example.com", "http://example.com", is_autolink=True),)


def test_gov_uk_on_its_own_is_not_a_link():
    assert parse_inline("Visit GOV.UK today") == (Text("Visit GOV.UK today"),)


def test_an_email_address_is_not_a_link():
    assert parse_inline("Write to ada@my-site.example.com") == (Text("Write to ada@my-site.example.com"),)


def test_backslash_escapes_make_punctuation_literal():
    assert parse_inline(r"\[click here\]\(\) \# \* \\ \a") == (Text(r"[click here]() # * \ \a"),)


def test_an_escaped_dot_stops_an_address_being_linked():
    assert parse_inline(r"evil\.com") == (Text("evil.com"),)


def test_emphasis_and_html_stay_as_written():
    assert parse_inline("*not bold* _nor italic_ <b>nor html</b> `nor code`") == (
        Text("*not bold* _nor italic_ <b>nor html</b> `nor code`"),
    )
