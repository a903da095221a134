"""Routes: a card goes to the channel of its priority or topic, the first route written wins,
PR risks keep PR's channel and the rest the alerts channel; a bad route fails at start-up."""

from __future__ import annotations

import pytest

from flare.routes import Route, channel_for, parse_routes
from flare.settings import SettingsError, load_settings
from rules.decision import Action, Decision, Priority

ROUTES = parse_routes("P1=C0URGENT, billing=C0BILLING")


def routed(
    action: Action = Action.RESPOND, priority: Priority = Priority.P3, **extra: object
) -> str:
    decided = Decision(mention_id="1", action=action, priority=priority, **extra)  # type: ignore[arg-type]
    return channel_for(decided, ROUTES, alerts="C0ALERTS", pr="C0PR")


def test_routes_are_read_in_the_order_written_with_priorities_in_capitals() -> None:
    assert parse_routes("p2=C2,Billing=C0BILL") == (Route("P2", "C2"), Route("billing", "C0BILL"))
    assert parse_routes({"P1": "C1"}) == (Route("P1", "C1"),)
    assert parse_routes("") == ()


def test_a_card_goes_to_the_channel_of_its_priority() -> None:
    assert routed(Action.PRIORITY, Priority.P1) == "C0URGENT"


def test_a_card_goes_to_the_channel_of_its_topic() -> None:
    assert routed(topic="billing") == "C0BILLING"


def test_the_first_route_that_takes_a_card_wins() -> None:
    assert routed(Action.PRIORITY, Priority.P1, topic="billing") == "C0URGENT"


def test_a_card_no_route_takes_goes_to_the_alerts_channel() -> None:
    assert routed(topic="delivery") == "C0ALERTS"


def test_pr_risks_and_crises_keep_prs_channel_whatever_the_routes_say() -> None:
    assert routed(Action.ESCALATE_PR, Priority.P1, topic="billing") == "C0PR"
    assert routed(Action.CRISIS, Priority.P1) == "C0PR"


@pytest.mark.parametrize("bad", ["P1", "P1=", "=C1", "P1=C1,P1=C2", "billing=C 1"])
def test_a_route_that_does_not_read_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_routes(bad)


def test_routes_are_set_in_one_variable_and_a_bad_one_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_SLACK__ROUTES", "P1=C0URGENT,billing=C0BILLING")
    assert load_settings().slack.routes == ROUTES

    monkeypatch.setenv("FLARE_SLACK__ROUTES", "P1:C0URGENT")
    with pytest.raises(SettingsError, match="FLARE_SLACK__ROUTES"):
        load_settings()
