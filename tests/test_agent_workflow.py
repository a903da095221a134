"""An agent's whole day in Slack, scripted: a post on X becomes a card; agents claim, reply,
DM, escalate and resolve from it; everything they may not do is refused and said plainly.

Every click and modal goes to the real Bolt app over HTTP, signed as Slack signs it; slow work
runs in the real RQ worker; replies and DMs reach the fake X through tweepy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr
from rq.registry import ScheduledJobRegistry

from bot.action_ids import ActionId
from cli.standin import SlackStandIn
from flare import keys
from flare.case import CaseState
from flare.incidents import Incidents
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, post_signed
from tests.fakes.x_api import BRAND_ID, FakeX, fake_x
from tests.session import AGENT, LEAD, OTHER_AGENT, PR, STRANGER, Session, start_session

__all__ = ["fake_x"]

COMPLAINT = "@acme I was charged twice for my order #4471 and nobody answers my emails"


StartFlare = Callable[..., Session]


@pytest.fixture
def start_flare(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_x: FakeX,
    serve_wsgi: Callable[[Any], str],
) -> StartFlare:
    """Start Flare as its operator set it up; keyword arguments change the Slack settings."""

    def start(**slack: Any) -> Session:
        settings = Settings(
            redis_url=redis_server.url,
            data_dir=tmp_path / "data",
            brand={"handles": ("acme",)},
            slack={
                "bot_token": SecretStr("xoxb-test"),
                "signing_secret": SecretStr(SIGNING_SECRET),
                "api_url": fake_slack.base_url,
                "alerts_channel": "C0ALERTS",
                "pr_channel": "C0PR",
                "agents": (AGENT, OTHER_AGENT),
                "pr_team": (PR,),
                "leads": (LEAD,),
                "send_per_second": 20,  # cards in quick succession need not wait a second each
                "redraw_gap_ms": 100,  # folding is tested in tests/workers/test_act.py
                **slack,
            },
            x=fake_x.settings(),
        )
        fake_slack.names[AGENT] = "Jo Doe"
        return start_session(settings, redis_client, fake_slack, fake_x, serve_wsgi)

    return start


@pytest.fixture
def flare(start_flare: StartFlare) -> Session:
    return start_flare()


# the happy paths -----------------------------------------------------------------------------
def test_an_agent_claims_a_complaint_replies_on_x_and_resolves_it(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT, name="Priya N", username="priya_n", followers=310)
    assert "charged twice" in flare.card_text(case_id)
    assert flare.buttons(case_id) == [ActionId.CLAIM, ActionId.SNOOZE]  # a reminder waits

    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    assert "Claimed by <@U0AGENT1> until" in flare.card_text(case_id)
    assert ActionId.REPLY in flare.buttons(case_id)

    modal = jo.opens(ActionId.REPLY, case_id)
    assert modal.initial_draft().startswith("Hi Priya")
    assert "/280 characters" in modal.text and not modal.asks_to_confirm()

    with flare.worker_stopped():
        assert (
            jo.submits(modal, draft="Hi Priya, sorry about the double charge: refund sent.") == {}
        )
        assert flare.replies_on_x() == []  # the bot only queued it: X is the worker's job
    flare.work()

    (reply,) = flare.replies_on_x()
    assert reply["text"] == "Hi Priya, sorry about the double charge: refund sent. ^JD"
    assert f"https://x.com/i/status/{reply['id']}" in flare.card_text(case_id)

    modal = jo.opens(ActionId.CLOSE, case_id)
    assert jo.submits(modal, reason="resolved with the customer") == {}
    assert flare.case(case_id).state is CaseState.RESOLVED
    assert flare.buttons(case_id) == [ActionId.REOPEN]
    assert flare.thread(case_id) == [
        "<@U0AGENT1> claimed this case.",
        f"<@U0AGENT1> replied on X: https://x.com/i/status/{reply['id']}",
        "<@U0AGENT1> closed this case as resolved: resolved with the customer.",
    ]


def test_a_post_that_does_not_mention_the_brand_gets_a_dm_instead_of_a_reply(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(
        "acme support is useless, three days waiting for my refund", author="502", mention=False
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)

    assert ActionId.REPLY not in flare.buttons(case_id)
    assert ActionId.DM in flare.buttons(case_id)
    assert "the post does not mention the brand, so X would refuse it" in flare.card_text(case_id)

    modal = jo.opens(ActionId.DM, case_id)
    assert jo.submits(modal, draft="Hi, sorry for the wait: can you send your order number?") == {}

    (dm,) = flare.x.dms
    assert dm["participant_id"] == "502" and dm["text"].endswith("^JD")
    assert "DM sent by <@U0AGENT1>" in flare.card_text(case_id)

    modal = jo.opens(ActionId.CLOSE, case_id)
    jo.submits(modal, reason="resolved with the customer")
    assert flare.case(case_id).state is CaseState.RESOLVED
    assert "<@U0AGENT1> sent a direct message on X." in flare.thread(case_id)


def test_an_agent_escalates_a_safety_risk_to_pr_which_opens_an_incident(flare: Session) -> None:
    case_id = flare.someone_posts("@acme your heater caught fire in my kitchen last night")
    assert flare.posts_in("C0PR")  # a PR risk is carded where PR sees it
    assert Incidents(flare.redis).get("safety") is not None  # and opens the risk's incident
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)

    modal = jo.opens(ActionId.ESCALATE, case_id)
    assert '"initial_option": {"text": {"type": "plain_text", "text": "safety"}' in modal.text
    assert jo.submits(modal, topic="safety", severity="critical", note="<!channel> photos") == {}

    escalation = escalation_in_pr_channel(flare)
    assert "Joined incident: safety* (critical) escalated by <@U0AGENT1>" in escalation
    assert "Contacts for safety: Safety lead, PR on call" in escalation
    assert "Note: &lt;!channel&gt; photos" in escalation
    assert flare.case(case_id).escalated_to == "safety"
    assert "Escalated to PR (safety)" in flare.card_text(case_id)
    assert Incidents(flare.redis).get("safety") is not None

    second = flare.someone_posts("@acme my heater from you caught fire too!", author="503")
    flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, second)
    modal = flare.agent(OTHER_AGENT).opens(ActionId.ESCALATE, second)
    flare.agent(OTHER_AGENT).submits(modal, topic="safety", severity="high")
    assert "Joined incident: safety*" in escalation_in_pr_channel(flare)
    assert Incidents(flare.redis).get("safety").count == 2  # type: ignore[union-attr]


def escalation_in_pr_channel(flare: Session) -> str:
    """The newest escalation message in PR's channel (pages and the incident card go there too)."""
    texts = [
        b["text"]["text"]
        for post in flare.posts_in("C0PR")
        for b in post.args.get("blocks") or []
        if b.get("type") == "section"
        and "incident: " in b["text"]["text"]
        and "escalated by" in b["text"]["text"]
    ]
    return texts[-1]


