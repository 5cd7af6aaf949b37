"""filled_size measures a filled template exactly, without filling it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.templating.email import email_body_byte_count, fill_email_body
from app.templating.filled_size import filled_size, utf8_length
from app.templating.placeholders import fill_placeholders
from app.templating.render_bounds import size_problem_before_rendering

VALUES = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers()), max_size=4),
)
TEMPLATES = st.lists(
    st.sampled_from(["((a))", "((b))", "((A ??yes))", "(( b ))", "((c))", "text ", "é😀", "((", "))", "\n"]),
    max_size=12,
).map("".join)


@settings(deadline=None)  # CPU time varies on a shared machine; correctness does not
@given(template=TEMPLATES, values=st.dictionaries(st.sampled_from(["a", "b"]), VALUES))
def test_the_filled_size_is_the_size_of_the_filled_text(template, values):
    assert filled_size(template, values) == len(fill_placeholders(template, values))
    assert filled_size(template, values, measure=utf8_length, markdown_lists=True) == email_body_byte_count(
        fill_email_body(template, values)
    )


def test_a_value_used_many_times_is_measured_not_copied():
    """Filling would build 10^11 characters; measuring returns at once."""
    assert filled_size("((a))" * 100_000, {"a": "x" * 1_000_000}) == 100_000_000_000


def test_the_email_limit_is_checked_on_the_filled_body_before_filling():
    assert size_problem_before_rendering("email", "((a))" * 3, "s", {"a": "é" * 400_000}) == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2400000 bytes."
    )
    assert size_problem_before_rendering("email", "((a))" * 2, "s", {"a": "é" * 500_000}) is None


def test_the_subject_is_bounded_too():
    assert size_problem_before_rendering("email", "body", "((a))" * 3, {"a": "x" * 700_000}) == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2100000 bytes."
    )


def test_a_text_message_is_bounded_before_its_whitespace_is_tidied():
    assert size_problem_before_rendering("sms", "((a))" * 2, None, {"a": " " * 50_000 + "x"}) == (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 100002 characters long."
    )
    assert size_problem_before_rendering("sms", "((a))", None, {"a": " " * 99_999 + "x"}) is None
