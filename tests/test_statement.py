"""One public statement for everyone an incident affects, scripted end to end: PR drafts it from
the incident card, a second person approves it in the card's thread, Flare posts it once on X as
a post of its own and the card links it; agents replying on the topic meanwhile are pointed to it.

Every click and submit goes to the real Bolt app, signed; jobs run in the real RQ worker; X is
the fake X API behind tweepy.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from bot.action_ids import ActionId
from flare import keys
from tests.fakes.x_api import FakeX, fake_x
from tests.session import AGENT, LEAD, PR, Modal, Session
from tests.test_crisis import audit, command, flare

__all__ = ["fake_x", "flare"]

FILLED = "Our app is down for many of you. We're sorry: we're on it, and will post again by 14:00."


def incident_card(flare: Session) -> tuple[tuple[str, str], dict[str, Any]]:
    """Where the outage incident's card is in Slack, and the card as Slack shows it now."""
    where = flare.redis.hgetall(keys.incident_card("outage"))
    at = (where[b"channel"].decode(), where[b"ts"].decode())
    return at, flare.slack.messages[at]


def card_text(flare: Session) -> str:
    return json.dumps(incident_card(flare)[1]["blocks"], ensure_ascii=False)


def requests_for_approval(flare: Session) -> list[tuple[tuple[str, str], dict[str, Any]]]:
    """The messages in the incident card's thread that still carry Approve, oldest first."""
    return sorted(
        (
            (at, message)
            for at, message in flare.slack.messages.items()
            if ActionId.APPROVE_STATEMENT.value in json.dumps(message.get("blocks", []))
        ),
        key=lambda kv: float(kv[0][1]),
    )


def click(flare: Session, user: str, action: ActionId, at: tuple[str, str], message: Any) -> None:
    """Click a button on a message, as the person saw it."""
    flare.click_button(user, action, at, message)


def drafts_statement(flare: Session, user: str = PR) -> Modal:
    """Click Draft statement on the incident card; the modal Flare opened."""
    before = len(flare.slack.views)
    click(flare, user, ActionId.DRAFT_STATEMENT, *incident_card(flare))
    assert len(flare.slack.views) > before, f"no modal; {user} was told {told(flare, user)}"
    return flare.latest_modal()


def approves(flare: Session, user: str, request: int = -1) -> None:
    click(flare, user, ActionId.APPROVE_STATEMENT, *requests_for_approval(flare)[request])


def statements_on_x(x: FakeX) -> list[dict[str, Any]]:
    """The brand's posts on X that reply to nobody."""
    return [
        p
        for p in x.posts
        if p["author_id"] == x.brand_id and not p.get("in_reply_to_user_id")
        if not any(r.get("type") == "replied_to" for r in p.get("referenced_tweets", []))
    ]


def told(flare: Session, user: str) -> list[str]:
    return [
        c.args["text"]
        for c in flare.slack.calls_to("chat.postEphemeral")
        if c.args.get("user") == user
    ]


# drafting --------------------------------------------------------------------------------------
def test_pr_drafts_from_the_crisis_plans_template_filled_in_for_the_topic(flare: Session) -> None:
    command(flare, "crisis open outage")

    modal = drafts_statement(flare)

    draft = modal.initial_draft()
    assert "a problem with outage right now" in draft and "{" not in draft
    assert "[time]" in draft  # left for PR to fill


def test_a_draft_with_a_gap_left_unfilled_is_not_sent_for_approval(flare: Session) -> None:
    command(flare, "crisis open outage")
    modal = drafts_statement(flare)

    answer = flare.agent(PR).submits(modal, draft=modal.initial_draft())

    assert answer["response_action"] == "errors" and "[time]" in answer["errors"]["draft"]
    assert requests_for_approval(flare) == []


def test_an_agent_may_not_draft_the_statement(flare: Session) -> None:
    command(flare, "crisis open outage")
    before = len(flare.slack.views)

    click(flare, AGENT, ActionId.DRAFT_STATEMENT, *incident_card(flare))

    assert len(flare.slack.views) == before
    assert told(flare, AGENT) == ["Only the PR team and the leads draft an incident's statement."]