# who is told ----------------------------------------------------------------------------------
VIP = {"author": "504", "username": "famous", "followers": 2_400_000, "verified": True}
LAWYER = "@acme I am calling my lawyer about your product"


def test_a_priority_card_tells_the_leads_why_in_its_thread(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT, **VIP)

    (heads_up,) = flare.thread(case_id)
    assert heads_up.startswith("👀 <@U0LEAD>: a priority case (P2) for a lead to watch: ")
    assert "2.4M followers" in heads_up and "Respond by" in heads_up


def test_a_pr_risk_card_tells_pr_and_the_crisis_contacts_for_the_risk(flare: Session) -> None:
    case_id = flare.someone_posts(LAWYER)

    assert flare.store.card(case_id)[0] == "C0PR"  # type: ignore[index]
    (heads_up,) = flare.thread(case_id)
    assert heads_up.startswith(
        "🚨 <@U0PR>, Legal counsel, PR on call: PR risk, for an official response from PR: "
        'legal threat ("lawyer")'
    )


def test_an_everyday_complaint_tells_nobody(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)

    assert flare.thread(case_id) == []


def test_with_no_leads_set_the_thread_says_nobody_was_told(start_flare: StartFlare) -> None:
    flare = start_flare(leads=())

    case_id = flare.someone_posts(COMPLAINT, **VIP)

    (heads_up,) = flare.thread(case_id)
    assert heads_up.endswith("No leads are set (FLARE_SLACK__LEADS): nobody was told.")
    assert "<@" not in heads_up


