"""PR paged down the chain until someone acknowledges, scripted end to end: incidents opened by
hand and by an agent's escalation, pages as Slack DMs, PagerDuty-shaped events and email, each
step on time, Acknowledge and Can't take it, the races, the chain running out, and the close.

Every click and command goes to the real Bolt app, signed; steps run in the real RQ worker as
its scheduler would run them when the session's clock passes their time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from pydantic import SecretStr

from bot.action_ids import ActionId
from cli.standin import SlackStandIn
from flare import keys
from flare.outcome import Actor, Outcome
from flare.paging import audit_id
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from flare.words import plain
from rules.playbook import default_playbook_path
from tests.conftest import SIGNING_SECRET
from tests.fakes.pager import FakePager
from tests.fakes.slack import slash_command
from tests.fakes.smtp import FakeSmtp
from tests.fakes.x_api import FakeX, fake_x
from tests.session import AGENT, LEAD, PR, Session, start_session
from workers import pages, runtime
from workers.send_budget import SendBudget

__all__ = ["fake_x"]

ANA, BEN = "U0ANA", "U0BEN"  # the outage chain: Ana on Slack, then Ben by email and Slack
CHAIN = [
    {"name": "Ana", "slack": ANA},
    {"name": "Ben", "slack": BEN, "email": "ben@example.com"},
]


@pytest.fixture
def flare(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_x: FakeX,
    fake_pager: FakePager,
    fake_smtp: FakeSmtp,
    serve_wsgi: Callable[[Any], str],
) -> Session:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["crisis"] = {"ack_within": "30s", "repeat": 2, "contacts": {"outage": CHAIN}}
    plan["spike"]["overwhelming_count"] = 5  # a small flood is a spike, cold or warm
    plan["spike"]["min_count"] = 5
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
            "agents": (AGENT,),
            "pr_team": (PR,),
            "leads": (LEAD,),
            "send_per_second": 20,
            "redraw_gap_ms": 0,
            "incident_edit_gap_ms": 0,
        },
        x=fake_x.settings(),
        pager=fake_pager.settings(),
        smtp=fake_smtp.settings(),
    )
    return start_session(settings, redis_client, fake_slack, fake_x, serve_wsgi)


def command(flare: Session, text: str, user: str = PR) -> str:
    """Type `/flare <text>` in Slack; what Flare answered, privately."""
    response = slash_command(flare.url, text, user=user)
    assert response.status_code == 200, response.text
    flare.settle()
    return str(response.json()["text"])


def pages_to(flare: Session, user: str) -> list[dict[str, Any]]:
    """The messages Flare posted in a person's DMs, oldest first."""
    dm = "D" + user.lstrip("U")  # the stand-in's DM ids
    return [c.args for c in flare.slack.calls_to("chat.postMessage") if c.args["channel"] == dm]


def pr_channel(flare: Session) -> list[str]:
    return [
        c.args.get("text", "")
        for c in flare.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0PR" and not c.args.get("blocks")
    ]


def click_on_page(flare: Session, user: str, action: ActionId) -> None:
    """Click a button on the newest page this person got."""
    dm = "D" + user.lstrip("U")
    newest = max((k for k in flare.slack.messages if k[0] == dm), key=lambda k: float(k[1]))
    flare.click_button(user, action, newest)


def audit(flare: Session) -> list[str]:
    incident = flare.store.redis.hget("flare:incident:outage", "id")
    assert incident is not None
    return [e.what for e in flare.store.trail.of_case(audit_id(incident.decode()))]


# opening and the first page ------------------------------------------------------------------
def test_opening_an_incident_pages_the_first_contact_everywhere_they_can_be_reached(
    flare: Session, fake_pager: FakePager
) -> None:
    said = command(flare, "crisis open outage")

    assert said.startswith("Opened the outage incident")
    [page] = pages_to(flare, ANA)
    actions = json.dumps(page["blocks"])
    assert ActionId.ACKNOWLEDGE.value in actions and ActionId.PASS.value in actions
    assert any("Paging <@U0ANA>" in line for line in pr_channel(flare))
    [event] = fake_pager.events
    assert event["event_action"] == "trigger" and event["dedup_key"].startswith("outage-")
    assert audit(flare) == ["incident-open", "open-by-hand", "page"]


