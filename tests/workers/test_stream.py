"""The X stream: rules from settings, X's back-off numbers, lines to triage, alerts."""

from __future__ import annotations

import pytest
import redis
from prometheus_client import REGISTRY

from flare import keys
from flare.dlq import DeadLetters
from flare.redis_server import EmbeddedRedis
from tests.fakes.x_api import FakeX
from tests.waiting import eventually
from tests.workers.listening import listen_settings, queued
from workers.batcher import Batcher
from workers.intake import Intake
from workers.stream import (
    Backoff,
    BackoffPolicy,
    Failure,
    Rule,
    XStream,
    build_rules,
    diff_rules,
)

X = BackoffPolicy()  # X's own numbers

BUSY = 30.0  # seconds a step may take on a busy machine (the suite runs two at once)


def waits(failures: list[Failure], policy: BackoffPolicy = X) -> list[float]:
    state, out = Backoff(), []
    for failure in failures:
        state = state.after(failure, policy)
        out.append(state.wait)
    return out


def test_rules_cover_the_handles_and_keywords_with_the_exclusions() -> None:
    rules = build_rules(["Acme", "@acmehelp"], ["acme app", "acmepay"], ["is:retweet"])

    assert rules == [
        Rule("(@acme OR @acmehelp) -is:retweet", "flare:mentions"),
        Rule('("acme app" OR acmepay) -is:retweet', "flare:keywords"),
    ]


def test_rules_longer_than_x_allows_are_split() -> None:
    handles = [f"brand{n:03d}" for n in range(40)]

    rules = build_rules(handles, max_length=120)

    assert len(rules) > 1
    assert all(len(r.value) <= 120 for r in rules)
    assert [r.tag for r in rules] == [f"flare:mentions:{n}" for n in range(1, len(rules) + 1)]
    assert sum(r.value.count("@") for r in rules) == 40


def test_the_diff_keeps_what_x_holds_deletes_stale_rules_and_adds_the_rest() -> None:
    wanted = [Rule("@acme", "flare:mentions"), Rule("acmepay", "flare:keywords")]
    held = [
        Rule("@acme", "flare:mentions", id="1"),
        Rule("@oldbrand", "flare:mentions", id="2"),
        Rule("acmepay", "someone else's tag", id="3"),
    ]

    diff = diff_rules(wanted, held)

    assert diff.add == (Rule("acmepay", "flare:keywords"),)
    assert diff.delete == ("2", "3")
    assert diff_rules(wanted, [Rule(r.value, r.tag, id=str(n)) for n, r in enumerate(wanted)]).empty


def test_network_errors_back_off_linearly_from_an_immediate_retry_up_to_16_s() -> None:
    schedule = waits([Failure.NETWORK] * 70)

    assert schedule[:4] == [0.0, 0.25, 0.5, 0.75]
    assert schedule[-1] == 16.0 and max(schedule) == 16.0


def test_http_errors_back_off_exponentially_from_5_s_up_to_320_s() -> None:
    assert waits([Failure.HTTP] * 8) == [5, 10, 20, 40, 80, 160, 320, 320]


def test_a_rate_limit_backs_off_from_60_s() -> None:
    assert waits([Failure.RATE_LIMITED, Failure.RATE_LIMITED, Failure.HTTP]) == [60, 120, 240]


def test_the_maximum_back_off_is_flagged_for_an_alert() -> None:
    state = Backoff()
    for _ in range(6):
        state = state.after(Failure.HTTP, X)
        assert not state.at_max
    assert state.after(Failure.HTTP, X).at_max


@pytest.fixture
def parts(fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis):  # type: ignore[no-untyped-def]
    settings = listen_settings(fake_x, redis_server.url)
    intake = Intake(redis_client)
    batcher = Batcher.for_intake(intake, wait=0.01).start()
    yield settings, intake, batcher
    batcher.close()


def test_rules_already_held_by_x_are_not_added_again_and_stale_ones_go(
    fake_x: FakeX, parts
) -> None:  # type: ignore[no-untyped-def]
    settings, intake, batcher = parts
    fake_x.rules = {
        "1": {"id": "1", "value": "@acme", "tag": "flare:mentions"},
        "2": {"id": "2", "value": "@legacy", "tag": "old"},
    }
    stream = XStream(settings.x, settings.intake, build_rules(["acme"]), intake, batcher)

    diff = stream.sync_rules()

    assert diff.add == () and diff.delete == ("2",)
    assert list(fake_x.rules) == ["1"]
    posts = [r.json() for r in fake_x.requests_to("POST /2/tweets/search/stream/rules")]
    assert posts == [{"delete": {"ids": ["2"]}}]


