"""The agents' workflow in Microsoft Teams, scripted: a post on X becomes a card in the team
channel; agents claim, reply, escalate and resolve from it; a page reaches a contact in a
personal chat and is acknowledged there; and one case worked from Slack and Teams at once.

Every press is an invoke activity signed for real by the fake Bot Connector and posted to the
bot's /api/messages; the workers post and update cards on the fake's serviceUrl through the
Bot Connector REST API; slow work runs in the real RQ worker; replies reach the fake X.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import yaml
from pydantic import SecretStr

from bot.action_ids import ActionId
from bot.app import slack_routes
from cli.standin import SlackStandIn
from cli.wiring import build_app_for, build_runtime, teams_routes_for
from flare import keys
from flare.case import CaseState
from flare.http import router
from flare.incidents import Incidents
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.playbook import default_playbook_path
from tests.conftest import SIGNING_SECRET
from tests.fakes.pager import FakePager
from tests.fakes.teams import (
    APP_ID,
    CHANNEL,
    PR_CHANNEL,
    FakeConnector,
    Message,
    card_press,
    fake_teams,
    post_activity,
)
from tests.fakes.x_api import BRAND_ID, FakeX, fake_x
from tests.session import AGENT, LEAD, OTHER_AGENT, PR, Clock, ListenerPool, Session
from workers import runtime
from workers import teams as teams_jobs
from workers.send_budget import SendBudget

__all__ = ["fake_teams", "fake_x"]

COMPLAINT = "@acme I was charged twice for my order #4471 and nobody answers my emails"
JO_AAD, SAM_AAD, ANA_AAD, LEE_AAD = (
    "aaaaaaaa-0000-4000-8000-000000000001",
    "aaaaaaaa-0000-4000-8000-000000000002",
    "aaaaaaaa-0000-4000-8000-000000000003",
    "aaaaaaaa-0000-4000-8000-000000000004",
)
ANA = "U0ANA"  # first in the outage chain, in Slack and in Teams


@dataclass
class TeamsUser:
    """Someone in Teams, pressing the buttons of the cards Flare posted."""

    flare: Session
    teams: FakeConnector
    user: str  # Teams user id
    aad: str
    name: str

    def presses(
        self, title: str, message: Message, *, trigger: str = "manual", **inputs: str
    ) -> requests.Response:
        """Press the button called `title` (or a form's send button) on a message as it is now,
        with the form's inputs; returns the bot's HTTP answer."""
        verb, data = button(message.card, title)
        activity = card_press(
            verb,
            {**data, **inputs},
            user=self.user,
            aad=self.aad,
            name=self.name,
            conversation=message.conversation,
            reply_to=message.id,
            service_url=self.teams.service_url,
            trigger=trigger,
        )
        response = post_activity(self.flare.url, activity, self.teams.sign())
        self.flare.settle()
        return response


def views(person: TeamsUser, message: Message) -> dict[str, Any]:
    """The card as `person`'s Teams shows it when they look: its automatic refresh, answered."""
    refresh = message.card["refresh"]["action"]
    activity = card_press(
        refresh["verb"],
        refresh["data"],
        user=person.user,
        aad=person.aad,
        name=person.name,
        reply_to=message.id,
        service_url=person.teams.service_url,
        trigger="automatic",
    )
    answer = post_activity(person.flare.url, activity, person.teams.sign())
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["value"])


def button(card: dict[str, Any], title: str) -> tuple[str, dict[str, Any]]:
    """(verb, data) of the Action.Execute titled `title`, on the card or in one of its forms."""
    for action in card.get("actions", []):
        if action["type"] == "Action.Execute" and action["title"] == title:
            return action["verb"], action["data"]
        if action["type"] == "Action.ShowCard":
            try:
                return button(action["card"], title)
            except LookupError:
                continue
    raise LookupError(f"no button {title!r} on the card")


def titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", []) if a["type"] != "Action.OpenUrl"]


def card_text(card: dict[str, Any]) -> str:
    """The card's text blocks, one a line, as the markdown Teams renders."""
    return "\n".join(b["text"] for b in card.get("body", []) if b["type"] == "TextBlock")


