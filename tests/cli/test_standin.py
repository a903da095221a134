"""The Slack stand-in's per-channel rate limit, as the flood bench uses it."""

from __future__ import annotations

from cli.standin import SlackStandIn


def test_no_limit_by_default() -> None:
    standin = SlackStandIn()
    answers = [standin.handle("chat.postMessage", {"channel": "C1"}, "t") for _ in range(20)]
    assert {status for status, _, _ in answers} == {200}


def test_posts_above_the_rate_get_429_with_retry_after_per_channel() -> None:
    standin = SlackStandIn(rate_limit=1.0, rate_burst=2.0)
    answers = [standin.handle("chat.postMessage", {"channel": "C1"}, "t") for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 200, 429]
    assert answers[2][1] == {"Retry-After": "1"}
    assert answers[2][2] == {"ok": False, "error": "ratelimited"}
    assert [c.status for c in standin.calls] == [200, 200, 429]
    # another channel has its own budget; edits are not posts
    assert standin.handle("chat.postMessage", {"channel": "C2"}, "t")[0] == 200
    assert standin.handle("chat.update", {"channel": "C1", "ts": "1"}, "t")[0] == 200
