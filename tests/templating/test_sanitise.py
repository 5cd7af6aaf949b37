"""Tests for sanitising personalisation listed in `sanitise_content_for`."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.templating.sanitise import (
    escape_markdown,
    remove_urls,
    sanitise_personalisation,
    sanitise_text,
)
from app.templating.urls import find_urls


def test_a_markdown_link_loses_its_address_and_its_brackets_are_escaped():
    assert sanitise_text("User, [click here](https://evil.link)") == r"User, \[click here\]\(\)"


def test_the_hyphens_of_a_uuid_are_escaped():
    assert sanitise_text("0f7e1d32-8a4b-4c5d-9e6f-7a8b9c0d1e2f") == r"0f7e1d32\-8a4b\-4c5d\-9e6f\-7a8b9c0d1e2f"


def test_each_markdown_character_is_escaped():
    assert escape_markdown("`*_()\\{}[]<>#+-.!|") == "\\`\\*\\_\\(\\)\\\\\\{\\}\\[\\]\\<\\>\\#\\+\\-\\.\\!\\|"


def test_other_characters_are_not_escaped():
    assert escape_markdown("Hello, world: 50% & £5 ^ ~ @ ? = / ' \"") == "Hello, world: 50% & £5 ^ ~ @ ? = / ' \""


@pytest.mark.parametrize(
    ("text", "without_urls"),
    [
        ("go to evil.com now", "go to evil. com now"),
        ("go to www.evil.co.uk now", "go to www. evil. co. uk now"),
        ("go to evil.com/login now", "go to  now"),
        ("go to https://evil.com now", "go to  now"),
        ("go to http://evil.com/x?y=1 now", "go to  now"),
        ("go to evil.com/login.", "go to ."),
    ],
    ids=["bare-domain", "bare-subdomains", "domain-with-path", "https", "http-with-query", "trailing-full-stop"],
)
def test_remove_urls_defangs_bare_domains_and_deletes_other_addresses(text, without_urls):
    assert remove_urls(text) == without_urls


def test_a_bare_domain_is_defanged_then_escaped():
    assert sanitise_text("evil.com") == r"evil\. com"


def test_email_addresses_are_kept_and_escaped():
    assert sanitise_text("first.last@example.com") == r"first\.last@example\.com"


def test_sanitise_personalisation_only_changes_listed_keys():
    personalisation = {"name": "a-b", "reference": "c-d"}

    sanitised, _ = sanitise_personalisation(personalisation, ["name"])

    assert sanitised == {"name": r"a\-b", "reference": "c-d"}


def test_sanitise_personalisation_matches_keys_case_insensitively():
    sanitised, _ = sanitise_personalisation({"First Name": "a.b"}, ["FIRST_NAME"])

    assert sanitised == {"First Name": r"a\.b"}


def test_sanitise_personalisation_reports_changed_values():
    _, sanitised_content = sanitise_personalisation({"name": "User, [click here](https://evil.link)"}, ["name"])

    assert sanitised_content == {
        "name": {"unsanitised": "User, [click here](https://evil.link)", "sanitised": r"User, \[click here\]\(\)"}
    }


def test_sanitise_personalisation_does_not_report_unchanged_values():
    _, sanitised_content = sanitise_personalisation({"name": "Ada Lovelace"}, ["name"])

    assert sanitised_content == {}


def test_sanitise_personalisation_ignores_listed_keys_that_are_absent():
    assert sanitise_personalisation({"name": "x"}, ["missing"]) == ({"name": "x"}, {})


def test_sanitise_personalisation_sanitises_each_string_in_a_list():
    sanitised, _ = sanitise_personalisation({"items": ["a.b", 3, None]}, ["items"])

    assert sanitised == {"items": [r"a\.b", 3, None]}


def test_sanitise_personalisation_leaves_numbers_and_none_alone():
    assert sanitise_personalisation({"n": 1.5, "x": None}, ["n", "x"]) == ({"n": 1.5, "x": None}, {})


def test_sanitise_personalisation_does_not_modify_its_input():
    personalisation = {"name": "a-b"}

    sanitise_personalisation(personalisation, ["name"])

    assert personalisation == {"name": "a-b"}


def test_sanitise_personalisation_accepts_no_personalisation():
    assert sanitise_personalisation(None, ["name"]) == ({}, {})


@given(text=st.text())
def test_sanitised_text_contains_no_web_address(text):
    assert list(find_urls(sanitise_text(text))) == []


@given(text=st.text())
def test_unescaping_sanitised_text_gives_back_the_text_without_addresses(text):
    sanitised = sanitise_text(text)

    assert re.sub(r"\\(.)", r"\1", sanitised, flags=re.DOTALL) == remove_urls(text)


@given(text=st.text(alphabet="ab.-_[]()*#\\ "))
def test_every_markdown_character_in_sanitised_text_is_escaped(text):
    sanitised = sanitise_text(text)

    assert re.search(r"(?<!\\)(?:\\\\)*[`*_()\[\]{}<>#+.!|-]", sanitised) is None