@dataclass
class Both:
    """Flare with Slack and Teams at once."""

    session: Session
    teams: FakeConnector

    def teams_card(self, case_id: str) -> Message:
        where = self.session.redis.hgetall(keys.teams_card(case_id))
        assert where, f"case {case_id} has no card in Teams"
        key = (where[b"conversation"].decode(), where[b"activity"].decode())
        return self.teams.messages[key]

    def in_teams(self, user: str, aad: str, name: str) -> TeamsUser:
        return TeamsUser(self.session, self.teams, user, aad, name)


@pytest.fixture
def both(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_x: FakeX,
    fake_teams: FakeConnector,
    fake_pager: FakePager,
    serve_wsgi: Callable[[Any], str],
) -> Both:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["crisis"] = {"ack_within": "30s", "repeat": 1, "contacts": {"outage": [
        {"name": "Ana", "slack": ANA},
        {"name": "Ben", "email": "ben@example.com"},
    ]}}  # fmt: skip
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(yaml.safe_dump(plan))
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        playbook=playbook,
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
            "send_per_second": 20,
            "redraw_gap_ms": 0,
        },
        teams=fake_teams.settings(
            agents=(SAM_AAD,),
            people=(f"{JO_AAD}={AGENT}", f"{ANA_AAD}={ANA}", f"{LEE_AAD}={LEAD}"),
            send_per_second=7,
            pr_channel=PR_CHANNEL,
        ),
        x=fake_x.settings(),
        pager=fake_pager.settings(),
    )
    clock = Clock()
    runtime.install(build_runtime(settings, redis_client, clock=clock))
    pool = ListenerPool()
    slack = slack_routes(build_app_for(settings, redis_client, pool, clock=clock), SIGNING_SECRET)
    teams = teams_routes_for(settings, redis_client, clock)
    url = serve_wsgi(router(redis_client, {**slack, **teams}))
    session = Session(settings, redis_client, fake_slack, fake_x, url, pool, clock)
    return Both(session, fake_teams)


def jo(both: Both) -> TeamsUser:
    """Jo works in Teams; settings map her to her Slack id, so she is one person in both."""
    return both.in_teams("29:jo", JO_AAD, "Jo Doe")


# the scripted session, in Teams --------------------------------------------------------------
def test_an_agent_in_teams_claims_a_complaint_replies_on_x_and_resolves_it(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT, name="Priya N", username="priya_n", followers=310)
    card = both.teams_card(case_id)
    assert card.conversation == CHANNEL
    assert "charged twice for my order \\#4471" in card_text(card.card)
    assert titles(card.card) == ["Claim", "Snooze reminder"]  # as in Slack

    answer = jo(both).presses("Claim", card)
    assert answer.status_code == 200
    body = answer.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    mine = body["value"]
    assert "Claimed by **Jo Doe**" in card_text(mine)
    reply_input = next(a for a in mine["actions"] if a["title"] == "Reply")["card"]["body"][0]
    assert reply_input["value"].startswith("Hi Priya")  # her own view carries the draft
    card = both.teams_card(case_id)  # everyone's card was redrawn by the worker
    assert "Claimed by **Jo Doe**" in card_text(card.card)
    assert titles(card.card)[:2] == ["Reply", "DM"]
    assert card.card["refresh"]["userIds"] == ["29:jo"]

    jo(both).presses("Post reply", card, draft="Hi Priya, sorry about the double charge: refunded.")
    (reply,) = flare.replies_on_x()
    assert reply["text"] == "Hi Priya, sorry about the double charge: refunded. ^JD"
    card = both.teams_card(case_id)
    assert "Replied on X by **Jo Doe**" in card_text(card.card)

    jo(both).presses("Close the case", card, reason="resolved with the customer")
    assert flare.case(case_id).state is CaseState.RESOLVED
    card = both.teams_card(case_id)
    assert titles(card.card) == ["Reopen"]
    assert [m.text for m in both.teams.in_conversation(f"{CHANNEL};messageid={card.id}")] == [
        "<at>Jo Doe</at> claimed this case.",
        f"<at>Jo Doe</at> replied on X: https://x.com/i/status/{reply['id']}",
        "<at>Jo Doe</at> closed this case as resolved: resolved with the customer.",
    ]  # the thread @mentions her, as Slack's does
    # one person in the audit, whichever surface she used
    assert {e.who for e in flare.store.trail.of_case(case_id) if e.who != "flare"} == {AGENT}