# response targets ----------------------------------------------------------------------------
def test_a_claimed_case_unanswered_at_its_target_nudges_its_holder(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)  # a P3 complaint: 30 minutes
    flare.time_passes(minutes=5)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)  # a 30-minute lease: until 35
    flare.time_passes(minutes=15)
    assert "overdue" not in flare.card_text(case_id)

    flare.time_passes(minutes=11)

    assert "overdue*" in flare.card_text(case_id)
    nudge = flare.thread(case_id)[-1]
    assert nudge.startswith("⏰ Overdue (the target was ")
    assert "<@U0AGENT1>, this case is yours: answer it now, or release it" in nudge


def test_an_unclaimed_case_past_its_target_nudges_the_leads_once(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)

    flare.time_passes(minutes=31)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)
    flare.agent(AGENT).clicks(ActionId.RELEASE, case_id)
    flare.time_passes(minutes=60)

    nudges = [t for t in flare.thread(case_id) if t.startswith("⏰ Overdue")]
    assert len(nudges) == 1
    assert nudges[0].endswith("Nobody holds it. <@U0LEAD>: please find someone to take it.")
    audited = [e.what for e in flare.store.trail.of_case(case_id)]
    assert sorted(audited[:2]) == ["overdue", "reminded"]  # both fell due in the 31 minutes
    assert audited[2:] == ["claim", "release"]


def test_cases_answered_or_closed_in_time_get_no_nudge(flare: Session) -> None:
    replied = flare.someone_posts(COMPLAINT)
    closed = flare.someone_posts("@acme where is my parcel? ordered 2 weeks ago", author="505")
    jo = flare.agent(AGENT)
    for case_id in (replied, closed):
        jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.REPLY, replied), draft="Refund sent, sorry!")
    jo.submits(jo.opens(ActionId.CLOSE, closed), reason="handled elsewhere")

    flare.time_passes(minutes=60)

    for case_id in (replied, closed):
        assert not any(t.startswith("⏰") for t in flare.thread(case_id))
        assert "overdue" not in flare.card_text(case_id)


def test_a_case_reopened_after_its_target_nudges_at_once(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.CLOSE, case_id), reason="duplicate")
    flare.time_passes(minutes=45)

    jo.clicks(ActionId.REOPEN, case_id)
    flare.time_passes(minutes=0)

    assert flare.thread(case_id)[-1].startswith("⏰ Overdue")


def test_an_agent_snoozes_the_reminder_from_the_card_and_it_comes_once_later(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT)  # 30 minutes: reminded at 15 unless snoozed
    flare.time_passes(minutes=5)

    flare.agent(AGENT).clicks(ActionId.SNOOZE, case_id)
    flare.time_passes(minutes=11)
    assert not [t for t in flare.thread(case_id) if t.startswith("⏳")]
    flare.time_passes(minutes=5)

    reminders = [t for t in flare.thread(case_id) if t.startswith("⏳")]
    assert len(reminders) == 1
    assert flare.thread(case_id)[0].startswith("<@U0AGENT1> snoozed the reminder for 15 min")
    assert ActionId.SNOOZE.value not in flare.buttons(case_id)  # nothing left to snooze


