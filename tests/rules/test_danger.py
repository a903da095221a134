"""Someone in danger: self-harm or a threat to hurt someone reaches a lead at once (family 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.context import MemoryContext
from rules.danger import DangerReader
from rules.decision import Action, Priority
from rules.engine import Engine
from rules.mention import Author, Mention
from rules.playbook import default_playbook_path, load_playbook, parse_playbook
from rules.templates import render_template
from tests.builders import NOON, SOON, decide


@pytest.mark.parametrize(
    "text",
    [
        "@acme I don't want to live anymore",
        "@acme after what you did I have nothing to live for",
        "@acme I've been thinking about ending my life",
        "@acme honestly everyone would be better off without me",
        "@acme I'm suicidal and nobody at your helpline listens",
        "@acme I don’t see the point in living since the debt",
    ],
)
def test_a_post_about_self_harm_goes_to_a_lead_at_once_with_the_help_template(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert (d.action, d.priority, d.template) == (
        Action.PRIORITY,
        Priority.P1,
        "someone_in_danger",
    )
    assert d.reasons[0].startswith("someone may be in danger: self-harm")
    assert d.review and d.due == NOON + timedelta(minutes=10)


@pytest.mark.parametrize(
    "text",
    [
        "@acme I'm going to come down there and hurt someone",
        "@acme I'll burn down your store if I don't get my money back",
        "@acme I know where your manager lives",
        "@acme i will kill your driver",
    ],
)
def test_a_threat_to_hurt_someone_goes_to_a_lead_at_once(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P1)
    assert d.signals["danger"] == "threat to hurt someone"


@pytest.mark.parametrize(
    "text",
    [
        "@acme I'd rather die than call your line again, my order is two weeks late",
        "@acme this queue is killing me",
        "@acme your new flavour is to die for",
        "@acme I'm dying to try the new menu",
        "@acme that advert was career suicide for your marketing team",
        "@acme I nearly died laughing at your reply",
        "@acme I'll shoot you a DM with the order number",
        "@acme I'll blow up your mentions until someone replies",
        "@acme please end my subscription, it's too expensive",
    ],
)
def test_idioms_that_borrow_the_words_are_not_danger(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert "danger" not in d.signals
    assert d.priority is not Priority.P1


def test_an_idiom_with_a_real_problem_is_a_complaint_not_abuse(engine: Engine) -> None:
    d = decide(engine, "@acme I'd rather die than call your line again, my order is two weeks late")

    assert d.action is Action.RESPOND
    assert d.reasons[0].startswith("complaint: ")
    assert not d.signals["abusive"]


def test_someone_in_danger_is_not_dropped_when_the_post_looks_like_spam(engine: Engine) -> None:
    d = decide(engine, "@acme crypto giveaway scam took everything, I want to die, click here")

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P1)


def test_someone_in_danger_found_days_late_is_still_chased(engine: Engine) -> None:
    d = decide(engine, "@acme I don't want to live anymore", now=NOON + timedelta(days=5))

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P1)
    assert "too_old" not in d.signals and d.late


def test_someone_in_danger_from_a_big_account_stays_p1(engine: Engine) -> None:
    d = decide(engine, "@acme I want to kill myself", followers=2_000_000)

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P1)


def test_the_help_template_points_to_emergency_services_and_a_crisis_line() -> None:
    book = load_playbook()
    m = Mention(
        id="1",
        text="@acme I don't want to live anymore",
        created_at=NOON,
        author=Author(id="u1", username="dana", name="Dana"),
    )
    d = Engine(book, ("acme",)).decide(m, MemoryContext(), SOON)

    text = render_template(book, d.template or "", m, d, signature="AB")

    assert text.startswith("Hi Dana,")
    assert "emergency number" in text and "crisis line" in text


def test_the_reader_names_the_kind_and_the_words() -> None:
    reader = DangerReader()

    found = reader.read("honestly I wish I was dead")

    assert found is not None and found.describe() == 'self-harm ("wish i was dead")'
    assert reader.read("my order is late again") is None


def test_the_playbook_can_add_its_own_phrases() -> None:
    text = (
        default_playbook_path()
        .read_text()
        .replace("  self_harm: []", "  self_harm: [done with everything for good]")
    )
    engine = Engine(parse_playbook(text), ("acme",))

    d = decide(engine, "@acme I am done with everything for good")

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P1)
