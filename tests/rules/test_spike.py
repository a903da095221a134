"""The spike detector: warm-up, baseline, threshold and cooldown, with the clock passed in."""

from __future__ import annotations

import json

from rules.playbook import SpikeSettings
from rules.spike import SpikeState, check, observe

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
