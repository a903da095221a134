"""The Slack app over HTTP: signed clicks claim, release, resolve and reopen; others are refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import redis
import requests

from bot import card, modals
from bot.action_ids import ActionId
from bot.app import slack_routes
from bot.slack_client import SlackClient
from cli import wiring
from cli.standin import SlackStandIn
from cli.worker import run_workers
from flare.case import Case, CaseState
from flare.http import router
from flare.outcome import Field
from flare.settings import Settings
from flare.store import Store
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, picked, post_signed, view_submission
from tests.session import ListenerPool
from workers import runtime

Start = Callable[[frozenset[str]], str]


@pytest.fixture
def pool() -> ListenerPool:
    return ListenerPool()


@pytest.fixture
def start_bot(
    settings: Settings,
    redis_client: redis.Redis,
    serve_wsgi: Callable[[Any], str],
    pool: ListenerPool,
) -> Start:
    """Start the bot (and install the workers' runtime) with these agents; returns its URL."""

    def start(agents: frozenset[str]) -> str:
        slack = settings.slack.model_copy(
            update={
                "agents": tuple(agents),
                "leads": ("U0LEAD",),
                "redraw_gap_ms": 0,
                "send_per_second": 100,  # the budget is tested in tests/workers
            }
        )
        ours = settings.model_copy(update={"slack": slack})
        runtime.install(wiring.build_runtime(ours, redis_client, clock=lambda: NOON))
        app = wiring.build_app_for(ours, redis_client, pool, clock=lambda: NOON)
        return serve_wsgi(router(redis_client, slack_routes(app, SIGNING_SECRET)))

    return start


@pytest.fixture
def bot_url(start_bot: Start) -> str:
    return start_bot(frozenset())


def _case_with_card(client: redis.Redis, slack: SlackStandIn) -> str:
    store = Store(client)
    m = mention()
    store.save(m, decision(m), NOON)
    case = store.get(m.id)
    assert case is not None
    blocks, text = card.render(case, NOON)
    posted = SlackClient("xoxb-test", slack.base_url).post_card("C0ALERTS", blocks, text)
    store.set_card(m.id, posted.channel, posted.ts)
    return m.id


def _settle(pool: ListenerPool, client: redis.Redis) -> None:
    """Wait for the bot to finish with a request, then run the jobs it queued."""
    pool.idle()
    run_workers(client, burst=True, fork=False)


def _click(
    url: str, action: ActionId, case_id: str, pool: ListenerPool, user: str = "U0AGENT1"
) -> int:
    """Click like Slack does, and let the bot and the workers finish with the click."""
    status = post_signed(
        f"{url}/slack/events", SIGNING_SECRET, block_actions(action.value, case_id, user=user)
    ).status_code
    _settle(pool, runtime.current().redis)
    return status


def _notes(slack: SlackStandIn) -> list[str]:
    """The activity-log lines in the card threads, oldest first."""
    return [m["text"] for _, m in sorted(slack.messages.items()) if m.get("thread_ts")]


def _ephemerals(slack: SlackStandIn) -> list[str]:
    return [c.args["text"] for c in slack.calls_to("chat.postEphemeral")]


def test_claim_updates_the_card_to_show_the_holder(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)

    assert _click(bot_url, ActionId.CLAIM, case_id, pool=pool) == 200

    update = fake_slack.calls_to("chat.update")[-1].args
    assert "Claimed by <@U0AGENT1>" in str(update["blocks"])
    assert Store(redis_client).get(case_id).state is CaseState.CLAIMED  # type: ignore[union-attr]


def test_a_second_claim_is_told_who_holds_the_case(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT1", pool=pool)

    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT2", pool=pool)

    assert _ephemerals(fake_slack) == ["This case is already claimed by <@U0AGENT1>."]
    assert fake_slack.calls_to("chat.postEphemeral")[-1].args["user"] == "U0AGENT2"


def _submit(
    url: str, view: dict[str, Any], values: dict[str, Any], user: str = "U0AGENT1"
) -> requests.Response:
    return post_signed(
        f"{url}/slack/events", SIGNING_SECRET, view_submission(view, values, user=user)
    )


def test_closing_as_a_troll_ignores_the_case_with_the_reason_and_reopen_brings_it_back(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, pool=pool)
    post_signed(
        f"{bot_url}/slack/events", SIGNING_SECRET, block_actions(ActionId.CLOSE.value, case_id)
    )
    _settle(pool, redis_client)
    modal = fake_slack.calls_to("views.open")[-1].args["view"]

    assert _submit(bot_url, modal, picked("reason", "troll")).status_code == 200

    case = Store(redis_client).get(case_id)  # closed before Slack had its answer
    assert case is not None and case.state is CaseState.IGNORED
    assert case.close_reason == "troll" and case.closed_by == "U0AGENT1"
    # the card is redrawn once Slack has had its answer
    _settle(pool, redis_client)
    assert "case_reopen" in str(fake_slack.calls_to("chat.update")[-1].args)
    closed_card = json.dumps(fake_slack.calls_to("chat.update")[-1].args)
    assert "Ignored* by <@U0AGENT1>: troll" in closed_card

    _click(bot_url, ActionId.REOPEN, case_id, pool=pool)

    assert "case_claim" in str(fake_slack.calls_to("chat.update")[-1].args["blocks"])
    assert _notes(fake_slack) == [
        "<@U0AGENT1> claimed this case.",
        "<@U0AGENT1> closed this case as ignored: troll.",
        "<@U0AGENT1> reopened this case.",
    ]


def test_a_lead_may_take_over_a_claimed_case_and_it_is_audited(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT1", pool=pool)

    _click(bot_url, ActionId.TAKE_OVER, case_id, user="U0AGENT2", pool=pool)
    assert _ephemerals(fake_slack)[-1] == "Only a team lead may do that."

    _click(bot_url, ActionId.TAKE_OVER, case_id, user="U0LEAD", pool=pool)
    store = Store(redis_client)
    assert store.get(case_id).claimed_by == "U0LEAD"  # type: ignore[union-attr]
    last = store.trail.of_case(case_id)[-1]
    assert (last.case, last.who, last.what) == (case_id, "U0LEAD", "take-over")
    assert last.detail.keys() == {"previous", "until"}
    assert last.detail["previous"] == "U0AGENT1"


def _action_ids(blocks: Any) -> set[str]:
    """Every action_id anywhere in a block tree (buttons, inputs that dispatch actions)."""
    if isinstance(blocks, dict):
        found = {str(blocks["action_id"])} if "action_id" in blocks else set()
        return found.union(*(_action_ids(v) for v in blocks.values()))
    if isinstance(blocks, list):
        return set().union(*(_action_ids(v) for v in blocks))
    return set()


def _everything_flare_renders() -> set[str]:
    m = mention()
    ids: set[str] = set()
    for state in CaseState:
        case = Case(mention=m, decision=decision(m), state=state, stored_at=NOON)
        ids |= _action_ids(card.render(case, NOON)[0])
        waiting = case.model_copy(update={"remind_at": NOON + timedelta(minutes=10)})
        ids |= _action_ids(card.render(waiting, NOON)[0])  # Snooze, while a reminder waits
        ids |= _action_ids(modals.reply_modal(case, "draft", "5/280", "notice", ask_confirm=True))
        ids |= _action_ids(modals.dm_modal(case, "draft"))
        ids |= _action_ids(modals.escalate_modal(case, ["billing"]))
        ids |= _action_ids(modals.close_modal(case))
    ids |= _action_ids(card.overdue_blocks(m.id, "⏰ Overdue"))  # I'm on it
    return ids | _action_ids(card.approval_blocks(m.id, "U0AGENT1", "a reply"))


def test_every_button_flare_renders_has_a_listener(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    inputs = {i.value for i in Field}  # read back on submit; they dispatch nothing
    buttons = _everything_flare_renders() - inputs

    assert buttons <= {a.value for a in ActionId}
    assert buttons >= {
        ActionId.CLAIM,
        ActionId.REPLY,
        ActionId.REOPEN,
        ActionId.APPROVE_REPLY,
        ActionId.SNOOZE,
        ActionId.ON_IT,
    }
    for action_id in sorted(buttons):
        response = post_signed(
            f"{bot_url}/slack/events",
            SIGNING_SECRET,
            block_actions(action_id, case_id, user="U0AGENT1"),
        )
        assert response.status_code == 200, f"no listener for {action_id}"
        pool.idle()


def test_a_button_without_a_listener_would_be_noticed(bot_url: str) -> None:
    response = post_signed(
        f"{bot_url}/slack/events", SIGNING_SECRET, block_actions("not_a_flare_button", "1001")
    )
    assert response.status_code == 404


def test_someone_not_on_the_agents_list_is_refused_and_audited(
    start_bot: Start, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    url = start_bot(frozenset({"U0AGENT1"}))
    case_id = _case_with_card(redis_client, fake_slack)

    _click(url, ActionId.CLAIM, case_id, user="U0STRANGER", pool=pool)

    assert "not on the list" in _ephemerals(fake_slack)[0]
    assert Store(redis_client).get(case_id).state is CaseState.OPEN  # type: ignore[union-attr]
    assert Store(redis_client).trail.of_case(case_id)[-1].what == "refused"


def test_a_request_with_a_forged_signature_is_rejected(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    response = post_signed(
        f"{bot_url}/slack/events", "not-the-secret", block_actions(ActionId.CLAIM.value, case_id)
    )

    assert response.status_code == 401
    assert Store(redis_client).get(case_id).state is CaseState.OPEN  # type: ignore[union-attr]


def test_a_stale_signed_request_is_rejected(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn, pool: ListenerPool
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    old = post_signed(
        f"{bot_url}/slack/events",
        SIGNING_SECRET,
        block_actions(ActionId.CLAIM.value, case_id),
        timestamp=1_600_000_000,
    )
    assert old.status_code == 401


def test_health_answers_while_redis_is_up(bot_url: str) -> None:
    assert requests.get(f"{bot_url}/healthz", timeout=5).text == "ok\n"
    assert "python_info" in requests.get(f"{bot_url}/metrics", timeout=5).text