def test_im_on_it_under_an_overdue_line_stops_the_reminders_that_follow(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.time_passes(minutes=31)
    assert "⏰ OVERDUE" in flare.card_text(case_id)

    flare.agent(LEAD).clicks(ActionId.ON_IT, case_id)
    flare.time_passes(minutes=30)

    assert flare.thread(case_id)[-1] == "<@U0LEAD> is on it: no more overdue reminders."
    assert not [t for t in flare.thread(case_id) if t.startswith("⏰ Still")]


def test_a_case_past_its_target_is_offered_the_late_reply(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    flare.time_passes(minutes=20)
    jo.clicks(ActionId.CLAIM, case_id)
    flare.time_passes(minutes=11)

    draft = jo.opens(ActionId.REPLY, case_id).initial_draft()

    assert "I'm sorry it took us 31 minutes to answer" in draft


def test_a_claim_whose_lease_runs_out_is_released_and_the_card_says_so(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)

    flare.time_passes(minutes=31)

    assert flare.case(case_id).state is CaseState.OPEN
    assert "claim ran out" in flare.card_text(case_id)
    assert flare.buttons(case_id)[0] == ActionId.CLAIM.value
    assert any(t.startswith("⌛ <@U0AGENT1>'s claim ran out at") for t in flare.thread(case_id))


# who may act ---------------------------------------------------------------------------------
def test_someone_not_named_as_an_agent_is_refused_and_the_attempt_is_audited(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    stranger = flare.agent(STRANGER)

    assert stranger.clicks(ActionId.CLAIM, case_id) == 200
    assert stranger.was_told() == ["You are not on the list of agents who may act on Flare cards."]
    assert flare.case(case_id).state is CaseState.OPEN
    last = flare.store.trail.of_case(case_id)[-1]
    assert (last.case, last.who, last.what) == (case_id, STRANGER, "refused")
    assert last.detail == {"attempted": ActionId.CLAIM.value}


def test_with_no_agents_named_a_card_is_claimed_but_nobody_replies_on_x(
    start_flare: StartFlare,
) -> None:
    flare = start_flare(agents=(), pr_team=(), leads=())
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)

    jo.clicks(ActionId.CLAIM, case_id)
    jo.clicks(ActionId.REPLY, case_id)
    jo.clicks(ActionId.DM, case_id)

    assert flare.case(case_id).claimed_by == AGENT
    assert flare.slack.calls_to("views.open") == []
    assert (
        jo.was_told()
        == [
            "Nobody may reply or DM on X as the brand yet: an admin names the agents in "
            "FLARE_SLACK__AGENTS (or sets it to * for everyone)."
        ]
        * 2
    )


def test_agents_set_to_star_let_anyone_reply_on_x(start_flare: StartFlare) -> None:
    flare = start_flare(agents=("*",), pr_team=(), leads=())
    case_id = flare.someone_posts(COMPLAINT)
    anyone = flare.agent(STRANGER)
    anyone.clicks(ActionId.CLAIM, case_id)

    modal = anyone.opens(ActionId.REPLY, case_id)
    assert anyone.submits(modal, draft="Sorry about that, refund sent.") == {}
    flare.work()

    assert len(flare.replies_on_x()) == 1


def test_with_no_leads_the_pr_team_approves_a_vip_reply(start_flare: StartFlare) -> None:
    flare = start_flare(leads=())
    case_id = flare.someone_posts(
        COMPLAINT, author="504", username="famous", followers=2_400_000, verified=True
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    assert jo.submits(jo.opens(ActionId.REPLY, case_id), draft="So sorry, refund sent.") == {}

    flare.agent(PR).clicks(ActionId.APPROVE_REPLY, case_id)

    (reply,) = flare.replies_on_x()
    assert reply["text"] == "So sorry, refund sent. ^JD"


def test_with_nobody_to_approve_the_reply_modal_says_so_and_nothing_waits_forever(
    start_flare: StartFlare,
) -> None:
    flare = start_flare(leads=(), pr_team=())
    case_id = flare.someone_posts(
        COMPLAINT, author="504", username="famous", followers=2_400_000, verified=True
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)

    modal = jo.opens(ActionId.REPLY, case_id)
    answer = jo.submits(modal, draft="So sorry, refund sent.")

    assert "nobody is named who may give it" in modal.text
    assert not modal.asks_to_confirm()
    assert "FLARE_SLACK__LEADS" in answer["errors"]["draft"]
    assert flare.replies_on_x() == [] and "awaiting" not in flare.card_text(case_id)


def test_a_modal_submitted_by_someone_not_named_is_refused_in_the_modal(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)
    modal = flare.agent(AGENT).opens(ActionId.CLOSE, case_id)

    answer = flare.agent(STRANGER).submits(modal, reason="troll")

    assert answer["response_action"] == "errors"
    assert flare.case(case_id).state is CaseState.CLAIMED
    assert flare.store.trail.of_case(case_id)[-1].what == "refused"


def test_a_second_agent_is_told_who_holds_the_case(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)

    flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, case_id)
    flare.agent(OTHER_AGENT).clicks(ActionId.REPLY, case_id)

    assert flare.agent(OTHER_AGENT).was_told() == [
        "This case is already claimed by <@U0AGENT1>.",
        "This case is held by <@U0AGENT1>.",
    ]
    assert flare.case(case_id).claimed_by == AGENT


def test_a_lead_takes_over_a_case_and_the_take_over_is_audited(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)

    flare.agent(OTHER_AGENT).clicks(ActionId.TAKE_OVER, case_id)
    flare.agent(LEAD).clicks(ActionId.TAKE_OVER, case_id)

    assert flare.agent(OTHER_AGENT).was_told() == ["Only a team lead may do that."]
    assert "Claimed by <@U0LEAD>" in flare.card_text(case_id)
    take_over = flare.store.trail.of_case(case_id)[-1]
    assert (take_over.who, take_over.what, take_over.detail["previous"]) == (
        LEAD,
        "take-over",
        AGENT,
    )


def test_only_pr_answers_a_pr_risk_in_public(flare: Session) -> None:
    case_id = flare.someone_posts("@acme I am calling my lawyer about your product")
    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)

    flare.agent(AGENT).clicks(ActionId.REPLY, case_id)

    assert flare.agent(AGENT).was_told() == ["Only the PR team may answer this case in public."]
    assert flare.store.trail.of_case(case_id)[-1].what == "refused"

    flare.agent(AGENT).clicks(ActionId.RELEASE, case_id)
    pr = flare.agent(PR)
    pr.clicks(ActionId.CLAIM, case_id)
    modal = pr.opens(ActionId.REPLY, case_id)
    assert pr.submits(modal, draft="We take this seriously; our team will contact you.") == {}
    assert len(flare.replies_on_x()) == 1


def test_a_public_reply_with_personal_data_is_blocked_in_the_modal(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)

    answer = jo.submits(modal, draft="Hi, we emailed the refund to priya@example.com")

    assert answer["response_action"] == "errors"
    assert "Personal data (email) must not go out in public" in answer["errors"]["draft"]
    assert flare.replies_on_x() == []


def test_the_reply_modal_counts_characters_with_the_signature_and_warns_on_tone(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)

    jo.types(modal, "x" * 276)
    assert "280/280 characters" in modal.text and "too long" not in modal.text
    jo.types(modal, "x" * 277)
    assert "281/280 characters (too long)" in modal.text
    jo.types(modal, "THIS IS RIDICULOUS, STOP WHINING")
    assert "tone: reads as negative: check it sounds like help" in modal.text

    answer = jo.submits(modal, draft="x" * 277)
    assert answer["errors"]["draft"] == "281/280 characters with your signature: shorten it."


def test_the_agent_is_asked_to_confirm_when_the_brand_already_answered(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.x.publish("@priya_n we're on it", author=BRAND_ID, mention=False, conversation_id=case_id)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)

    modal = jo.opens(ActionId.REPLY, case_id)

    assert modal.asks_to_confirm() and "The brand already replied" in modal.text
    answer = jo.submits(modal, draft="Following up: refund sent.", confirm="")
    assert answer["errors"]["confirm"] == "The brand already answered: tick to post anyway."
    assert jo.submits(modal, draft="Following up: refund sent.", confirm="yes") == {}
    assert len(flare.replies_on_x()) == 2


def test_a_reply_to_a_vip_waits_for_a_lead(flare: Session) -> None:
    case_id = flare.someone_posts(
        COMPLAINT, author="504", username="famous", followers=2_400_000, verified=True
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)

    assert jo.submits(modal, draft="So sorry about this, refund sent.") == {}
    assert flare.replies_on_x() == []
    assert "Reply awaiting a lead's approval" in flare.card_text(case_id)

    jo.clicks(ActionId.APPROVE_REPLY, case_id)
    assert jo.was_told()[-1] == "Only a team lead may do that."
    flare.agent(LEAD).clicks(ActionId.APPROVE_REPLY, case_id)

    (reply,) = flare.replies_on_x()
    assert reply["text"] == "So sorry about this, refund sent. ^JD"
    assert "<@U0LEAD> approved the reply." in flare.thread(case_id)
    assert "awaiting" not in flare.card_text(case_id)


def test_a_lead_can_approve_only_the_draft_the_request_shows(flare: Session) -> None:
    case_id = flare.someone_posts(
        COMPLAINT, author="505", username="famous2", followers=2_400_000, verified=True
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.REPLY, case_id), draft="First try, refund sent.")
    first = flare.message_with(ActionId.APPROVE_REPLY, case_id)
    jo.submits(jo.opens(ActionId.REPLY, case_id), draft="Better: refund sent today.")
    assert first is not None and flare.message_with(ActionId.APPROVE_REPLY, case_id) != first

    old_click = block_actions(
        ActionId.APPROVE_REPLY.value, case_id, user=LEAD, channel=first[0], message_ts=first[1]
    )
    post_signed(flare.events, SIGNING_SECRET, old_click)
    flare.settle()

    assert flare.replies_on_x() == []
    assert flare.agent(LEAD).was_told()[-1].startswith("That approval request is out of date")
    assert "Replaced by a newer draft" in json.dumps(flare.slack.messages[first])
    assert ActionId.APPROVE_REPLY.value not in json.dumps(flare.slack.messages[first])

    flare.agent(LEAD).clicks(ActionId.APPROVE_REPLY, case_id)

    (reply,) = flare.replies_on_x()
    assert reply["text"] == "Better: refund sent today. ^JD"


