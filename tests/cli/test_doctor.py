"""`flare doctor` checks each setting against the real clients pointed at the stand-in Slack and
the fake X, and says what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr

from cli.doctor import Finding, Mark, examine
from cli.standin import SlackStandIn
from flare import problems
from flare.queues import all_queues
from flare.settings import Settings
from tests.cli.test_main import flare
from tests.fakes.x_api import FakeX, fake_x
from workers.failures import FlareWorker

__all__ = ["fake_x"]


@pytest.fixture
def ready(
    settings: Settings, fake_slack: SlackStandIn, fake_x: FakeX, redis_client: redis.Redis
) -> Iterator[Settings]:
    """An install where all is well: both channels there with the app in them, X with user
    context, a worker serving every queue."""
    fake_slack.add_channel("C0ALERTS", "social-care")
    fake_slack.add_channel("C0PR", "pr-escalations")
    worker = FlareWorker(all_queues(redis_client), connection=redis_client)
    worker.register_birth()
    slack = settings.slack.model_copy(update={"leads": ("U0LEAD",)})
    yield settings.model_copy(update={"x": fake_x.settings(), "slack": slack})
    worker.register_death()


def findings(settings: Settings, client: redis.Redis) -> list[Finding]:
    return list(examine(settings, client))


def wrong(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.mark is Mark.WRONG]


def test_an_install_where_all_is_well_has_nothing_wrong(
    ready: Settings, redis_client: redis.Redis
) -> None:
    found = findings(ready, redis_client)

    assert wrong(found) == []
    said = "\n".join(f.what for f in found)
    assert "Slack: signed in as @flare in Flare demo" in said
    assert "X: signed in as @acme, access read-write-directmessages" in said
    assert f"Redis at {ready.redis_url}: reachable, AOF on" in said
    assert "Workers: every queue is served" in said


def test_a_private_channel_the_app_is_not_in_is_named_with_the_invite_to_send(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    fake_slack.add_channel("C0PR", "pr-escalations", member=False, private=True)

    [problem] = wrong(findings(ready, redis_client))

    assert problem.what == "Slack: the app is not in C0PR (FLARE_SLACK__PR_CHANNEL)"
    assert problem.fix.startswith("invite the app to C0PR")


def test_a_public_channel_the_app_is_not_in_is_a_warning_with_the_invite(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    fake_slack.add_channel("C0PR", "pr-escalations", member=False)

    found = findings(ready, redis_client)

    assert wrong(found) == []
    [warned] = [f for f in found if f.mark is Mark.WARN and "C0PR" in f.what]
    assert "may be posted twice" in warned.what and warned.fix.startswith("invite the app")


def test_a_channel_by_name_is_found_among_the_channels_the_app_can_list(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    named = ready.slack.model_copy(update={"alerts_channel": "#social-care"})
    missing = ready.slack.model_copy(update={"alerts_channel": "#social-kare"})

    assert wrong(findings(ready.model_copy(update={"slack": named}), redis_client)) == []
    [problem] = wrong(findings(ready.model_copy(update={"slack": missing}), redis_client))
    assert "channel_not_found" in problem.what and "FLARE_SLACK__ALERTS_CHANNEL" in problem.fix


def test_a_bot_token_slack_refuses_says_to_copy_it_again(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    fake_slack.fail("auth.test", error="invalid_auth")

    [problem] = wrong(findings(ready, redis_client))

    assert problem.what == "Slack: the bot token is refused (invalid_auth)"
    assert "Bot User OAuth Token" in problem.fix


def test_an_app_token_is_tried_as_socket_mode_would(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    slack = ready.slack.model_copy(update={"app_token": SecretStr("xapp-1-A-1")})
    with_socket = ready.model_copy(update={"slack": slack})
    fake_slack.fail("apps.connections.open", error="invalid_auth")

    [problem] = wrong(findings(with_socket, redis_client))

    assert problem.what == "Slack Socket Mode: the app token is refused (invalid_auth)"
    assert [c.token for c in fake_slack.calls_to("apps.connections.open")] == ["xapp-1-A-1"]


def test_x_tokens_that_may_only_read_are_told_to_get_write_access(
    ready: Settings, redis_client: redis.Redis, fake_x: FakeX
) -> None:
    fake_x.access_level = "read"

    [problem] = wrong(findings(ready, redis_client))

    assert problem.what == "X: @acme's access is read: no replies"
    assert "Read and write and Direct messages" in problem.fix


def test_x_credentials_x_refuses_are_a_problem(
    ready: Settings, redis_client: redis.Redis, fake_x: FakeX
) -> None:
    fake_x.fail("GET /2/users/me", status=401, body={"title": "Unauthorized", "status": 401})

    [problem] = wrong(findings(ready, redis_client))

    assert problem.what.startswith("X: the credentials are refused")


def test_what_slack_refused_the_workers_is_listed_until_the_channel_is_seen_fixed(
    ready: Settings, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    advice = "invite the app to C0PR (/invite @Flare in the channel)"
    problems.record(redis_client, "not_in_channel", "C0PR", advice, datetime.now(UTC))
    fake_slack.add_channel("C0PR", "pr-escalations", member=False, private=True)

    before = wrong(findings(ready, redis_client))
    fake_slack.add_channel("C0PR", "pr-escalations", member=True)  # the app is invited
    after = wrong(findings(ready, redis_client))

    assert any("Slack refused the workers 1 time(s)" in p.what for p in before)
    assert after == [] and problems.known(redis_client) == []


def test_a_redis_without_its_append_only_file_is_a_problem(
    ready: Settings, redis_client: redis.Redis
) -> None:
    redis_client.config_set("appendonly", "no")
    try:
        [problem] = wrong(findings(ready, redis_client))
    finally:
        redis_client.config_set("appendonly", "yes")

    assert "AOF is off" in problem.what and "appendonly yes" in problem.fix


def test_queues_no_worker_serves_are_named(ready: Settings, redis_client: redis.Redis) -> None:
    for worker in FlareWorker.all(connection=redis_client):
        worker.register_death()

    [problem] = wrong(findings(ready, redis_client))

    assert problem.what.startswith("Workers: nobody serves page")
    assert "flare worker" in problem.fix


def test_flare_doctor_prints_what_to_fix_and_exits_1_when_something_is_wrong(
    tmp_path: Path,
) -> None:
    result = flare("doctor", env={"FLARE_DATA_DIR": str(tmp_path / "data")})

    assert result.returncode == 1, result.stderr
    assert "✗ Workers: nobody serves page" in result.stdout
    assert "→ start `flare worker`" in result.stdout
    assert "Reply and DM on X as the brand: nobody" in result.stdout
    assert "Traceback" not in result.stderr