def test_an_agent_in_teams_snoozes_the_reminder_of_a_case_nobody_holds(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)  # 30 minutes: reminded at 15 unless snoozed
    flare.time_passes(minutes=5)

    jo(both).presses("Snooze reminder", both.teams_card(case_id))

    assert flare.case(case_id).snoozed_by == AGENT
    card = both.teams_card(case_id)
    assert "snoozed by **Jo Doe**" in card_text(card.card)
    flare.time_passes(minutes=11)
    assert not [t for t in flare.thread(case_id) if t.startswith("⏳")]


def test_an_agent_in_teams_is_on_an_overdue_case_and_the_overdue_reminders_stop(
    both: Both,
) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    flare.time_passes(minutes=31)
    card = both.teams_card(case_id)
    assert titles(card.card)[:2] == ["Claim", "I'm on it"]

    jo(both).presses("I'm on it", card)

    assert flare.case(case_id).on_it_by == AGENT
    card = both.teams_card(case_id)
    assert "I'm on it" not in titles(card.card)
    assert "**Jo Doe** is on it" in card_text(card.card)
    assert "<@U0AGENT1> is on it" in flare.card_text(case_id)  # Slack's card says so too
    told = [t for t in flare.thread(case_id) if t.startswith("⏰")]
    flare.time_passes(minutes=120)  # the playbook's chain tells the leads 15 minutes on
    assert [t for t in flare.thread(case_id) if t.startswith("⏰")] == told


