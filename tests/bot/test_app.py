"""The Slack app over HTTP: signed clicks claim, release, resolve and reopen; others are refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import redis
import requests

from bot import card, modals
from bot.action_ids import ActionId, InputId
from bot.app import build_app
from bot.casework import Casework
from bot.server import build_wsgi
from bot.slack_client import SlackClient
from bot.team import Team
from cli.standin import SlackStandIn
from flare.case import Case, CaseState
from flare.queues import QueueName, queue
from flare.store import Store
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, picked, post_signed, view_submission
from tests.session import ListenerPool
from tests.waiting import eventually


@pytest.fixture
def bot_url(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> str:
    casework = _casework(redis_client, fake_slack, allowed=frozenset())
    return serve_wsgi(build_wsgi(build_app(casework, SIGNING_SECRET, "xoxb-test"), redis_client))


def _casework(client: redis.Redis, slack: SlackStandIn, allowed: frozenset[str]) -> Casework:
    return Casework(
        Store(client),
        SlackClient("xoxb-test", slack.base_url),
        team=Team(agents=allowed, leads=frozenset({"U0LEAD"})),
        clock=lambda: NOON,
        redraw_gap_ms=0,  # every click redraws at once: these tests run no worker
    )


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


def _click(
    url: str,
    action: ActionId,
    case_id: str,
    user: str = "U0AGENT1",
    slack: SlackStandIn | None = None,
) -> int:
    """Click like Slack does; with `slack`, wait until the bot has answered the click there."""
    before = len(slack.calls) if slack else 0
    status = post_signed(
        f"{url}/slack/events", SIGNING_SECRET, block_actions(action.value, case_id, user=user)
    ).status_code
    if slack and status == 200:
        eventually(
            lambda: any(
                c.method in ("chat.update", "chat.postEphemeral") for c in slack.calls[before:]
            )
        )
    return status


def _notes(client: redis.Redis) -> list[str]:
    """The activity-log lines queued for the card's thread (a worker posts them)."""
    jobs = queue(client, QueueName.NOTIFY).get_jobs()
    return [j.args[1] for j in jobs if j.func_name == "workers.jobs.post_note"]


def _ephemerals(slack: SlackStandIn) -> list[str]:
    return [c.args["text"] for c in slack.calls_to("chat.postEphemeral")]


def test_claim_updates_the_card_to_show_the_holder(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)

    assert _click(bot_url, ActionId.CLAIM, case_id, slack=fake_slack) == 200

    update = fake_slack.calls_to("chat.update")[-1].args
    assert "Claimed by <@U0AGENT1>" in str(update["blocks"])
    assert Store(redis_client).get(case_id).state is CaseState.CLAIMED  # type: ignore[union-attr]