# X says no -----------------------------------------------------------------------------------
DM_ROUTE = "POST /2/dm_conversations/with/:id/messages"


def _dm_case(flare: Session) -> tuple[str, Any]:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    return case_id, jo


def test_closed_dms_are_explained_and_the_case_stays_actionable(flare: Session) -> None:
    case_id, jo = _dm_case(flare)
    flare.x.fail(DM_ROUTE, 403, body={"detail": "You cannot send messages to this user."})
    modal = jo.opens(ActionId.DM, case_id)

    jo.submits(modal, draft="Could you DM us your order number?")

    told = jo.was_told()[-1]
    assert told.startswith("X refused the DM: X refused: You cannot send messages to this user.")
    assert "Could you DM us your order number?" in told  # the draft is not lost
    assert flare.x.dms == []
    assert flare.case(case_id).state is CaseState.CLAIMED
    assert ActionId.DM in flare.buttons(case_id)

    modal = jo.opens(ActionId.DM, case_id)
    jo.submits(modal, draft="Could you DM us your order number?")
    assert len(flare.x.dms) == 1  # the next try goes through


def test_a_rate_limited_dm_is_kept_and_sent_when_the_limit_resets(flare: Session) -> None:
    case_id, jo = _dm_case(flare)
    flare.x.fail(DM_ROUTE, 429, headers={"x-rate-limit-reset": "1900000000"})
    modal = jo.opens(ActionId.DM, case_id)

    jo.submits(modal, draft="Could you DM us your order number?")

    assert "X is limiting how many DMs Flare may send" in jo.was_told()[-1]
    assert flare.x.dms == []
    (held,) = ScheduledJobRegistry(queue=queue(flare.redis, QueueName.ACT)).get_job_ids()
    job = queue(flare.redis, QueueName.ACT).fetch_job(held)
    assert job is not None and job.func_name == "workers.act.send_dm"
    assert job.args[2].startswith("Could you DM us your order number?")