def test_only_pr_and_the_leads_may_open_an_incident_by_hand(flare: Session) -> None:
    said = command(flare, "crisis open outage", user=AGENT)

    assert said == "Only the PR team, the leads and the people paged may do that."
    assert pages_to(flare, ANA) == []


def test_an_agents_escalation_opens_the_incident_and_pages_the_chain(flare: Session) -> None:
    case_id = flare.someone_posts("@acme the whole app has been down for an hour")
    agent = flare.agent(AGENT)
    agent.clicks(ActionId.CLAIM, case_id)

    agent.submits(agent.opens(ActionId.ESCALATE, case_id), topic="outage", severity="critical")

    assert len(pages_to(flare, ANA)) == 1
    assert flare.case(case_id).escalated_to == "outage"


# the chain -----------------------------------------------------------------------------------
def test_with_no_acknowledgement_the_next_contact_is_paged_when_the_step_runs_out(
    flare: Session, fake_smtp: FakeSmtp
) -> None:
    command(flare, "crisis open outage")

    flare.time_passes(minutes=0.4)  # 24 s: Ana still has time
    assert pages_to(flare, BEN) == []

    flare.time_passes(minutes=0.2)  # 36 s
    assert len(pages_to(flare, BEN)) == 1
    [mail] = fake_smtp.received
    assert list(mail.rcpt_tos) == ["ben@example.com"] and "outage" in mail.subject


def test_acknowledging_the_page_stops_the_chain_at_once(
    flare: Session, fake_pager: FakePager
) -> None:
    command(flare, "crisis open outage")

    click_on_page(flare, ANA, ActionId.ACKNOWLEDGE)
    flare.time_passes(minutes=10)

    assert pages_to(flare, BEN) == []
    assert [e["event_action"] for e in fake_pager.events] == ["trigger", "acknowledge"]
    assert any("<@U0ANA> acknowledged the *outage* incident" in t for t in pr_channel(flare))
    assert audit(flare) == ["incident-open", "open-by-hand", "page", "acknowledge"]


def test_an_acknowledgement_that_races_a_step_leaves_that_step_paging_nobody(
    flare: Session,
) -> None:
    command(flare, "crisis open outage")
    with flare.worker_stopped():
        flare.time_passes(minutes=1)  # Ben's step is queued, not yet run
        assert command(flare, "ack outage", user=ANA).startswith("You acknowledged")
    flare.work()  # now the queued step runs

    assert pages_to(flare, BEN) == []
    assert "page" not in audit(flare)[audit(flare).index("acknowledge") :]


def test_a_second_acknowledgement_is_told_who_acknowledged_first(flare: Session) -> None:
    command(flare, "crisis open outage")
    command(flare, "ack outage", user=ANA)

    said = command(flare, "ack", user=PR)

    assert said == "Already acknowledged by <@U0ANA>: paging has stopped."


def test_cant_take_it_pages_the_next_contact_now(flare: Session) -> None:
    command(flare, "crisis open outage")

    click_on_page(flare, ANA, ActionId.PASS)

    assert len(pages_to(flare, BEN)) == 1
    flare.time_passes(minutes=0.6)  # the step Ana passed on never fires a second page
    assert len(pages_to(flare, BEN)) == 1 and len(pages_to(flare, ANA)) == 2


def test_when_the_repeats_run_out_pr_and_the_leads_are_told_nobody_acknowledged(
    flare: Session,
) -> None:
    command(flare, "crisis open outage")

    for _ in range(5):
        flare.time_passes(minutes=0.6)

    assert len(pages_to(flare, ANA)) == 2 and len(pages_to(flare, BEN)) == 2
    [told] = [t for t in pr_channel(flare) if t.startswith("⚠️ Nobody acknowledged")]
    assert "<@U0LEAD>" in told
    assert audit(flare)[-1] == "nobody-acknowledged"