# approving and posting -----------------------------------------------------------------------
def test_a_lead_approves_and_the_statement_is_posted_once_and_linked_on_the_card(
    flare: Session, fake_x: FakeX
) -> None:
    command(flare, "crisis open outage")
    modal = drafts_statement(flare)
    flare.agent(PR).submits(modal, draft=FILLED)
    flare.agent(PR).submits(modal, draft=FILLED)  # a double submit asks once
    assert len(requests_for_approval(flare)) == 1
    assert "awaits approval" in card_text(flare)

    approves(flare, LEAD)

    [statement] = statements_on_x(fake_x)
    assert statement["text"] == FILLED
    assert f"Statement posted: https://x.com/i/status/{statement['id']}" in card_text(flare)
    assert requests_for_approval(flare) == []  # the request lost its buttons
    assert audit(flare)[-3:] == ["statement-drafted", "statement-approved", "statement-posted"]


def test_a_double_approval_posts_once(flare: Session, fake_x: FakeX) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)
    request = requests_for_approval(flare)[-1]

    with flare.worker_stopped():
        click(flare, LEAD, ActionId.APPROVE_STATEMENT, *request)
        click(flare, LEAD, ActionId.APPROVE_STATEMENT, *request)
    flare.work()

    assert len(statements_on_x(fake_x)) == 1
    assert audit(flare).count("statement-approved") == 1
    assert told(flare, LEAD)[-1].startswith("No statement waits for approval")


def test_an_agent_may_not_approve_a_statement(flare: Session, fake_x: FakeX) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)

    approves(flare, AGENT)

    assert statements_on_x(fake_x) == []
    assert told(flare, AGENT) == [
        "A second member of the PR team, or a lead, approves a statement."
    ]
    assert len(requests_for_approval(flare)) == 1


def test_the_author_may_not_approve_their_own_statement_when_a_lead_is_there(
    flare: Session, fake_x: FakeX
) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)

    approves(flare, PR)

    assert statements_on_x(fake_x) == []


def test_a_newer_draft_replaces_the_request_and_only_its_words_can_be_approved(
    flare: Session, fake_x: FakeX
) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)
    old = copy.deepcopy(requests_for_approval(flare)[-1])  # as the lead's Slack still shows it
    newer = FILLED.replace("14:00", "15:00")
    flare.agent(PR).submits(drafts_statement(flare), draft=newer)

    assert requests_for_approval(flare)[0][0] != old[0]  # the old request lost its buttons
    click(flare, LEAD, ActionId.APPROVE_STATEMENT, *old)
    assert statements_on_x(fake_x) == []
    assert told(flare, LEAD)[-1].startswith("That statement request is out of date")

    approves(flare, LEAD)
    assert [s["text"] for s in statements_on_x(fake_x)] == [newer]


def test_sent_back_the_statement_is_not_posted_and_pr_drafts_again(
    flare: Session, fake_x: FakeX
) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)

    click(flare, LEAD, ActionId.REJECT_STATEMENT, *requests_for_approval(flare)[-1])

    assert statements_on_x(fake_x) == []
    assert requests_for_approval(flare) == []
    assert "awaits approval" not in card_text(flare)
    assert audit(flare)[-1] == "statement-sent-back"
    assert any("Sent back by <@U0LEAD>" in json.dumps(m) for m in flare.slack.messages.values())


def test_an_update_goes_out_the_same_way_and_is_linked_beside_the_statement(
    flare: Session, fake_x: FakeX
) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)
    approves(flare, LEAD)

    modal = drafts_statement(flare)
    assert json.loads(json.dumps(modal.view))["title"]["text"] == "Statement update"
    flare.agent(PR).submits(modal, draft="Update: the app is back for most of you. Sorry again.")
    approves(flare, LEAD)

    first, update = statements_on_x(fake_x)
    text = card_text(flare)
    assert f"Statement posted: https://x.com/i/status/{first['id']}" in text
    assert f"Update posted: https://x.com/i/status/{update['id']}" in text