# stale cards and odd input -------------------------------------------------------------------
def test_a_button_on_a_resolved_card_says_reopen_first(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.CLOSE, case_id), reason="duplicate")

    jo.clicks(ActionId.DM, case_id)  # a button from before the card was redrawn

    assert jo.was_told()[-1] == "This case is ignored: reopen it first."


def test_a_card_whose_case_is_gone_is_retired_on_the_first_click(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    flare.redis.delete(keys.case(case_id))  # expired, or cleared by an operator

    flare.agent(AGENT).clicks(ActionId.CLAIM, case_id)

    assert flare.agent(AGENT).was_told() == [
        "This case is no longer in Flare (it may have expired): there is nothing left to act on."
    ]
    assert "actions" not in [b["type"] for b in flare.card(case_id)["blocks"]]
    assert "no longer in Flare" in flare.card_text(case_id)


def test_an_escalation_of_a_long_post_with_a_long_note_reaches_pr(flare: Session) -> None:
    long_post = "@acme your heater caught fire & " + "<smoke> & flames " * 1500
    case_id = flare.someone_posts(long_post)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.ESCALATE, case_id)

    jo.submits(modal, topic="safety", severity="critical", note="<b>&</b> " * 300)

    escalation = escalation_in_pr_channel(flare)
    assert "incident: safety*" in escalation and len(escalation) <= 3000
    assert "Escalated to PR (safety)" in flare.card_text(case_id)