def test_closing_stops_paging_resolves_the_pager_and_tells_pr(
    flare: Session, fake_pager: FakePager
) -> None:
    command(flare, "crisis open outage")

    said = command(flare, "crisis close outage service restored, statement posted")
    flare.time_passes(minutes=10)

    assert said.startswith("Closed the outage incident")
    assert pages_to(flare, BEN) == []
    assert [e["event_action"] for e in fake_pager.events] == ["trigger", "resolve"]
    assert any("service restored, statement posted" in t for t in pr_channel(flare))
    assert command(flare, "ack outage", user=ANA).startswith("That incident is closed")
    [(_, page)] = [(k, m) for k, m in flare.slack.messages.items() if k[0] == "D0ANA"]
    assert "actions" not in json.dumps(page["blocks"])  # the page lost its buttons


def test_a_step_of_a_closed_incident_sends_nothing_after_the_topic_opens_again(
    flare: Session, fake_pager: FakePager
) -> None:
    command(flare, "crisis open outage")
    closed = flare.paging_incident("outage")
    command(flare, "crisis close outage fixed")
    command(flare, "crisis open outage")  # a new incident on the same topic: open again
    sent: list[str] = []

    went = pages._once(
        runtime.current(), closed, "a-step-in-flight", "pager", lambda: sent.append("x")
    )

    assert (went, sent) == (False, [])
    assert flare.paging_incident("outage").id != closed.id


# the roll-up ---------------------------------------------------------------------------------
OUTAGE = "@acme the app is down again, can't log in to check my bill. awful"


def test_an_incident_that_opens_folds_in_the_topics_cards_from_the_spike_window(
    flare: Session,
) -> None:
    early = [flare.someone_posts(OUTAGE, author=str(601 + i)) for i in range(3)]
    assert {flare.case(c).decision.topic for c in early} == {"outage"}
    flare.agent(AGENT).clicks(ActionId.CLAIM, early[0])

    command(flare, "crisis open outage")

    incident = flare.paging_incident("outage")
    assert incident.count == 3 and set(incident.recent) == set(early)
    for case_id in early:
        assert flare.case(case_id).rolled_into == "outage"
        assert "Rolled up into the *outage* incident" in flare.card_text(case_id)
    assert "Reply anyway" in flare.card_text(early[0])


def test_a_card_closed_before_the_incident_opened_is_not_folded_in(flare: Session) -> None:
    closed = flare.someone_posts(OUTAGE, author="601")
    agent = flare.agent(AGENT)
    agent.clicks(ActionId.CLAIM, closed)
    agent.submits(agent.opens(ActionId.CLOSE, closed), reason="duplicate")

    command(flare, "crisis open outage")

    assert flare.case(closed).rolled_into is None
    assert flare.paging_incident("outage").count == 0


# drills and the plan -------------------------------------------------------------------------
def test_a_drill_pages_the_real_chain_marked_as_a_drill(flare: Session) -> None:
    said = runtime.current().paging.drill("outage", Actor(LEAD))
    flare.work()

    assert said.ok and "Drill outage-drill opened" in plain(said.says)
    [page] = pages_to(flare, ANA)
    assert "🧪 DRILL" in json.dumps(page["blocks"], ensure_ascii=False)
    assert any(line.startswith("🧪 DRILL") for line in pr_channel(flare))
    assert command(flare, "ack outage-drill", user=ANA).startswith("You acknowledged")
    assert flare.replies_on_x() == []  # a drill posts nothing on X


def test_a_drill_for_a_topic_nobody_is_paged_for_says_so(flare: Session) -> None:
    said = runtime.current().paging.drill("billing", Actor(LEAD))

    assert not said.ok and plain(said.says) == "The playbook names nobody to page for billing."


# re-page on a jump ---------------------------------------------------------------------------
def complaints_pour_in(flare: Session, how_many: int) -> None:
    paging = runtime.current().paging
    for n in range(how_many):
        paging.open("outage", f"later-{n}", "a spike of complaints")
    flare.work()


