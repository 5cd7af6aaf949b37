"""Tests for finding, checking and filling placeholders."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.templating.placeholders import (
    UnrenderableValueError,
    fill_placeholders,
    is_truthy,
    missing_personalisation_message,
    missing_placeholders,
    placeholder_key,
    placeholder_names,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("First Name", "firstname"),
        ("first_name", "firstname"),
        ("FIRST-NAME", "firstname"),
        ("first\tname", "firstname"),
    ],
    ids=["spaces", "underscore", "hyphen-and-case", "tab"],
)
def test_placeholder_key_ignores_case_spaces_underscores_and_hyphens(written, expected):
    assert placeholder_key(written) == expected


def test_placeholder_names_are_in_order_of_first_appearance():
    assert placeholder_names("((b)) then ((a))", "((c)) and ((b))") == ["b", "a", "c"]


def test_placeholder_names_are_deduplicated_case_insensitively_keeping_the_first_spelling():
    assert placeholder_names("((First Name)) ((firstname)) ((FIRST_NAME))") == ["First Name"]


def test_placeholder_names_include_conditional_placeholders_by_name():
    assert placeholder_names("((under18??Ask a parent to sign.)) ((name))") == ["under18", "name"]


def test_placeholder_names_strip_spaces_around_the_name():
    assert placeholder_names("(( name ))") == ["name"]


def test_placeholder_names_ignore_empty_brackets():
    assert placeholder_names("(( )) and (()) and ((-))") == []


def test_placeholder_names_take_the_innermost_double_brackets():
    assert placeholder_names("(((name)))") == ["name"]


def test_missing_placeholders_lists_absent_and_none_values():
    personalisation = {"present": "x", "nothing": None}

    missing = missing_placeholders(["((present)) ((nothing))", "((absent))"], personalisation)

    assert missing == ["nothing", "absent"]


def test_missing_placeholders_treats_an_empty_string_as_given():
    assert missing_placeholders(["((name))"], {"name": ""}) == []


def test_missing_placeholders_matches_names_case_insensitively():
    assert missing_placeholders(["((First Name))"], {"FIRST_NAME": "Ada"}) == []


def test_missing_placeholders_requires_a_value_for_conditional_placeholders():
    assert missing_placeholders(["((vip??Welcome back.))"], {}) == ["vip"]


def test_missing_placeholders_accepts_a_single_string():
    assert missing_placeholders("((a)) ((b))", {"a": 1}) == ["b"]


def test_missing_placeholders_accepts_no_personalisation():
    assert missing_placeholders(["((a))"], None) == ["a"]


def test_missing_personalisation_message_joins_names_with_commas():
    assert missing_personalisation_message(["a", "b"]) == "Missing personalisation: a, b"


def test_fill_placeholders_replaces_names_case_insensitively():
    assert fill_placeholders("Hello ((First Name))", {"first_name": "Ada"}) == "Hello Ada"


def test_fill_placeholders_renders_non_strings_with_str():
    assert fill_placeholders("((count)) ((price)) ((flag))", {"count": 3, "price": 1.5, "flag": True}) == "3 1.5 True"


def test_fill_placeholders_leaves_placeholders_without_values_untouched():
    assert fill_placeholders("((a)) ((b??text))", {"a": None}) == "((a)) ((b??text))"


def test_fill_placeholders_does_not_fill_placeholders_inside_values():
    assert fill_placeholders("((a)) ((b))", {"a": "((b))", "b": "B"}) == "((b)) B"


@pytest.mark.parametrize(
    "value",
    ["yes", "Yes", " YES ", "y", "true", "True", "t", "1", "include", "show", True, 1, ["item"]],
    ids=str,
)
def test_conditional_placeholder_shows_its_text_when_the_value_says_yes(value):
    assert fill_placeholders("A((extra??, B)).", {"extra": value}) == "A, B."


@pytest.mark.parametrize(
    "value",
    ["no", "false", "", "   ", "0", "maybe", False, 0, [], [None, ""]],
    ids=repr,
)
def test_conditional_placeholder_shows_nothing_when_the_value_does_not_say_yes(value):
    assert fill_placeholders("A((extra??, B)).", {"extra": value}) == "A."


def test_conditional_text_may_contain_question_marks():
    assert fill_placeholders("((q??Why??))", {"q": "yes"}) == "Why??"


def test_is_truthy_is_false_for_none():
    assert is_truthy(None) is False


def test_fill_placeholders_renders_a_list_as_an_english_list_by_default():
    assert fill_placeholders("((items))", {"items": ["eggs", "ham", "jam"]}) == "eggs, ham and jam"


def test_fill_placeholders_renders_a_one_item_list_as_the_item():
    assert fill_placeholders("((items))", {"items": ["eggs"]}) == "eggs"


def test_fill_placeholders_drops_none_and_blank_list_items():
    assert fill_placeholders("((items))", {"items": [None, " eggs ", "", "\u200b", 2]}) == "eggs and 2"


def test_fill_placeholders_renders_an_empty_list_as_nothing():
    assert fill_placeholders("[((items))]", {"items": []}) == "[]"


def test_fill_placeholders_renders_a_list_as_markdown_bullets_on_their_own_lines_for_email():
    filled = fill_placeholders("You need:((items))Thanks", {"items": ["a", "b\nc"]}, markdown_lists=True)

    assert filled == "You need:\n\n* a\n* b c\n\nThanks"


def test_fill_placeholders_escapes_html_in_values_when_asked():
    filled = fill_placeholders("<p>((name))</p>", {"name": "<script>alert('x')</script>"}, escape_html=True)

    assert filled == "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</p>"


def test_fill_placeholders_escapes_html_in_each_list_item_when_asked():
    assert fill_placeholders("((l))", {"l": ["<a>", "&"]}, escape_html=True) == "&lt;a&gt; and &amp;"


def test_fill_placeholders_leaves_html_in_values_alone_by_default():
    assert fill_placeholders("((name))", {"name": "<b>"}) == "<b>"


@given(template=st.text(), values=st.dictionaries(st.text(max_size=5), st.text() | st.none() | st.integers()))
def test_fill_placeholders_never_raises(template, values):
    assert isinstance(fill_placeholders(template, values), str)


@given(name=st.from_regex(r"[A-Za-z][A-Za-z _-]{0,10}", fullmatch=True), value=st.text())
def test_a_filled_placeholder_is_never_reported_missing(name, value):
    template = f"Hello (({name}))"

    assert missing_placeholders([template], {name.upper(): value}) == []


@pytest.mark.parametrize("value", [{"file": "JVBERi0="}, {}, [{"a": 1}], [["a"]], ({"a": 1},)])
def test_an_object_is_never_written_as_text(value):
    with pytest.raises(UnrenderableValueError):
        fill_placeholders("Hi ((a))", {"a": value})
