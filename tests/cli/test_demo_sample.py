"""The bundled demo sample, triaged with the shipped playbook, shows every kind of decision."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

from rules.context import MemoryContext
from rules.decision import Action
from rules.engine import Engine
from rules.mention import Mention
from rules.playbook import load_playbook

SAMPLE = Path(__file__).resolve().parents[2] / "cli" / "samples" / "demo.jsonl"


def _decide() -> tuple[list[Mention], list]:  # type: ignore[type-arg]
    mentions = [
        Mention.model_validate(json.loads(line)) for line in SAMPLE.read_text().splitlines()
    ]
    now = max(m.created_at for m in mentions) + timedelta(minutes=1)
    engine = Engine(load_playbook(), brand_handles=("acme", "acmehelp"))
    return mentions, engine.decide_many(mentions, MemoryContext(), now)


def test_the_sample_is_about_a_hundred_mentions_for_acme() -> None:
    mentions, _ = _decide()
    assert 80 <= len(mentions) <= 120
    assert len({m.id for m in mentions}) == len(mentions)


def test_every_action_appears_at_least_once() -> None:
    _, decisions = _decide()
    seen = Counter(d.action for d in decisions)
    assert set(seen) == set(Action)


def test_there_is_a_crisis_on_one_topic_and_one_incident() -> None:
    _, decisions = _decide()
    crisis = [d for d in decisions if d.action is Action.CRISIS]
    assert {d.topic for d in crisis} == {"outage"}
    assert sum(1 for d in crisis if d.spike_opened) == 1


def test_only_the_missed_mention_is_late_and_it_gets_the_late_template() -> None:
    _, decisions = _decide()
    late = [d for d in decisions if d.late]
    assert len(late) == 1 and late[0].template == "late_reply"


def test_the_sample_has_personal_data_non_english_and_an_old_mention() -> None:
    mentions, decisions = _decide()
    assert any(d.signals.get("personal_data") for d in decisions)
    assert any(m.lang not in (None, "en") for m in mentions)
    assert any(d.signals.get("too_old") for d in decisions)


def test_the_sample_shows_a_controversial_post_a_press_threat_and_a_reported_troll() -> None:
    _, decisions = _decide()
    assert any(d.template == "considered" and d.signals["controversial"] for d in decisions)
    assert any(d.action is Action.ESCALATE_PR and d.topic == "media" for d in decisions)
    harassment = [d for d in decisions if d.action is Action.HARASSMENT]
    assert [d.signals["report"] for d in harassment] == [False, True]


def test_the_sample_shows_a_fast_vip_thanks_a_mixed_praise_and_a_week_old_complaint() -> None:
    _, decisions = _decide()
    assert any(
        d.action is Action.THANK and d.priority and d.priority.value == "P2" for d in decisions
    )
    assert any(d.action is Action.THANK and "small complaint" in d.reasons[0] for d in decisions)
    assert any(d.signals.get("looking_back") for d in decisions)