def test_a_jump_after_the_acknowledgement_asks_the_acknowledger_again_then_repages(
    flare: Session,
) -> None:
    command(flare, "crisis open outage")
    command(flare, "ack outage", user=ANA)

    complaints_pour_in(flare, 4)

    jump = pages_to(flare, ANA)[-1]
    assert "jumped" in jump["text"] and ActionId.ACKNOWLEDGE.value in json.dumps(jump["blocks"])
    assert any("is asked to acknowledge again" in line for line in pr_channel(flare))
    card = json.dumps(flare.slack.messages[flare.incident_card("outage")]["blocks"])
    assert "It jumped after <@U0ANA> acknowledged" in card
    pages_before = len(pages_to(flare, ANA))
    flare.time_passes(minutes=0.6)  # no fresh acknowledgement within the first step's time
    assert len(pages_to(flare, ANA)) == pages_before + 1  # the chain starts again
    assert "jump" in audit(flare)


def test_a_fresh_acknowledgement_after_a_jump_keeps_the_chain_quiet(flare: Session) -> None:
    command(flare, "crisis open outage")
    command(flare, "ack outage", user=ANA)
    complaints_pour_in(flare, 4)
    pages_before = len(pages_to(flare, ANA))

    click_on_page(flare, ANA, ActionId.ACKNOWLEDGE)
    flare.time_passes(minutes=10)

    assert len(pages_to(flare, ANA)) == pages_before and pages_to(flare, BEN) == []


def test_a_steady_trickle_after_the_acknowledgement_is_no_jump(flare: Session) -> None:
    command(flare, "crisis open outage")
    command(flare, "ack outage", user=ANA)

    complaints_pour_in(flare, 2)

    assert len(pages_to(flare, ANA)) == 1 and "jump" not in audit(flare)


def test_a_drill_has_no_statement_to_post(flare: Session) -> None:
    runtime.current().paging.drill("outage", Actor(LEAD))
    flare.work()
    incident = flare.paging_incident("outage-drill")

    form = runtime.current().statements.form("outage-drill", incident.id, Actor(PR))

    assert isinstance(form, Outcome) and plain(form.says).startswith("A drill posts nothing on X")


def test_closing_puts_the_rolled_up_cases_back_in_the_queue(flare: Session) -> None:
    early = [flare.someone_posts(OUTAGE, author=str(601 + i)) for i in range(2)]
    command(flare, "crisis open outage")

    command(flare, "crisis close outage fixed at 10:40")

    for case_id in early:
        case = flare.case(case_id)
        assert case.rolled_into is None and case.state.value == "open"
        assert "Rolled up" not in flare.card_text(case_id)


def test_closing_with_resolve_resolves_the_rolled_up_cases_with_the_incident(
    flare: Session,
) -> None:
    early = [flare.someone_posts(OUTAGE, author=str(601 + i)) for i in range(2)]
    command(flare, "crisis open outage")

    said = command(flare, "crisis close outage resolve statement posted, service back")

    assert "its cases resolved with it" in said
    for case_id in early:
        case = flare.case(case_id)
        assert case.state.value == "resolved"
        assert case.close_reason == "answered by the incident's statement"
    assert any("statement posted, service back" in line for line in pr_channel(flare))


def test_oncall_in_slack_names_the_chain_in_order(flare: Session) -> None:
    said = command(flare, "crisis oncall outage", user=AGENT)

    assert said == (
        "Paged for outage, in order:\n1. <@U0ANA>, 30 s to acknowledge\n"
        "2. <@U0BEN>, 30 s to acknowledge\nThe chain runs 2 time(s)."
    )


def test_a_spike_of_complaints_opens_the_incident_folds_the_earlier_cards_and_pages(
    flare: Session,
) -> None:
    earlier = [flare.someone_posts(OUTAGE, author=str(701 + i)) for i in range(4)]
    assert all(flare.store.card(c) for c in earlier)  # cards, one by one, before the spike

    flood = [flare.someone_posts(OUTAGE, author=str(711 + i)) for i in range(3)]

    incident = flare.paging_incident("outage")
    assert incident.count == 7
    assert incident.cause.startswith("a spike of complaints, judged cold")  # a fresh install
    complaints = [flare.case(c).decision.complaint for c in earlier + flood]
    assert incident.complaints == sum(complaints) > 0
    share = round(100 * incident.complaints / 7)
    card = json.dumps(flare.slack.messages[flare.incident_card("outage")]["blocks"])
    assert f"{share}% complaints" in card
    assert "no usual level learned yet" in card
    assert all(flare.case(c).rolled_into == "outage" for c in earlier)
    assert not any(flare.store.card(c) for c in flood)  # counted on the incident, no card each
    assert len(pages_to(flare, ANA)) == 1