# agents meanwhile ----------------------------------------------------------------------------
def test_an_agents_reply_on_the_topic_during_the_incident_asks_to_confirm_with_the_link(
    flare: Session, fake_x: FakeX
) -> None:
    case_id = flare.someone_posts("@acme the app is down again, can't log in")
    assert flare.case(case_id).decision.topic == "outage"
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)
    approves(flare, LEAD)
    [statement] = statements_on_x(fake_x)
    agent = flare.agent(AGENT)
    agent.clicks(ActionId.CLAIM, case_id)

    modal = agent.opens(ActionId.REPLY, case_id)
    assert modal.asks_to_confirm()
    assert f"https://x.com/i/status/{statement['id']}" in modal.text

    answer = agent.submits(modal, draft="Sorry about this, we're on it.", confirm="")
    assert "tick to reply anyway" in answer["errors"]["confirm"]
    assert flare.case(case_id).reply_id is None

    agent.submits(modal, draft="Sorry about this, we're on it.", confirm="yes")
    assert flare.case(case_id).reply_id is not None


def test_a_reply_form_opened_before_the_incident_is_stopped_until_opened_again(
    flare: Session,
) -> None:
    case_id = flare.someone_posts("@acme the app is down again, can't log in")
    agent = flare.agent(AGENT)
    agent.clicks(ActionId.CLAIM, case_id)
    modal = agent.opens(ActionId.REPLY, case_id)
    assert not modal.asks_to_confirm()

    command(flare, "crisis open outage")
    answer = agent.submits(modal, draft="Sorry about this, we're on it.")

    assert "open Reply again to tick" in answer["errors"]["draft"]
    assert flare.case(case_id).reply_id is None
    assert agent.opens(ActionId.REPLY, case_id).asks_to_confirm()


# when X says no ------------------------------------------------------------------------------
def _approved(flare: Session) -> None:
    command(flare, "crisis open outage")
    flare.agent(PR).submits(drafts_statement(flare), draft=FILLED)
    approves(flare, LEAD)


def _thread(flare: Session) -> list[str]:
    """The lines in the incident card's thread, oldest first."""
    (channel, ts), _ = incident_card(flare)
    return [
        m["text"]
        for (c, _), m in sorted(flare.slack.messages.items(), key=lambda kv: float(kv[0][1]))
        if c == channel and m.get("thread_ts") == ts
    ]


def test_a_statement_x_refuses_is_not_posted_and_pr_is_told_to_draft_again(
    flare: Session, fake_x: FakeX
) -> None:
    fake_x.fail("POST /2/tweets", 403, body={"title": "Forbidden", "detail": "duplicate content"})

    _approved(flare)

    assert statements_on_x(fake_x) == []
    [line] = [t for t in _thread(flare) if "was not posted" in t]
    assert "X refused it" in line and "draft it again" in line and FILLED in line
    assert "statement-failed" in audit(flare)
    assert "Statement posted" not in card_text(flare)


def test_a_statement_x_rate_limits_goes_out_once_when_the_limit_resets(
    flare: Session, fake_x: FakeX
) -> None:
    reset = int(flare.clock().timestamp()) + 120
    fake_x.fail("POST /2/tweets", 429, headers={"x-rate-limit-reset": str(reset)})

    _approved(flare)
    assert statements_on_x(fake_x) == []
    assert any("X rate limit: the statement goes out at" in t for t in _thread(flare))

    flare.time_passes(minutes=3)

    [statement] = statements_on_x(fake_x)
    assert statement["text"] == FILLED
    assert "Statement posted" in card_text(flare)


def test_a_statement_whose_fate_x_left_unknown_is_not_posted_blindly_again(
    flare: Session, fake_x: FakeX
) -> None:
    fake_x.fail("POST /2/tweets", 503, times=10)

    _approved(flare)
    flare.time_passes(minutes=10)

    assert statements_on_x(fake_x) == []
    [line] = [t for t in _thread(flare) if "was not posted" in t]
    assert "may or may not be on X" in line  # PR checks X before drafting again
    assert len(fake_x.requests_to("POST /2/tweets")) <= 4  # tweepy's own retries at most
