"""Outbound pages: the real client sends PagerDuty Events v2 events to the fake, by incident."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from flare.settings import PagerSettings
from tests.fakes.pager import ROUTING_KEY, FakePager
from workers.pager import Pager, PagerError


def test_a_trigger_opens_one_alert_keyed_by_the_incident(fake_pager: FakePager) -> None:
    pager = Pager(fake_pager.settings())

    pager.trigger(
        "incident-42",
        "Crisis: legal threat, 3 posts in 5 min",
        source="flare",
        details={"topic": "legal", "contact": "Legal counsel"},
        links=[("https://slack.example/archives/C0PR/p1", "The incident card")],
    )

    assert fake_pager.events == [
        {
            "routing_key": ROUTING_KEY,
            "event_action": "trigger",
            "dedup_key": "incident-42",
            "payload": {
                "summary": "Crisis: legal threat, 3 posts in 5 min",
                "source": "flare",
                "severity": "critical",
                "custom_details": {"topic": "legal", "contact": "Legal counsel"},
            },
            "links": [
                {"href": "https://slack.example/archives/C0PR/p1", "text": "The incident card"}
            ],
        }
    ]
    assert fake_pager.alerts == {"incident-42": "triggered"}


def test_acknowledge_and_resolve_follow_the_same_alert(fake_pager: FakePager) -> None:
    pager = Pager(fake_pager.settings())
    pager.trigger("incident-42", "Crisis: outage", source="flare")

    pager.acknowledge("incident-42")
    assert fake_pager.alerts["incident-42"] == "acknowledged"
    pager.resolve("incident-42")

    assert [e["event_action"] for e in fake_pager.events_for("incident-42")] == [
        "trigger",
        "acknowledge",
        "resolve",
    ]
    assert fake_pager.events[-1] == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": "incident-42",
    }
    assert fake_pager.alerts["incident-42"] == "resolved"


def test_a_summary_longer_than_pagerduty_takes_is_cut_to_1024_characters(
    fake_pager: FakePager,
) -> None:
    Pager(fake_pager.settings()).trigger("incident-42", "x" * 5000, source="flare")

    summary = fake_pager.events[0]["payload"]["summary"]
    assert len(summary) == 1024
    assert summary.endswith("…")


def test_a_429_is_worth_retrying(fake_pager: FakePager) -> None:
    fake_pager.fail(429)

    with pytest.raises(PagerError) as exc:
        Pager(fake_pager.settings()).trigger("incident-42", "Crisis", source="flare")

    assert (exc.value.status, exc.value.retryable) == (429, True)
    assert fake_pager.events == []


def test_a_server_error_is_worth_retrying(fake_pager: FakePager) -> None:
    fake_pager.fail(500)

    with pytest.raises(PagerError) as exc:
        Pager(fake_pager.settings()).acknowledge("incident-42")

    assert (exc.value.status, exc.value.retryable) == (500, True)


def test_a_400_is_not_worth_retrying_and_says_what_pagerduty_refused(
    fake_pager: FakePager,
) -> None:
    wrong_key = PagerSettings(events_url=fake_pager.events_url, routing_key=SecretStr("wrong"))

    with pytest.raises(PagerError) as exc:
        Pager(wrong_key).trigger("incident-42", "Crisis", source="flare")

    assert (exc.value.status, exc.value.retryable) == (400, False)
    assert "Invalid routing key" in str(exc.value)
    assert "wrong" not in str(exc.value)


def test_no_answer_at_all_is_worth_retrying(fake_pager: FakePager) -> None:
    url = fake_pager.events_url
    fake_pager.stop()

    with pytest.raises(PagerError) as exc:
        Pager(PagerSettings(events_url=url, routing_key=SecretStr(ROUTING_KEY))).resolve("i-1")

    assert (exc.value.status, exc.value.retryable) == (None, True)


def test_without_an_events_url_the_pager_is_off_and_sends_nothing(fake_pager: FakePager) -> None:
    pager = Pager(PagerSettings())

    pager.trigger("incident-42", "Crisis", source="flare")
    pager.resolve("incident-42")

    assert not pager.enabled
    assert Pager(fake_pager.settings()).enabled
    assert fake_pager.events == []


def test_a_severity_pagerduty_does_not_know_is_a_mistake_in_the_caller(
    fake_pager: FakePager,
) -> None:
    with pytest.raises(ValueError, match="severity"):
        Pager(fake_pager.settings()).trigger("incident-42", "Crisis", source="f", severity="high")
    assert fake_pager.events == []
