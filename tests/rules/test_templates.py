"""Reply templates filled in for a person to adapt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.context import MemoryContext
from rules.engine import Engine
from rules.playbook import load_playbook
from rules.templates import render_template
from tests.builders import NOON, decision, mention


def test_the_late_reply_names_the_delay_the_person_and_the_signature() -> None:
    book = load_playbook()
    m = mention(text="@acme my parcel never arrived", username="dana")
    d = Engine(book, ("acme",)).decide(m, MemoryContext(), NOON + timedelta(hours=5))
    text = render_template(book, d.template or "", m, d, signature="JS")
    assert text.startswith("Hi Dana, I'm sorry it took us 5 hours")
    assert text.endswith("^JS")


def test_an_unknown_template_key_is_a_key_error() -> None:
    book = load_playbook()
    m = mention()
    d = Engine(book).decide(m, MemoryContext(), NOON)
    with pytest.raises(KeyError):
        render_template(book, "nope", m, d)


def test_a_decision_that_does_not_know_the_posts_age_apologises_for_a_while() -> None:
    book = load_playbook()
    m = mention(text="@acme my parcel never arrived", username="dana")
    d = decision(m, template="late_reply")
    assert render_template(book, "late_reply", m, d).startswith(
        "Hi Dana, I'm sorry it took us a while"
    )
