"""Tests for SMS rendering, character counts, fragments and the length limit."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.templating.sms import (
    SMS_CHARACTER_LIMIT,
    RenderedSms,
    character_count,
    fragment_count,
    is_sms_too_long,
    is_unicode,
    normalise_sms_whitespace,
    render_sms,
    sms_too_long_message,
)

WELSH_W = "ŵ"


@pytest.mark.parametrize(
    ("length", "fragments"),
    [
        (1, 1),
        (160, 1),
        (161, 2),
        (306, 2),
        (307, 3),
        (459, 3),
        (460, 4),
        (612, 4),
        (613, 5),
        (765, 5),
        (766, 6),
        (918, 6),
        (919, 7),
    ],
    ids=lambda value: str(value),
)
def test_fragment_count_of_gsm_text(length, fragments):
    assert fragment_count("a" * length) == fragments


@pytest.mark.parametrize(
    ("length", "fragments"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4), (268, 4), (269, 5)],
    ids=lambda value: str(value),
)
def test_fragment_count_of_unicode_text(length, fragments):
    assert fragment_count(WELSH_W * length) == fragments


def test_fragment_count_of_empty_text_is_zero():
    assert fragment_count("") == 0


@pytest.mark.parametrize("character", list("^{}\\[]~|€\f"), ids=repr)
def test_each_extension_character_counts_double(character):
    assert character_count("a" + character) == 3


def test_extension_characters_filling_exactly_160_places_are_one_fragment():
    assert fragment_count("^" * 80) == 1


def test_one_more_place_after_160_extension_places_makes_two_fragments():
    assert fragment_count("^" * 80 + "a") == 2


def test_an_extension_character_as_the_160th_character_makes_two_fragments():
    assert fragment_count("a" * 159 + "€") == 2


def test_154_extension_characters_are_three_fragments():
    assert fragment_count("€" * 154) == 3


def test_extension_characters_count_once_in_a_unicode_message():
    assert fragment_count(WELSH_W + "^" * 69) == 1


def test_emoji_take_two_places_in_a_unicode_message():
    assert (fragment_count("😀" * 35), fragment_count("😀" * 36)) == (1, 2)


def test_curly_quotes_and_dashes_do_not_make_a_message_unicode():
    text = "‘Don’t’ – “now” — " + "a" * 141

    assert (is_unicode(text), fragment_count(text)) == (False, 1)


def test_an_ellipsis_counts_as_three_full_stops():
    assert character_count("…") == 3


def test_one_character_outside_gsm_makes_the_whole_message_unicode():
    assert (is_unicode("a" * 70 + WELSH_W), fragment_count("a" * 70 + WELSH_W)) == (True, 2)


@given(text=st.text(), extra=st.text())
def test_fragment_count_never_drops_when_text_is_added(text, extra):
    assert fragment_count(text) <= fragment_count(text + extra)


@given(text=st.text(alphabet="abc^€", min_size=1))
def test_gsm_fragment_count_is_one_or_ceil_of_places_over_153(text):
    places = character_count(text)

    assert fragment_count(text) == (1 if places <= 160 else -(-places // 153))


def test_normalise_sms_whitespace_collapses_runs_of_spaces_and_strips_lines():
    assert normalise_sms_whitespace("  Hello   there  \n  again\t\tnow ") == "Hello there\nagain now"


def test_normalise_sms_whitespace_keeps_at_most_one_blank_line():
    assert normalise_sms_whitespace("one\n\n\n\n\ntwo\r\n\r\n\r\nthree") == "one\n\ntwo\n\nthree"


def test_normalise_sms_whitespace_removes_zero_width_and_no_break_spaces():
    assert normalise_sms_whitespace("a\u200bb\u00a0 c") == "ab c"


def test_render_sms_fills_placeholders_and_counts():
    rendered = render_sms("Hello ((name)), your code is ((code))", {"NAME": "Ada", "code": 1234})

    assert rendered == RenderedSms(
        body="Hello Ada, your code is 1234", character_count=28, fragment_count=1, is_unicode=False
    )


def test_render_sms_writes_lists_as_an_english_list():
    assert render_sms("Bring ((items)).", {"items": ["a pen", "ID", "a photo"]}).body == "Bring a pen, ID and a photo."


def test_render_sms_shows_conditional_text_only_when_asked():
    template = "Hello.((late?? You are late.))"

    assert (render_sms(template, {"late": "yes"}).body, render_sms(template, {"late": "no"}).body) == (
        "Hello. You are late.",
        "Hello.",
    )


def test_render_sms_tidies_whitespace_left_by_personalisation():
    assert render_sms("((greeting))\n\n\n\n((name))  !", {"greeting": "  Hi  ", "name": "Ada"}).body == "Hi\n\nAda !"


def test_render_sms_sends_lookalike_characters_as_their_gsm_forms():
    assert render_sms("It’s “fine” – really…", {}).body == 'It\'s "fine" - really...'


def test_render_sms_keeps_characters_that_have_no_gsm_form():
    rendered = render_sms("Croeso i Gymru, ((name))", {"name": "Ŵyn"})

    assert (rendered.body, rendered.is_unicode) == ("Croeso i Gymru, Ŵyn", True)


def test_render_sms_puts_the_prefix_in_front():
    assert render_sms("Your code is 1", {}, prefix="  Tax Office ").body == "Tax Office: Your code is 1"


def test_render_sms_ignores_a_blank_prefix():
    assert render_sms("Hi", {}, prefix="  ").body == "Hi"


def test_render_sms_counts_characters_without_the_prefix():
    assert render_sms("a" * 150, {}, prefix="Service").character_count == 150


def test_render_sms_counts_fragments_with_the_prefix():
    without_prefix = render_sms("a" * 155, {})
    with_prefix = render_sms("a" * 155, {}, prefix="Service")

    assert (without_prefix.fragment_count, with_prefix.fragment_count) == (1, 2)


def test_render_sms_with_a_unicode_prefix_is_unicode():
    rendered = render_sms("a" * 60, {}, prefix="Gwasanaeth Ŵ")

    assert (rendered.is_unicode, rendered.character_count, rendered.fragment_count) == (True, 60, 2)


def test_render_sms_counts_extension_characters_double():
    assert render_sms("{x}", {}).character_count == 5


def test_render_sms_leaves_placeholders_without_values():
    assert render_sms("Hi ((name))", {}).body == "Hi ((name))"


@given(values=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text() | st.lists(st.text()) | st.none()))
def test_render_sms_never_raises_on_any_personalisation(values):
    rendered = render_sms("((a)) ((b??maybe)) ((c))", values)

    assert rendered.character_count == character_count(rendered.body)


def test_the_limit_is_918_characters():
    assert SMS_CHARACTER_LIMIT == 918


def test_a_918_character_message_is_not_too_long():
    assert not is_sms_too_long(render_sms("a" * 918, {}).character_count)


def test_a_919_character_message_is_too_long():
    assert is_sms_too_long(render_sms("a" * 919, {}).character_count)


def test_a_prefix_does_not_make_a_918_character_message_too_long():
    assert not is_sms_too_long(render_sms("a" * 918, {}, prefix="Service").character_count)


def test_sms_too_long_message_text():
    assert sms_too_long_message(919) == (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 919 characters long."
    )