# races ---------------------------------------------------------------------------------------
def test_two_agents_claiming_at_once_leaves_one_holder(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)

    at_once(
        flare,
        lambda: flare.agent(AGENT).clicks(ActionId.CLAIM, case_id),
        lambda: flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, case_id),
    )

    holder = flare.case(case_id).claimed_by
    loser = OTHER_AGENT if holder == AGENT else AGENT
    assert holder in (AGENT, OTHER_AGENT)
    assert flare.agent(loser).was_told() == [f"This case is already claimed by <@{holder}>."]
    assert [e.what for e in flare.store.trail.of_case(case_id)].count("claim") == 1


def test_a_claim_racing_a_resolve_never_holds_a_resolved_case(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.CLOSE, case_id)

    at_once(
        flare,
        lambda: jo.submits(modal, reason="resolved with the customer"),
        lambda: flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, case_id),
    )

    case = flare.case(case_id)
    assert case.state is CaseState.RESOLVED and case.claimed_by is None
    assert flare.agent(OTHER_AGENT).was_told()[0] in (
        "This case is already claimed by <@U0AGENT1>.",
        "This case is resolved: reopen it first.",
    )


def test_a_resolve_after_losing_the_case_is_refused_in_the_modal(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.CLOSE, case_id)
    flare.agent(LEAD).clicks(ActionId.TAKE_OVER, case_id)

    answer = jo.submits(modal, reason="troll")

    assert answer["errors"] == {"reason": "This case is already claimed by <@U0LEAD>."}
    assert flare.case(case_id).state is CaseState.CLAIMED


def test_a_reply_submitted_twice_is_posted_once(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)

    with flare.worker_stopped():
        at_once(
            flare,
            lambda: jo.submits(modal, draft="Refund sent, sorry!"),
            lambda: jo.submits(modal, draft="Refund sent, sorry!"),
        )
        assert queue(flare.redis, QueueName.ACT).count == 2  # both submits were taken...
    flare.work()

    assert len(flare.replies_on_x()) == 1  # ...and posted once
    assert len(flare.x.requests_to("POST /2/tweets")) == 1


# the three seconds -----------------------------------------------------------------------------
def test_a_click_is_acknowledged_while_slack_itself_is_stalled(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    stalled = threading.Event()
    flare.slack.on_call = lambda call: stalled.wait(30)  # every call Flare makes hangs

    payload = block_actions(ActionId.CLAIM.value, case_id, user=AGENT)
    try:
        answer = post_signed(flare.events, SIGNING_SECRET, payload)
        assert answer.status_code == 200  # acked before any Slack call came back
    finally:
        stalled.set()
        flare.slack.on_call = None
    flare.settle()
    assert "Claimed by <@U0AGENT1>" in flare.card_text(case_id)


def at_once(flare: Session, *actions: Callable[[], object]) -> None:
    """Run the actions on threads released together, as two people clicking at the same moment,
    then let the worker catch up."""
    start = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        start.wait()
        try:
            action()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    with flare.worker_stopped():  # RQ's worker runs on the main thread only
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    flare.settle()


# a case is a conversation --------------------------------------------------------------------
def test_a_customer_who_writes_again_joins_their_case_and_its_holder_is_told(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT, name="Priya N", username="priya_n")
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.REPLY, case_id), draft="Hi Priya, looking into it now.")
    first_due = flare.case(case_id).decision.due
    cards_before = len(flare.posts_in("C0ALERTS"))

    later = flare.customer_writes_again(
        case_id,
        "@acme any update? still waiting",
        created_at=datetime.now(UTC) + timedelta(minutes=5),
    )

    case = flare.case(case_id)
    assert [p.id for p in case.follow_ups] == [later]
    assert flare.store.get(later) is None  # not a case of its own
    assert len(flare.posts_in("C0ALERTS")) == cards_before  # no second card
    assert "any update? still waiting" in flare.card_text(case_id)
    assert flare.thread(case_id)[-1] == (
        "💬 <@U0AGENT1>, the customer wrote again: @acme any update? still waiting"
    )
    assert case.decision.due is not None and first_due is not None
    assert case.decision.due > first_due  # answered once, so the response target starts again
    assert case.state is CaseState.CLAIMED and case.awaiting_answer


