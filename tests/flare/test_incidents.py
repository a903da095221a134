"""An incident's state in Redis orders every race: a step that fires after an acknowledgement,
a close or a pass pages nobody, and a retried step is the same step."""

from __future__ import annotations

from datetime import timedelta

import redis

from flare.incidents import Incidents
from rules.crisis import Chain, Contact, Step
from tests.builders import NOON

ANA = Contact(name="Ana", slack="U0ANA")
BEN = Contact(name="Ben", email="ben@example.com")
CHAIN = Chain(
    topic="outage",
    steps=(
        Step(contact=ANA, ack_within=timedelta(seconds=30)),
        Step(contact=BEN, ack_within=timedelta(seconds=30)),
    ),
    repeat=2,
)


def opened(client: redis.Redis) -> tuple[Incidents, str, str]:
    incidents = Incidents(client)
    first = incidents.join("outage", "1001", NOON, CHAIN, cause="a spike of complaints")
    assert first.opened
    return incidents, first.id, first.token


def test_the_first_case_opens_the_incident_and_the_next_joins_it(redis_client: redis.Redis) -> None:
    incidents, incident_id, _ = opened(redis_client)

    again = incidents.join("outage", "1002", NOON, CHAIN)

    assert not again.opened and again.id == incident_id
    incident = incidents.get("outage")
    assert incident is not None and incident.count == 2 and incident.recent == ("1002", "1001")
    assert incident.chain == CHAIN and incident.cause == "a spike of complaints"


def test_the_chain_is_copied_on_opening_so_a_later_plan_changes_no_page_in_flight(
    redis_client: redis.Redis,
) -> None:
    incidents, _, _ = opened(redis_client)
    other = Chain(topic="outage", steps=(Step(contact=BEN, ack_within=timedelta(seconds=5)),))

    incidents.join("outage", "1002", NOON, other)

    assert incidents.get("outage").chain == CHAIN  # type: ignore[union-attr]


def test_a_step_is_sent_once_and_hands_its_successor_a_token(redis_client: redis.Redis) -> None:
    incidents, incident_id, token = opened(redis_client)

    status, successor = incidents.claim_step("outage", incident_id, 0, token)
    assert status == "go" and successor

    assert incidents.claim_step("outage", incident_id, 0, token) == ("resume", successor)
    assert incidents.claim_step("outage", incident_id, 1, successor)[0] == "go"
    assert incidents.claim_step("outage", incident_id, 0, token)[0] == "stale"


def test_a_step_that_fires_after_an_acknowledgement_pages_nobody(redis_client: redis.Redis) -> None:
    incidents, incident_id, token = opened(redis_client)
    _, successor = incidents.claim_step("outage", incident_id, 0, token)

    assert incidents.acknowledge("outage", "U0ANA", NOON) == ("ok", "U0ANA")

    assert incidents.claim_step("outage", incident_id, 1, successor)[0] == "acked"
    assert incidents.acknowledge("outage", "U0BEN", NOON) == ("already", "U0ANA")


def test_a_step_that_fires_after_a_close_pages_nobody(redis_client: redis.Redis) -> None:
    incidents, incident_id, token = opened(redis_client)

    assert incidents.close("outage", "U0LEAD", NOON, "fixed") == ("ok", incident_id)

    assert incidents.claim_step("outage", incident_id, 0, token)[0] == "gone"
    assert incidents.acknowledge("outage", "U0ANA", NOON, incident_id)[0] == "closed"
    assert incidents.get("outage") is None


def test_a_step_of_a_closed_incident_pages_nobody_in_the_next_one(
    redis_client: redis.Redis,
) -> None:
    incidents, incident_id, token = opened(redis_client)
    incidents.close("outage", "U0LEAD", NOON, "fixed")
    later = incidents.join("outage", "2001", NOON + timedelta(hours=1), CHAIN)

    assert later.opened and later.id != incident_id
    assert incidents.claim_step("outage", incident_id, 0, token)[0] == "gone"
    assert incidents.claim_step("outage", later.id, 0, later.token)[0] == "go"


def test_cant_take_it_makes_the_scheduled_step_stale_and_hands_over_the_next(
    redis_client: redis.Redis,
) -> None:
    incidents, incident_id, token = opened(redis_client)
    _, scheduled = incidents.claim_step("outage", incident_id, 0, token)

    status, found, step, now_token = incidents.pass_on("outage")

    assert (status, found, step) == ("ok", incident_id, 1)
    assert incidents.claim_step("outage", incident_id, 1, scheduled)[0] == "stale"
    assert incidents.claim_step("outage", incident_id, 1, now_token)[0] == "go"


def test_cant_take_it_after_an_acknowledgement_changes_nothing(redis_client: redis.Redis) -> None:
    incidents, _, _ = opened(redis_client)
    incidents.acknowledge("outage", "U0ANA", NOON)

    assert incidents.pass_on("outage")[0] == "acked"