def test_while_an_incident_is_open_a_plain_question_on_its_topic_is_counted_not_carded(
    flare: Session,
) -> None:
    command(flare, "crisis open outage")
    before = flare.paging_incident("outage").count

    asked = flare.someone_posts("@acme is the app down for everyone?", author="801")
    legal = flare.someone_posts("@acme the app is down, my lawyer will hear of it", author="802")

    assert flare.case(asked).decision.action.value == "respond"
    assert flare.case(asked).rolled_into == "outage" and flare.store.card(asked) is None
    assert flare.paging_incident("outage").count == before + 1
    assert flare.store.card(legal) is not None  # a risk of its own still gets its card


def test_a_complaint_in_the_spike_that_carries_a_risk_of_its_own_still_gets_its_card(
    flare: Session,
) -> None:
    for i in range(7):
        flare.someone_posts(OUTAGE, author=str(701 + i))
    before = flare.paging_incident("outage").count

    threat = flare.someone_posts(OUTAGE + ", my lawyer will hear of it", author="790")

    assert flare.case(threat).decision.action.value == "crisis"
    assert flare.paging_incident("outage").count == before + 1
    assert flare.store.card(threat) is not None


def test_a_post_counted_on_an_incident_is_findable_and_claimable_from_it(flare: Session) -> None:
    for i in range(7):
        flare.someone_posts(OUTAGE, author=str(701 + i))
    latest = flare.paging_incident("outage").recent[0]
    assert flare.store.card(latest) is None

    listed = slash_command(flare.url, "crisis status outage", user=AGENT).json()
    assert "no card each: claim one here" in json.dumps(listed["blocks"])
    flare.agent(AGENT).clicks(ActionId.CLAIM, latest)

    assert flare.case(latest).claimed_by == AGENT
    assert flare.store.card(latest) is not None  # carded once claimed, to be answered


def test_a_page_whose_pr_channel_line_slack_refused_is_retried_without_a_second_dm(
    flare: Session,
) -> None:
    def refuse_the_pr_line(call: Any) -> None:
        if call.method == "chat.postMessage" and call.args.get("channel") == "D0ANA":
            flare.slack.fail("chat.postMessage", error="fatal_error")

    flare.slack.on_call = refuse_the_pr_line
    command(flare, "crisis open outage")
    flare.slack.on_call = None
    flare.work()  # the step's retry

    assert len(pages_to(flare, ANA)) == 1
    assert any("Paging <@U0ANA>" in line for line in pr_channel(flare))


def test_a_page_whose_dm_slack_refuses_still_goes_to_the_pager_and_the_pr_channel_at_once(
    flare: Session, fake_pager: FakePager
) -> None:
    flare.slack.fail("conversations.open", error="user_not_found", times=10)

    command(flare, "crisis open outage")  # the step runs, and its retries after it

    assert pages_to(flare, ANA) == []
    [event] = fake_pager.events  # sent on the first try, and once
    assert event["event_action"] == "trigger"
    assert any("Paging <@U0ANA>" in line for line in pr_channel(flare))
    assert flare.store.stats()["pages"] == 1  # however many tries the DM took


def test_a_paging_line_still_waiting_for_its_slot_is_dropped_once_the_incident_is_acknowledged(
    flare: Session,
) -> None:
    SendBudget(flare.redis).backoff("C0PR", 60)  # PR's channel is held: its lines wait

    command(flare, "crisis open outage")
    assert len(pages_to(flare, ANA)) == 1  # the DM went out at once
    command(flare, "ack outage", user=ANA)
    flare.redis.delete(keys.send_hold("C0PR"))
    flare.time_passes(minutes=2)

    lines = pr_channel(flare)
    assert any("acknowledged" in line for line in lines)
    assert not any("Paging" in line for line in lines)  # no page after the acknowledgement
