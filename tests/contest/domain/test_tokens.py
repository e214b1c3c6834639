"""Links' tokens (contest.domain.tokens): one place turns a token's failure
into the caller's message, with a code the views can tell apart."""

from __future__ import annotations

import pytest

from contest.domain.errors import DomainError
from contest.domain.tokens import make_token, read_link

WORDS = {"expired": "Too old, ask again.", "invalid": "Not a link of ours."}


def test_a_good_token_gives_its_payload(app):
    with app.app_context():
        assert read_link("demo", make_token("demo", {"u": 7}), 60, **WORDS) == {"u": 7}


@pytest.mark.parametrize(
    ("token", "purpose", "max_age", "code"),
    [
        ("good", "demo", -1, "expired"),  # older than allowed
        ("good", "other", 60, "invalid"),  # made for another purpose
        ("tampered", "demo", 60, "invalid"),
        ("not a token", "demo", 60, "invalid"),
    ],
)
def test_a_failing_token_raises_the_callers_words(app, token, purpose, max_age, code):
    with app.app_context():
        good = make_token("demo", {"u": 7})
        text = {"good": good, "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB")}.get(token, token)
        with pytest.raises(DomainError) as caught:
            read_link(purpose, text, max_age, **WORDS)
    assert caught.value.code == code
    assert caught.value.message == WORDS[code]


def test_a_payload_that_is_not_a_mapping_is_invalid(app):
    with app.app_context():
        with pytest.raises(DomainError) as caught:
            read_link("demo", make_token("demo", [1, 2]), 60, **WORDS)
    assert caught.value.code == "invalid"
