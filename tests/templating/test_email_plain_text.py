"""Tests for writing parsed email markdown as plain text."""

from app.templating.email_markdown import parse_markdown
from app.templating.email_plain_text import render_plain_text


def plain_text_for(markdown: str) -> str:
    return render_plain_text(parse_markdown(markdown))


def test_paragraphs_are_separated_by_a_blank_line():
    assert plain_text_for("One\nTwo\n\n\n\nThree") == "One\nTwo\n\nThree"


def test_a_heading_is_underlined():
    assert plain_text_for("# Title\nText") == "Title\n-----\n\nText"


def test_a_horizontal_rule_is_a_line_of_equals_signs():
    assert plain_text_for("---") == "=" * 65


def test_bullet_lists_use_bullets():
    assert plain_text_for("* one\n- two\n  more") == "• one\n• two\n  more"


def test_numbered_lists_are_numbered_from_one():
    assert plain_text_for("3. one\n7. two") == "1. one\n2. two"


def test_inset_text_is_a_plain_paragraph():
    assert plain_text_for("^ Keep this safe") == "Keep this safe"


def test_a_markdown_link_shows_its_text_and_address():
    assert plain_text_for("Please [apply online](https://example.com/apply).") == (
        "Please apply online: https://example.com/apply."
    )


def test_a_bare_address_is_shown_as_written():
    assert plain_text_for("Visit www.example.com") == "Visit www.example.com"


def test_escaped_characters_are_shown_without_their_backslash():
    assert plain_text_for(r"User, \[click here\]\(\)") == "User, [click here]()"