def test_writing_again_before_any_answer_does_not_move_the_target_later(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    first_due = flare.case(case_id).decision.due

    flare.customer_writes_again(
        case_id, "@acme hello??", created_at=datetime.now(UTC) + timedelta(minutes=5)
    )

    assert flare.case(case_id).decision.due == first_due


def test_a_follow_up_with_nothing_to_answer_alone_still_reaches_the_case(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)

    flare.customer_writes_again(case_id, "@acme ok")

    case = flare.case(case_id)
    assert len(case.follow_ups) == 1 and case.state is CaseState.OPEN
    assert flare.thread(case_id)[-1] == "💬 The customer wrote again: @acme ok"


def test_a_legal_threat_in_a_follow_up_escalates_the_case_and_tells_pr(flare: Session) -> None:
    case_id = flare.someone_posts("@acme where is my parcel? ordered a week ago")
    assert flare.case(case_id).decision.action.value == "respond"

    flare.customer_writes_again(
        case_id, "@acme third time asking. if it is not here tomorrow my lawyer will sue you"
    )

    case = flare.case(case_id)
    assert case.decision.action.value == "escalate_pr" and case.decision.priority is not None
    assert case.decision.priority.value == "P1"
    assert "Escalate to PR" in flare.card_text(case_id)
    told = [t for t in flare.thread(case_id) if t.startswith("🚨")]
    assert len(told) == 1 and "<@U0PR>" in told[0]
    assert any("The case is now escalate_pr P1." in t for t in flare.thread(case_id))


def test_a_closed_case_reopens_when_the_customer_writes_again(flare: Session) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.CLOSE, case_id), reason="resolved with the customer")
    assert flare.case(case_id).state is CaseState.RESOLVED

    flare.customer_writes_again(case_id, "@acme I was charged twice AGAIN this morning")

    case = flare.case(case_id)
    assert case.state is CaseState.OPEN and case.closed_by is None
    assert ActionId.CLAIM in flare.buttons(case_id)
    assert flare.thread(case_id)[-1].startswith("💬 The customer wrote again, so the case is open")


def test_a_customer_writing_long_after_a_case_closed_opens_a_new_case_linked_to_it(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    jo.submits(jo.opens(ActionId.CLOSE, case_id), reason="resolved with the customer")

    weeks_later = datetime.now(UTC) + timedelta(days=8)
    later = flare.customer_writes_again(
        case_id, "@acme charged twice again, same card", created_at=weeks_later
    )

    assert flare.case(case_id).state is CaseState.RESOLVED
    assert flare.case(later).linked_to == case_id
    assert f"Follows an earlier case of this conversation ({case_id})" in flare.card_text(later)


def test_someone_else_writing_in_the_conversation_gets_a_case_of_their_own(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT)
    conversation = flare.case(case_id).mention.conversation_id or case_id
    me_too = flare.x.publish(
        "@acme me too!! charged twice",
        author="603",
        conversation_id=conversation,
        referenced_tweets=[{"type": "replied_to", "id": case_id}],
    )

    flare.someone_posts("@acme hello?", author="604")  # the next poll takes both in

    assert flare.case(case_id).follow_ups == ()
    assert flare.case(str(me_too["id"])).mention.author.id == "603"
