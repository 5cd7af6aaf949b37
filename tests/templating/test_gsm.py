"""Tests for the GSM-7 alphabet, lookalike downgrading and unit counting."""

import pytest

from app.templating.gsm import (
    GSM_EXTENSION_CHARACTERS,
    count_encoded_units,
    downgrade_lookalikes,
    is_gsm_encodable,
    non_gsm_characters,
)


@pytest.mark.parametrize(
    ("original", "downgraded"),
    [
        ("‘quoted’", "'quoted'"),
        ("“quoted”", '"quoted"'),
        ("a – b — c", "a - b - c"),
        ("wait…", "wait..."),
        ("no\u00a0break", "no break"),
        ("tab\there", "tab here"),
        ("zero\u200bwidth", "zerowidth"),
    ],
    ids=["single-quotes", "double-quotes", "dashes", "ellipsis", "no-break-space", "tab", "zero-width-space"],
)
def test_downgrade_lookalikes_replaces_lookalikes_with_gsm_characters(original, downgraded):
    assert downgrade_lookalikes(original) == downgraded


def test_downgrade_lookalikes_leaves_other_characters_alone():
    assert downgrade_lookalikes("Ŵales 😀 café") == "Ŵales 😀 café"


def test_every_printable_ascii_character_except_backtick_is_gsm():
    printable_ascii = "".join(chr(code) for code in range(32, 127))

    assert non_gsm_characters(printable_ascii) == {"`"}


@pytest.mark.parametrize("text", ["£5 @ 10% é ñ Ä ¿ Δ", "line\nbreak", "€ [x] {y} ~ | ^ \\"], ids=str)
def test_is_gsm_encodable_accepts_gsm_characters(text):
    assert is_gsm_encodable(text)


@pytest.mark.parametrize("text", ["Ŵ", "á", "😀", "’"], ids=["w-circumflex", "a-acute", "emoji", "curly-quote"])
def test_is_gsm_encodable_refuses_other_characters(text):
    assert not is_gsm_encodable(text)


def test_the_extension_table_is_the_documented_set():
    assert set("^{}\\[]~|€\f") == GSM_EXTENSION_CHARACTERS


def test_count_encoded_units_counts_extension_characters_twice_in_gsm():
    assert count_encoded_units("a^{}\\[]~|€\f", is_unicode=False) == 1 + 10 * 2


def test_count_encoded_units_counts_extension_characters_once_in_unicode():
    assert count_encoded_units("a^€", is_unicode=True) == 3


def test_count_encoded_units_counts_characters_outside_the_basic_plane_twice_in_unicode():
    assert count_encoded_units("😀a", is_unicode=True) == 3
