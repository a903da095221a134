"""Spike detector per topic: counts per minute against a learned baseline and the rest of the
traffic, warm-up, cooldown."""

# State and clock are passed in (minutes since the epoch, or any integer bucket index), so the
# same code runs in the workers over Redis and over a file in memory.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.playbook import SpikeSettings

ALL_TOPICS = "*"  # the state every complaint with a topic is also counted into


@dataclass
class SpikeState:
    first: int | None = None  # first bucket observed
    latest: int | None = None  # newest bucket observed
    events: int = 0  # events observed in all
    warm_from: int | None = None  # bucket where `warmup_events` was reached
    learned_to: int | None = None  # newest bucket folded into the baseline
    level: float = 0.0  # EWMA of events per bucket (bias-corrected by `weight`)
    weight: float = 0.0
    recent: dict[int, int] = field(default_factory=dict)  # bucket → count, inside the window
    since: int | None = None  # bucket the open spike started, None when calm
    last_hot: int | None = None
    opened: int = 0  # spikes opened so far

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["recent"] = {str(k): v for k, v in self.recent.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpikeState:
        state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        state.recent = {int(k): int(v) for k, v in (data.get("recent") or {}).items()}
        return state

    def copy(self) -> SpikeState:
        return SpikeState.from_dict(self.to_dict())


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class SpikeStatus:
    in_spike: bool
    opened_now: bool
    count: int  # events in the window
    expected: float  # what the baseline expects in the window
    warm: bool

    def describe(self, topic: str, window_minutes: int) -> str:
        usual = f"usual {self.expected:.1f}" if self.warm else "no baseline yet"
        return f"{self.count} complaints on {topic} in {window_minutes} min ({usual})"

    def as_signal(self) -> dict[str, Any]:
        return {
            "in_spike": self.in_spike,
            "opened": self.opened_now,
            "count": self.count,
            "expected": round(self.expected, 2),
            "warm": self.warm,
        }


def state_of(states: dict[str, SpikeState], topic: str) -> SpikeState:
    """The topic's state in `states`, added empty the first time it is asked for."""
    state = states.get(topic)
    if state is None:
        state = states[topic] = SpikeState()
    return state


def _decay(settings: SpikeSettings) -> float:
    return float(0.5 ** (1.0 / settings.half_life_minutes))


def _learn_zeros(state: SpikeState, buckets: int, d: float) -> None:
    if buckets > 0:
        factor = d**buckets
        state.level *= factor
        state.weight = state.weight * factor + (1.0 - factor)


def _advance(state: SpikeState, settings: SpikeSettings, bucket: int) -> None:
    """Fold the buckets that left the window into the baseline (not while a spike is open)."""
    start = bucket - settings.window_minutes + 1
    gone = [k for k in state.recent if k < start]  # usually none: the same minute as before
    if not gone and (state.learned_to is None or state.learned_to >= start - 1):
        return
    d = _decay(settings)
    for old in sorted(gone):
        count = state.recent.pop(old)
        if state.learned_to is not None:
            _learn_zeros(state, old - state.learned_to - 1, d)
        if state.since is None:
            state.level = d * state.level + (1.0 - d) * count
            state.weight = d * state.weight + (1.0 - d)
        state.learned_to = old
    if state.learned_to is not None and state.learned_to < start - 1:
        if state.since is None:
            _learn_zeros(state, start - 1 - state.learned_to, d)
        state.learned_to = start - 1


def _window(state: SpikeState, settings: SpikeSettings, bucket: int) -> tuple[int, float]:
    """The state's count in the window ending at `bucket`, and what its baseline expects there."""
    count = sum(v for k, v in state.recent.items() if k > bucket - settings.window_minutes)
    rate = state.level / state.weight if state.weight > 0 else 0.0
    return count, rate * settings.window_minutes


def _warm(state: SpikeState, settings: SpikeSettings, bucket: int) -> bool:
    return state.warm_from is not None and bucket - state.warm_from >= settings.warmup_minutes


def _evaluate(
    state: SpikeState, settings: SpikeSettings, bucket: int, overall: SpikeState | None = None
) -> SpikeStatus:
    """Is the topic hot? A topic's count must stand out from the rest of the traffic as well as
    from its own baseline: when everything is busier (a flood on another topic, a big day),
    the ordinary topics grow with it and are not spikes.

    - Overwhelming: at least `overwhelming_count` in the window, and at least
      `overwhelming_share` of every complaint counted there; `cold_share` while the topic has
      no usual level yet (on a fresh install a big topic is a large share of normal traffic:
      only a true flood, most of all complaints, may page).
    - Warm: at least `min_count`, and `ratio` times the topic's baseline, times how much the
      rest of the traffic has grown over its own baseline when it has one.
    """
    count, expected = _window(state, settings, bucket)
    warm = _warm(state, settings, bucket)
    total, growth = count, 1.0
    if overall is not None:
        total, usual_total = _window(overall, settings, bucket)
        rest, usual_rest = total - count, usual_total - expected
        if _warm(overall, settings, bucket) and usual_rest > 0:
            growth = max(1.0, rest / usual_rest)
    share = (
        settings.overwhelming_share
        if warm
        else max(settings.overwhelming_share, settings.cold_share)
    )
    overwhelming = count >= settings.overwhelming_count and count >= share * max(total, count)
    hot = overwhelming or (
        warm and count >= settings.min_count and count >= settings.ratio * expected * growth
    )
    opened = False
    if hot:
        if state.since is None:
            state.since = bucket
            state.opened += 1
            opened = True
        state.last_hot = bucket
    elif (
        state.since is not None
        and bucket - (bucket if state.last_hot is None else state.last_hot)
        >= settings.cooldown_minutes
    ):
        state.since = None
    return SpikeStatus(state.since is not None, opened, count, expected, warm)


def _count(state: SpikeState, settings: SpikeSettings, bucket: int, count: int) -> int:
    """Count `count` events at `bucket` into the state; returns the state's newest bucket."""
    now = bucket if state.latest is None else max(bucket, state.latest)
    if state.first is None:
        state.first = bucket
        if state.learned_to is None:
            state.learned_to = bucket - 1
    _advance(state, settings, now)
    if bucket > now - settings.window_minutes:
        state.recent[bucket] = state.recent.get(bucket, 0) + count
    state.latest = now
    state.events += count
    if state.warm_from is None and state.events >= settings.warmup_events:
        state.warm_from = now
    return now


def observe(
    state: SpikeState,
    settings: SpikeSettings,
    bucket: int,
    count: int = 1,
    overall: SpikeState | None = None,
) -> SpikeStatus:
    """Count `count` events at `bucket` into the topic's state and say where it stands, against
    `overall` (all the traffic, counted with `count_traffic`) when given."""
    return _evaluate(state, settings, _count(state, settings, bucket, count), overall)


def count_traffic(state: SpikeState, settings: SpikeSettings, bucket: int, count: int = 1) -> None:
    """Count complaints into the state of all the traffic, which is never a spike itself: its
    baseline keeps learning whatever happens, so topics are weighed against a true usual."""
    _count(state, settings, bucket, count)


def check(state: SpikeState, settings: SpikeSettings, bucket: int) -> SpikeStatus:
    """Where the topic stands at `bucket` with no new event (closes a spike after its cooldown)."""
    if state.latest is None:
        return SpikeStatus(False, False, 0, 0.0, False)
    now = max(bucket, state.latest)
    _advance(state, settings, now)
    state.latest = now
    return _evaluate(state, settings, now)