def test_a_second_claim_is_told_who_holds_the_case(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT1", slack=fake_slack)

    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT2", slack=fake_slack)

    assert _ephemerals(fake_slack) == ["This case is already claimed by <@U0AGENT1>."]
    assert fake_slack.calls_to("chat.postEphemeral")[-1].args["user"] == "U0AGENT2"


def _submit(
    url: str, view: dict[str, Any], values: dict[str, Any], user: str = "U0AGENT1"
) -> requests.Response:
    return post_signed(
        f"{url}/slack/events", SIGNING_SECRET, view_submission(view, values, user=user)
    )


def test_closing_as_a_troll_ignores_the_case_with_the_reason_and_reopen_brings_it_back(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, slack=fake_slack)
    post_signed(
        f"{bot_url}/slack/events", SIGNING_SECRET, block_actions(ActionId.CLOSE.value, case_id)
    )
    modal = eventually(lambda: fake_slack.calls_to("views.open")[-1].args["view"])

    assert _submit(bot_url, modal, picked("reason", "troll")).status_code == 200

    case = Store(redis_client).get(case_id)  # closed before Slack had its answer
    assert case is not None and case.state is CaseState.IGNORED
    assert case.close_reason == "troll" and case.closed_by == "U0AGENT1"
    # the card is redrawn once Slack has had its answer
    eventually(lambda: "case_reopen" in str(fake_slack.calls_to("chat.update")[-1].args))
    closed_card = json.dumps(fake_slack.calls_to("chat.update")[-1].args)
    assert "Ignored* by <@U0AGENT1>: troll" in closed_card

    _click(bot_url, ActionId.REOPEN, case_id, slack=fake_slack)

    assert "case_claim" in str(fake_slack.calls_to("chat.update")[-1].args["blocks"])
    notes = eventually(lambda: _notes(redis_client) if len(_notes(redis_client)) == 3 else None)
    assert notes == [
        "<@U0AGENT1> claimed this case.",
        "<@U0AGENT1> closed this case as ignored: troll.",
        "<@U0AGENT1> reopened this case.",
    ]


def test_a_lead_may_take_over_a_claimed_case_and_it_is_audited(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    _click(bot_url, ActionId.CLAIM, case_id, user="U0AGENT1", slack=fake_slack)

    _click(bot_url, ActionId.TAKE_OVER, case_id, user="U0AGENT2", slack=fake_slack)
    assert _ephemerals(fake_slack)[-1] == "Only a team lead may do that."

    _click(bot_url, ActionId.TAKE_OVER, case_id, user="U0LEAD", slack=fake_slack)
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
        ids |= _action_ids(modals.reply_modal(case, "draft", "5/280", "notice", ask_confirm=True))
        ids |= _action_ids(modals.dm_modal(case, "draft"))
        ids |= _action_ids(modals.escalate_modal(case, ["billing"]))
        ids |= _action_ids(modals.close_modal(case))
    return ids | _action_ids(card.approval_blocks(m.id, "U0AGENT1", "a reply"))


def test_every_button_flare_renders_has_a_listener(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> None:
    listeners = ListenerPool()
    casework = _casework(redis_client, fake_slack, allowed=frozenset())
    app = build_app(casework, SIGNING_SECRET, "xoxb-test", listeners)
    bot_url = serve_wsgi(build_wsgi(app, redis_client))
    case_id = _case_with_card(redis_client, fake_slack)
    inputs = {i.value for i in InputId}  # read back on submit; they dispatch nothing
    buttons = _everything_flare_renders() - inputs

    assert buttons <= {a.value for a in ActionId}
    assert buttons >= {ActionId.CLAIM, ActionId.REPLY, ActionId.REOPEN, ActionId.APPROVE_REPLY}
    for action_id in sorted(buttons):
        response = post_signed(
            f"{bot_url}/slack/events",
            SIGNING_SECRET,
            block_actions(action_id, case_id, user="U0AGENT1"),
        )
        assert response.status_code == 200, f"no listener for {action_id}"
        listeners.idle()


def test_a_button_without_a_listener_would_be_noticed(bot_url: str) -> None:
    response = post_signed(
        f"{bot_url}/slack/events", SIGNING_SECRET, block_actions("not_a_flare_button", "1001")
    )
    assert response.status_code == 404


def test_someone_not_on_the_agents_list_is_refused_and_audited(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> None:
    casework = _casework(redis_client, fake_slack, allowed=frozenset({"U0AGENT1"}))
    url = serve_wsgi(build_wsgi(build_app(casework, SIGNING_SECRET, "xoxb-test"), redis_client))
    case_id = _case_with_card(redis_client, fake_slack)

    _click(url, ActionId.CLAIM, case_id, user="U0STRANGER", slack=fake_slack)

    assert "not on the list" in _ephemerals(fake_slack)[0]
    assert Store(redis_client).get(case_id).state is CaseState.OPEN  # type: ignore[union-attr]
    assert Store(redis_client).trail.of_case(case_id)[-1].what == "refused"


def test_a_request_with_a_forged_signature_is_rejected(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    case_id = _case_with_card(redis_client, fake_slack)
    response = post_signed(
        f"{bot_url}/slack/events", "not-the-secret", block_actions(ActionId.CLAIM.value, case_id)
    )

    assert response.status_code == 401
    assert Store(redis_client).get(case_id).state is CaseState.OPEN  # type: ignore[union-attr]


def test_a_stale_signed_request_is_rejected(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
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
