"""The in-memory context: what a batch saves is what the next batch loads, once per mention."""

from __future__ import annotations

from datetime import timedelta

from rules.context import AuthorHistory, Changes, MemoryContext, PostEvent, TopicEvent
from rules.playbook import SpikeSettings
from tests.builders import NOON


def _changes() -> Changes:
    c = Changes(spike=SpikeSettings(), keep=timedelta(days=7))
    at = NOON.timestamp()
    c.posts += [PostEvent("u1", "m1", at, True), PostEvent("u1", "m2", at + 60, False)]
    c.topics.append(TopicEvent("outage", "m1", int(at // 60)))
    return c


def test_saved_history_and_topic_counts_load_back() -> None:
    context = MemoryContext()
    context.save(_changes())
    snap = context.load(["u1", "u2"], ["outage"], NOON - timedelta(hours=1))
    assert snap.authors["u1"].posts_between(0, 1e12) == 2
    assert snap.authors["u1"].abuse_between(0, 1e12) == 1
    assert "u2" not in snap.authors
    assert snap.spikes["outage"].events == 1


def test_saving_the_same_batch_twice_counts_it_once() -> None:
    context = MemoryContext()
    context.save(_changes())
    context.save(_changes())
    snap = context.load(["u1"], ["outage"], NOON - timedelta(hours=1))
    assert len(snap.authors["u1"].posts) == 2
    assert snap.spikes["outage"].events == 1


def test_a_loaded_snapshot_is_a_copy() -> None:
    context = MemoryContext()
    context.save(_changes())
    snap = context.load(["u1"], ["outage"], NOON - timedelta(hours=1))
    snap.spikes["outage"].events = 99
    snap.authors["u1"].posts.append(0.0)
    again = context.load(["u1"], ["outage"], NOON - timedelta(hours=1))
    assert again.spikes["outage"].events == 1 and len(again.authors["u1"].posts) == 2


def test_a_stop_request_was_due_before_once_an_earlier_post_made_the_repeat() -> None:
    day = 86400.0
    history = AuthorHistory(abuse=[0.0, day, 2 * day, 3 * day])
    assert not history.stop_due_before(2 * day, 7 * day, 3)  # the third post is the stop
    assert history.stop_due_before(3 * day, 7 * day, 3)  # the fourth comes after it
    assert not history.stop_due_before(30 * day, 7 * day, 3)  # long after: a fresh start
