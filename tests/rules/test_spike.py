"""The spike detector: warm-up, baseline, threshold and cooldown, with the clock passed in."""

from __future__ import annotations

import json

from rules.playbook import SpikeSettings
from rules.spike import SpikeState, SpikeStatus, check, count_traffic, observe

SETTINGS = SpikeSettings(
    window_minutes=5,
    half_life_minutes=60,
    warmup_minutes=30,
    warmup_events=10,
    min_count=6,
    ratio=4.0,
    overwhelming_count=30,
    cooldown_minutes=10,
)


def _steady(state: SpikeState, minutes: range, per_minute: int = 1) -> None:
    for minute in minutes:
        observe(state, SETTINGS, minute, per_minute)


def test_a_cold_topic_does_not_spike_below_the_overwhelming_count() -> None:
    state = SpikeState()
    status = observe(state, SETTINGS, 0, 20)
    assert not status.warm and not status.in_spike


def test_a_cold_topic_spikes_when_the_count_is_overwhelming() -> None:
    state = SpikeState()
    status = observe(state, SETTINGS, 0, 30)
    assert status.in_spike and status.opened_now


def test_a_warm_topic_spikes_at_many_times_its_baseline() -> None:
    state = SpikeState()
    _steady(state, range(0, 120, 4))  # one complaint every four minutes
    calm = check(state, SETTINGS, 120)
    assert calm.warm and not calm.in_spike
    status = observe(state, SETTINGS, 121, 8)
    assert status.in_spike and status.opened_now and status.count >= 8


def test_a_busy_topic_needs_more_than_its_usual_volume() -> None:
    state = SpikeState()
    _steady(state, range(0, 180), per_minute=3)  # three a minute, all day long
    status = observe(state, SETTINGS, 180, 3)
    assert status.warm and not status.in_spike


def test_a_spike_closes_after_its_cooldown_and_not_before() -> None:
    state = SpikeState()
    observe(state, SETTINGS, 0, 30)
    assert check(state, SETTINGS, 8).in_spike
    assert not check(state, SETTINGS, 11).in_spike


def test_state_survives_a_round_trip_through_json_types() -> None:
    state = SpikeState()
    _steady(state, range(0, 40, 2))
    again = SpikeState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state and again.recent


# against the rest of the traffic -------------------------------------------------------------
def _both(topic: SpikeState, overall: SpikeState, minute: int, count: int) -> SpikeStatus:
    """`count` complaints on the topic, counted into all the traffic too, as the engine does."""
    count_traffic(overall, SETTINGS, minute, count)
    return observe(topic, SETTINGS, minute, count, overall=overall)


def test_an_ordinary_topic_swept_up_in_a_flood_on_another_is_no_spike_even_cold() -> None:
    delivery, overall = SpikeState(), SpikeState()
    count_traffic(overall, SETTINGS, 0, 5000)  # a flood of outage complaints, on a fresh install

    status = _both(delivery, overall, 0, 144)

    assert not status.in_spike  # 144 is far past the overwhelming count, but under 1% of all


def test_a_flood_that_is_most_of_the_traffic_spikes_cold() -> None:
    outage, overall = SpikeState(), SpikeState()
    count_traffic(overall, SETTINGS, 0, 200)  # the ordinary mix

    status = _both(outage, overall, 0, 2000)

    assert status.in_spike and status.opened_now and not status.warm


def test_a_warm_topic_that_grows_only_as_much_as_everything_else_is_no_spike() -> None:
    billing, overall = SpikeState(), SpikeState()
    for minute in range(0, 120):
        count_traffic(overall, SETTINGS, minute, 10)  # ten complaints a minute in all ...
        if minute % 4 == 0:
            _both(billing, overall, minute, 1)  # ... one on billing every four minutes
    assert check(billing, SETTINGS, 120).warm

    for minute in range(121, 124):
        count_traffic(overall, SETTINGS, minute, 100)  # a big day: everything ten times busier
        status = _both(billing, overall, minute, 3)

    assert not status.in_spike


def test_a_warm_topic_that_jumps_while_the_rest_stays_calm_spikes() -> None:
    billing, overall = SpikeState(), SpikeState()
    for minute in range(0, 120):
        count_traffic(overall, SETTINGS, minute, 10)
        if minute % 4 == 0:
            _both(billing, overall, minute, 1)

    status = _both(billing, overall, 121, 8)

    assert status.in_spike and status.warm


def test_a_topic_that_is_always_a_big_share_is_no_spike_on_a_fresh_install() -> None:
    delivery, overall = SpikeState(), SpikeState()
    count_traffic(overall, SETTINGS, 0, 60)  # the ordinary mix: delivery is 40% of it

    status = _both(delivery, overall, 0, 40)

    assert not status.in_spike