def test_streamed_posts_reach_triage_and_an_unreadable_line_is_kept(
    fake_x: FakeX, redis_client: redis.Redis, parts
) -> None:  # type: ignore[no-untyped-def]
    settings, intake, batcher = parts
    stream = XStream(settings.x, settings.intake, build_rules(["acme"]), intake, batcher).start()
    try:
        eventually(lambda: fake_x.live_streams == 1)
        post = fake_x.publish("@acme 🔥 my card was charged twice")
        stream.take_line(b'{"data": {"id": "5", "text": "no author or time"}}')
        stream.take_line(b"\xff not json")
        stream.take_line(b"[" * 50_000)  # nested past what Python's parser will follow
        stream.take_line(b'{"data": {"id": "6"}, "includes": {"users": 5}}')
        later = fake_x.publish("@acme still charged twice")  # the stream goes on regardless
        eventually(
            lambda: [m["id"] for m in queued(redis_client)] == [post["id"], later["id"]],
            within=BUSY,
        )
    finally:
        stream.stop()

    request = fake_x.requests_to("GET /2/tweets/search/stream")[0]
    assert "created_at" in request.query["tweet.fields"]
    assert "public_metrics" in request.query["user.fields"]
    assert request.query["expansions"] == "author_id"
    dead = DeadLetters(redis_client).all()
    assert [d.source for d in dead] == ["x_stream"] * 4
    assert "data.created_at" in dead[0].error
    assert dead[1].raw == b"\xff not json"
    assert dead[2].error == "not JSON: nested too deeply"
    assert "includes.users" in dead[3].error


def test_a_stream_refused_again_and_again_alerts_once_at_the_maximum_back_off(
    fake_x: FakeX, parts
) -> None:  # type: ignore[no-untyped-def]
    settings, intake, batcher = parts
    alerts: list[str] = []
    gaps: list[int] = []
    alerts_before = _sample("flare_x_stream_alerts_total")
    fake_x.refuse_streams(503)
    stream = XStream(
        settings.x,
        settings.intake,
        build_rules(["acme"]),
        intake,
        batcher,
        alert=alerts.append,
        on_gap=lambda: gaps.append(1),
    ).start()
    try:
        eventually(lambda: fake_x.stream_refusals >= 8)
        fake_x.allow_streams()
        eventually(lambda: fake_x.live_streams == 1)
    finally:
        stream.stop()

    assert len(alerts) == 1 and "maximum" in alerts[0]
    assert _sample("flare_x_stream_alerts_total") == alerts_before + 1
    assert len(gaps) >= fake_x.stream_refusals  # each failure asks for a backfill


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_stream_gone_silent_past_the_keep_alive_timeout_is_reconnected(
    fake_x: FakeX, redis_server: EmbeddedRedis, parts
) -> None:  # type: ignore[no-untyped-def]
    _, intake, batcher = parts
    settings = listen_settings(fake_x, redis_server.url, stream_keepalive_timeout=0.5)
    gaps: list[int] = []
    stream = XStream(
        settings.x,
        settings.intake,
        build_rules(["acme"]),
        intake,
        batcher,
        on_gap=lambda: gaps.append(1),
    ).start()
    try:
        eventually(lambda: fake_x.live_streams == 1, within=BUSY)
        connected_gaps = len(gaps)
        fake_x.stall_streams()
        eventually(lambda: fake_x.stream_connects == 2 and fake_x.live_streams == 1)
    finally:
        stream.stop()

    assert len(gaps) > connected_gaps  # the silent stretch is backfilled
    state = intake.redis.hgetall(keys.x_stream_state())
    assert b"keep-alive" in state[b"why"]


def test_a_stream_answered_429_backs_off_as_rate_limited_then_reconnects(
    fake_x: FakeX, parts
) -> None:  # type: ignore[no-untyped-def]
    settings, intake, batcher = parts
    limited_before = _sample("flare_x_stream_disconnects_total", failure="rate_limited")
    fake_x.refuse_streams(429)
    stream = XStream(settings.x, settings.intake, build_rules(["acme"]), intake, batcher).start()
    try:
        eventually(lambda: fake_x.stream_refusals >= 2, within=BUSY)
        said = lambda: intake.redis.hget(keys.x_stream_state(), "why") == b"HTTP 429"  # noqa: E731
        eventually(said, within=BUSY)  # why it is out, said before it is let back in
        fake_x.allow_streams()
        eventually(lambda: fake_x.live_streams == 1, within=BUSY)
    finally:
        stream.stop()

    limited = _sample("flare_x_stream_disconnects_total", failure="rate_limited") - limited_before
    assert limited >= 2


def test_a_stream_closed_cleanly_by_x_reconnects(fake_x: FakeX, parts) -> None:  # type: ignore[no-untyped-def]
    settings, intake, batcher = parts
    stream = XStream(settings.x, settings.intake, build_rules(["acme"]), intake, batcher).start()
    try:
        eventually(lambda: fake_x.live_streams == 1)
        fake_x.end_streams()
        eventually(lambda: fake_x.stream_connects == 2 and fake_x.live_streams == 1)
    finally:
        stream.stop()
    assert stream.connections == 2