def test_an_agent_in_teams_escalates_a_safety_risk_to_pr(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts("@acme your heater caught fire in my kitchen last night")
    assert both.teams_card(case_id).conversation == PR_CHANNEL  # carded where PR sees it
    jo(both).presses("Claim", both.teams_card(case_id))

    card = both.teams_card(case_id)
    answer = jo(both).presses("Escalate", card, topic="safety", severity="critical", note="photos")

    assert answer.status_code == 200
    assert flare.case(case_id).escalated_to == "safety"
    assert Incidents(flare.redis).get("safety") is not None
    assert "Escalated to PR (safety)" in card_text(both.teams_card(case_id).card)


def test_a_page_reaches_a_contact_in_teams_and_is_acknowledged_there(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts("@acme the whole app has been down for an hour")
    jo(both).presses("Claim", both.teams_card(case_id))
    jo(both).presses("Escalate", both.teams_card(case_id), topic="outage", severity="critical")

    chat = f"a:personal-{ANA_AAD}"
    [page] = both.teams.in_conversation(chat)
    assert "You are paged for a crisis on **outage**" in card_text(page.card)
    assert titles(page.card) == ["Acknowledge", "Can't take it"]

    ana = both.in_teams("29:ana", ANA_AAD, "Ana")
    answer = ana.presses("Acknowledge", page).json()

    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "You acknowledged the outage incident" in card_text(answer["value"])
    incident = Incidents(flare.redis).get("outage")
    assert incident is not None and incident.acked_by == ANA
    [page] = both.teams.in_conversation(chat)  # its buttons are gone for everyone
    assert "**Ana** acknowledged the outage incident" in card_text(page.card)
    assert "actions" not in page.card
    flare.time_passes(minutes=5)
    assert both.teams.in_conversation(chat) == [page]  # nobody is paged after it


def test_a_teams_hiccup_on_a_page_neither_holds_up_nor_doubles_the_other_channels(
    both: Both, fake_pager: FakePager
) -> None:
    flare = both.session
    case_id = flare.someone_posts("@acme the whole app has been down for an hour")
    jo(both).presses("Claim", both.teams_card(case_id))
    both.teams.fail_next(502)  # Teams stumbles on the first call after this: opening Ana's chat

    jo(both).presses("Escalate", both.teams_card(case_id), topic="outage", severity="critical")

    assert [e["event_action"] for e in fake_pager.events] == ["trigger"]  # sent, and once
    assert both.teams.failed == [("POST", "/teams/v3/conversations")]  # her chat, at first
    [page] = both.teams.in_conversation(f"a:personal-{ANA_AAD}")  # the retry paged her
    assert titles(page.card) == ["Acknowledge", "Can't take it"]
    assert len(flare.slack.calls_to("conversations.open")) == 1  # her Slack DM once too


def test_a_jump_after_an_acknowledgement_in_teams_asks_again_there(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts("@acme the whole app has been down for an hour")
    jo(both).presses("Claim", both.teams_card(case_id))
    jo(both).presses("Escalate", both.teams_card(case_id), topic="outage", severity="critical")
    chat = f"a:personal-{ANA_AAD}"
    both.in_teams("29:ana", ANA_AAD, "Ana").presses(
        "Acknowledge", both.teams.in_conversation(chat)[0]
    )

    paging = runtime.current().paging
    for n in range(4):  # complaints pour in: the rate jumps
        paging.open("outage", f"later-{n}", "a spike of complaints")
    flare.work()

    # Flare now knows her Teams user id (from her press), and opens her chat with it
    [asked] = both.teams.in_conversation("a:personal-29:ana")
    assert "The **outage** incident you acknowledged jumped" in card_text(asked.card)
    assert titles(asked.card) == ["Acknowledge", "Can't take it"]


# one case, two surfaces -----------------------------------------------------------------------
def test_a_claim_in_slack_refuses_a_claim_in_teams_and_both_cards_show_it(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    live = both.teams_card(case_id)
    seen = Message(live.conversation, live.id, copy.deepcopy(live.activity))  # Jo's screen

    flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, case_id)
    answer = jo(both).presses("Claim", seen).json()["value"]

    assert f"This case is already claimed by **{OTHER_AGENT}**" in card_text(answer)
    assert f"Claimed by **{OTHER_AGENT}**" in card_text(answer)
    assert flare.case(case_id).claimed_by == OTHER_AGENT
    assert f"Claimed by **{OTHER_AGENT}**" in card_text(live.card)  # redrawn for everyone
    assert live.versions  # in place: updated, not posted again
    assert len(both.teams.in_conversation(CHANNEL)) == 1
    assert "Claimed by <@U0AGENT2>" in flare.card_text(case_id)  # and in Slack


def test_a_claim_in_teams_refuses_a_claim_in_slack(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)

    jo(both).presses("Claim", both.teams_card(case_id))
    flare.agent(OTHER_AGENT).clicks(ActionId.CLAIM, case_id)

    assert flare.agent(OTHER_AGENT).was_told()[-1] == "This case is already claimed by <@U0AGENT1>."
    assert "Claimed by <@U0AGENT1>" in flare.card_text(case_id)
    assert flare.case(case_id).claimed_by == AGENT


# a lead approves a priority case's reply ---------------------------------------------------------
VIP = {"author": "504", "username": "famous", "followers": 2_400_000, "verified": True}


def test_a_priority_card_tells_the_leads_in_its_teams_thread_with_a_mention(both: Both) -> None:
    case_id = both.session.someone_posts(COMPLAINT, **VIP)

    card = both.teams_card(case_id)
    [heads_up] = both.teams.in_conversation(f"{CHANNEL};messageid={card.id}")
    assert heads_up.text.startswith("👀 <at>U0LEAD</at>: a priority case \\(P2\\) for a lead")
    assert heads_up.activity["entities"] == [
        {
            "type": "mention",
            "text": "<at>U0LEAD</at>",
            "mentioned": {"id": LEE_AAD, "name": "U0LEAD"},
        }
    ]


def test_a_lead_in_teams_approves_the_reply_an_agent_drafted_there(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT, **VIP)
    jo(both).presses("Claim", both.teams_card(case_id))
    jo(both).presses("Post reply", both.teams_card(case_id), draft="Sorry! Refund on its way.")
    assert flare.replies_on_x() == []  # a priority case's reply waits for a lead
    card = both.teams_card(case_id)
    assert "Reply awaiting a lead's approval:\n\nSorry\\! Refund on its way\\." in card_text(
        card.card
    )

    refused = jo(both).presses("Approve and post", card).json()["value"]
    assert "⚠️ Only a team lead may do that." in card_text(refused)

    lee = both.in_teams("29:lee", LEE_AAD, "Lee Lead")
    lee.presses("Approve and post", card)
    (reply,) = flare.replies_on_x()
    assert reply["text"] == "Sorry! Refund on its way. ^JD"


def test_a_lead_cannot_approve_words_they_were_not_shown(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT, **VIP)
    jo(both).presses("Claim", both.teams_card(case_id))
    jo(both).presses("Post reply", both.teams_card(case_id), draft="First draft.")
    live = both.teams_card(case_id)
    seen = Message(live.conversation, live.id, copy.deepcopy(live.activity))  # the lead's screen
    jo(both).presses("Post reply", both.teams_card(case_id), draft="Second, different draft.")

    lee = both.in_teams("29:lee", LEE_AAD, "Lee Lead")
    answer = lee.presses("Approve and post", seen).json()["value"]

    assert "That approval request is out of date" in card_text(answer)
    assert flare.replies_on_x() == []


# the rails ------------------------------------------------------------------------------------
def test_someone_not_on_the_agents_list_is_refused_in_teams_as_in_slack(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    stranger = both.in_teams("29:x", "bbbbbbbb-0000-4000-8000-000000000009", "Stranger")

    answer = stranger.presses("Claim", both.teams_card(case_id)).json()["value"]

    assert "You are not on the list of agents who may act on Flare cards." in card_text(answer)
    assert flare.case(case_id).state is CaseState.OPEN


def test_a_teams_only_agent_acts_under_their_azure_ad_id(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    sam = both.in_teams("29:sam", SAM_AAD, "Sam Roe")

    sam.presses("Claim", both.teams_card(case_id))

    assert flare.case(case_id).claimed_by == SAM_AAD
    assert "Claimed by **Sam Roe**" in card_text(both.teams_card(case_id).card)


def test_an_agent_in_teams_ticks_to_reply_where_the_brand_already_answered(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    flare.x.publish("@user501 we're on it", author=BRAND_ID, mention=False, conversation_id=case_id)

    jo(both).presses("Claim", both.teams_card(case_id))  # a job asks X meanwhile
    mine = views(jo(both), both.teams_card(case_id))
    reply = next(a for a in mine["actions"] if a["title"] == "Reply")["card"]
    assert reply["body"][0]["text"].startswith("The brand already replied in this conversation")
    assert reply["body"][-1]["title"] == "Post anyway: it adds to it"

    card = both.teams_card(case_id)
    answer = jo(both).presses("Post reply", card, draft="Following up: refund sent.").json()
    assert "⚠️ The brand already answered: tick to post anyway." in card_text(answer["value"])
    jo(both).presses("Post reply", card, draft="Following up: refund sent.", confirm="yes")
    assert len(flare.replies_on_x()) == 2


def test_a_reply_sent_twice_by_teams_goes_out_once(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT, name="Priya N")
    jo(both).presses("Claim", both.teams_card(case_id))
    card = both.teams_card(case_id)

    for _ in range(2):  # Teams retries an invoke it thinks went unanswered
        jo(both).presses("Post reply", card, draft="Hi Priya, refund sent.")

    assert len(flare.replies_on_x()) == 1


def test_a_reply_the_core_refuses_is_shown_on_the_card_for_the_agent(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    jo(both).presses("Claim", both.teams_card(case_id))

    answer = jo(both).presses("Post reply", both.teams_card(case_id), draft="  ").json()

    assert "⚠️ Write a reply first." in card_text(answer["value"])
    assert flare.replies_on_x() == []


def test_an_automatic_refresh_answers_the_card_and_updates_nothing(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT, name="Priya N")
    jo(both).presses("Claim", both.teams_card(case_id))
    card = both.teams_card(case_id)
    updates = len(both.teams.updates())
    activity = card_press(
        card.card["refresh"]["action"]["verb"],
        card.card["refresh"]["action"]["data"],
        user="29:jo",
        aad=JO_AAD,
        name="Jo Doe",
        reply_to=card.id,
        service_url=both.teams.service_url,
        trigger="automatic",
    )

    answer = post_activity(flare.url, activity, both.teams.sign())
    flare.settle()

    assert answer.status_code == 200
    assert answer.json()["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Claimed by **Jo Doe**" in card_text(answer.json()["value"])
    assert len(both.teams.updates()) == updates  # no shared update: that would loop


def test_an_action_submit_from_an_older_client_works_too(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    card = both.teams_card(case_id)
    submit = next(a for a in card.card["actions"] if a["title"] == "Claim")["fallback"]
    activity = {
        **card_press("", {}, user="29:jo", aad=JO_AAD, name="Jo Doe", reply_to=card.id,
                     service_url=both.teams.service_url),
        "type": "message",
        "value": submit["data"],
    }  # fmt: skip
    activity.pop("name")

    answer = post_activity(flare.url, activity, both.teams.sign())
    flare.settle()

    assert answer.status_code == 200
    assert flare.case(case_id).claimed_by == AGENT


# who may post to /api/messages ---------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [
        None,
        "not-a-jwt",
        "expired",
        "for another bot",
        "from another issuer",
        "for another serviceUrl",
        "naming no serviceUrl",
        "signed by someone else",
    ],
)
def test_a_request_without_a_good_token_is_refused(both: Both, token: str | None) -> None:
    flare, fake = both.session, both.teams
    case_id = flare.someone_posts(COMPLAINT)
    card = both.teams_card(case_id)
    activity = card_press(
        "case_claim",
        {"verb": "case_claim", "case": case_id},
        user="29:jo",
        aad=JO_AAD,
        name="Jo Doe",
        reply_to=card.id,
        service_url=fake.service_url,
    )
    signed = {
        None: lambda: None,
        "not-a-jwt": lambda: "not-a-jwt",
        "expired": lambda: fake.sign(exp=1_700_000_000, iat=1_699_990_000, nbf=1_699_990_000),
        "for another bot": lambda: fake.sign(aud="another-app-id"),
        "from another issuer": lambda: fake.sign(iss="https://attacker.example"),
        "for another serviceUrl": lambda: fake.sign(service_url="https://elsewhere.example/t/"),
        "naming no serviceUrl": lambda: fake.sign(serviceurl=None),
        "signed by someone else": lambda: FakeConnector().sign(service_url=fake.service_url),
    }[token]()

    answer = post_activity(flare.url, activity, signed)
    flare.settle()

    assert answer.status_code == 401
    assert flare.case(case_id).state is CaseState.OPEN


def test_a_good_token_for_this_bot_is_accepted(both: Both) -> None:
    case_id = both.session.someone_posts(COMPLAINT)
    token = both.teams.sign(aud=f"api://botid-{APP_ID}")

    activity = card_press(
        "case_claim",
        {"verb": "case_claim", "case": case_id},
        user="29:jo",
        aad=JO_AAD,
        name="Jo Doe",
        service_url=both.teams.service_url,
    )
    assert post_activity(both.session.url, activity, token).status_code == 200


def test_flare_answers_at_the_service_url_teams_last_named_for_the_conversation(
    both: Both,
) -> None:
    flare, fake = both.session, both.teams
    case_id = flare.someone_posts(COMPLAINT)
    card = both.teams_card(case_id)
    moved = f"{fake.base_url}/teams/emea/"  # Teams moved the team to another region
    activity = card_press(
        "case_claim",
        {"verb": "case_claim", "case": case_id},
        user="29:jo",
        aad=JO_AAD,
        name="Jo Doe",
        conversation=f"{CHANNEL};messageid={card.id}",
        reply_to=card.id,
        service_url=moved,
    )

    assert post_activity(flare.url, activity, fake.sign(service_url=moved)).status_code == 200
    flare.settle()

    _, path = fake.updates()[-1]
    assert path.startswith("/teams/emea/v3/conversations/")  # the card redrawn there
    assert "Claimed by **Jo Doe**" in card_text(card.card)


# within Teams' limits -------------------------------------------------------------------------
def test_a_throttled_post_waits_and_goes_out_once(both: Both) -> None:
    flare = both.session
    both.teams.fail_next(429, retry_after=0.2)

    case_id = flare.someone_posts(COMPLAINT)

    assert both.teams.throttled == 1
    assert both.teams_card(case_id).conversation == CHANNEL
    assert len(both.teams.in_conversation(CHANNEL)) == 1


def test_a_card_waiting_for_its_slot_is_posted_once_however_many_jobs_ask(both: Both) -> None:
    flare = both.session
    case_id = flare.someone_posts(COMPLAINT)
    flare.redis.delete(keys.teams_card(case_id))  # as if it were not carded yet
    SendBudget(flare.redis).backoff(f"teams:{CHANNEL}", 60)  # the channel is held a minute

    assert teams_jobs.post_card(case_id) == "deferred"
    assert teams_jobs.post_card(case_id) == "pending"  # e.g. a follow-up carded it again
    assert teams_jobs.post_card(case_id, waited=True) == "deferred"  # the first, still waiting
