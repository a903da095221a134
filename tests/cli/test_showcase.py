"""`flare demo --web` put together, without a browser: the story told, then a case worked and a
page acknowledged through the page's own endpoints, the real Bolt app and the real jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from bot.action_ids import ActionId
from cli.cast import AGENT, LEAD, PR
from cli.showcase import Showcase, start_showcase
from cli.worker import run_until_done
from flare.settings import Settings
from workers import runtime

CLAIM, REPLY, DM, ACK = (
    ActionId.CLAIM.value,
    ActionId.REPLY.value,
    ActionId.DM.value,
    ActionId.ACKNOWLEDGE.value,
)
STATEMENT, APPROVE = ActionId.DRAFT_STATEMENT.value, ActionId.APPROVE_STATEMENT.value


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Showcase]:
    """One demo for the module: each test works a different part of it."""
    data = tmp_path_factory.mktemp("showcase") / "data"
    started = start_showcase(Settings(data_dir=data, redis_url=""), pause=0.1, speed=50)
    yield started
    started.stop()


def until(found: Callable[[], Any], what: str, within: float = 15.0) -> Any:
    """Run the jobs until `found` gives something (the app's listeners run after their ack)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        run_until_done(runtime.current().redis)
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {within} s")


def state(show: Showcase, user: str) -> dict[str, Any]:
    return dict(requests.get(f"{show.site.url}/api/state", params={"as": user}, timeout=5).json())


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: b.get("block_id", "")
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


def test_the_story_plays_the_queue_a_vip_a_legal_threat_then_the_spike(show: Showcase) -> None:
    until(lambda: show.story.status()["done"], "end of the story")

    status = show.story.status()
    assert [a["title"] for a in status["acts"]] == [
        "The normal queue",
        "A VIP",
        "A legal threat",
        "The outage spike",
    ]
    titles = lambda: [m["text"] for m in state(show, AGENT.id)["channels"][1]["messages"]]  # noqa: E731
    assert until(lambda: any("outage" in t for t in titles()), "outage incident card")
    assert len(show.x.posts) == status["posts"] == 101


def test_an_agent_claims_and_replies_and_the_reply_reaches_x(show: Showcase) -> None:
    site = show.site.url

    def claimable() -> dict[str, Any] | None:
        care = state(show, AGENT.id)["channels"][0]["messages"]
        return next((m for m in care if CLAIM in buttons(m) and "Respond:" in m["text"]), None)

    card = until(claimable, "a card to claim")
    click = {"as": AGENT.id, "channel": "#social-care", "ts": card["ts"]}
    requests.post(
        f"{site}/api/click",
        json={**click, "block_id": buttons(card)[CLAIM], "action_id": CLAIM},
        timeout=5,
    )

    def the_card() -> dict[str, Any]:
        care = state(show, AGENT.id)["channels"][0]["messages"]
        return next(m for m in care if m["ts"] == card["ts"])

    claimed = until(lambda: REPLY in buttons(the_card()) and the_card(), "the claimed card")
    requests.post(
        f"{site}/api/click",
        json={**click, "block_id": buttons(claimed)[REPLY], "action_id": REPLY},
        timeout=5,
    )
    modal = until(lambda: state(show, AGENT.id)["modals"], "the reply modal")[0]["view"]
    draft = next(b for b in modal["blocks"] if b.get("block_id") == "draft")
    text = draft["element"]["initial_value"] + " (from the web demo)"
    values = {"draft": {"reply_draft": {"type": "plain_text_input", "value": text}}}

    answer = requests.post(
        f"{site}/api/submit",
        json={"as": AGENT.id, "view_id": modal["id"], "values": values},
        timeout=5,
    ).json()

    assert answer["status"] == 200 and answer["answer"] == {}
    reply = until(lambda: [p for p in show.x.posts if p["kind"] == "reply"], "the reply on X")[0]
    assert reply["text"].startswith(text) and reply["username"] == "acmehelp"
    assert until(lambda: "Replied" in str(the_card()["blocks"]), "the card saying it was replied")
    assert state(show, AGENT.id)["modals"] == []


def test_pr_acknowledges_the_page_from_its_dm(show: Showcase) -> None:
    def page() -> dict[str, Any] | None:
        dms = state(show, PR.id)["dm"]["messages"]
        return next((m for m in dms if ACK in buttons(m)), None)

    paged = until(page, "a page to PR")
    requests.post(
        f"{show.site.url}/api/click",
        json={
            "as": PR.id,
            "channel": "D0DEMOPR",
            "ts": paged["ts"],
            "block_id": buttons(paged)[ACK],
            "action_id": ACK,
        },
        timeout=5,
    )

    notes = until(lambda: state(show, PR.id)["notes"], "word of the acknowledgement")
    assert "cknowledged" in notes[-1]["text"]


def test_an_agent_dms_a_customer_and_the_dm_reaches_x(show: Showcase) -> None:
    site = show.site.url

    def billing_card() -> dict[str, Any] | None:
        care = state(show, AGENT.id)["channels"][0]["messages"]
        return next((m for m in care if CLAIM in buttons(m) and "billing" in m["text"]), None)

    card = until(billing_card, "a billing card")
    click = {"as": AGENT.id, "channel": "#social-care", "ts": card["ts"]}
    requests.post(
        f"{site}/api/click", json={**click, "block_id": buttons(card)[CLAIM], "action_id": CLAIM}
    )

    def the_card() -> dict[str, Any]:
        care = state(show, AGENT.id)["channels"][0]["messages"]
        return next(m for m in care if m["ts"] == card["ts"])

    claimed = until(lambda: DM in buttons(the_card()) and the_card(), "the claimed card")
    requests.post(
        f"{site}/api/click", json={**click, "block_id": buttons(claimed)[DM], "action_id": DM}
    )
    modal = until(lambda: state(show, AGENT.id)["modals"], "the DM modal")[0]["view"]
    said = "Sorry about the double charge: which order number was it?"
    values = {"draft": {"draft": {"type": "plain_text_input", "value": said}}}
    requests.post(
        f"{site}/api/submit",
        json={"as": AGENT.id, "view_id": modal["id"], "values": values},
        timeout=5,
    )

    dm = until(lambda: show.x.dms, "the DM on X")[0]
    assert dm["text"].startswith(said)
    assert f"@{dm['to']}" in card["text"]


def test_pr_drafts_a_statement_and_the_lead_approves_it_onto_x(show: Showcase) -> None:
    site = show.site.url

    def outage_card() -> dict[str, Any] | None:
        pr = state(show, PR.id)["channels"][1]["messages"]
        return next((m for m in pr if STATEMENT in buttons(m) and "outage" in m["text"]), None)

    card = until(outage_card, "the outage incident card")
    requests.post(
        f"{site}/api/click",
        json={
            "as": PR.id,
            "channel": "#pr-escalations",
            "ts": card["ts"],
            "block_id": buttons(card)[STATEMENT],
            "action_id": STATEMENT,
        },
        timeout=5,
    )
    modal = until(lambda: state(show, PR.id)["modals"], "the statement modal")[0]["view"]
    said = "Our app is down for many of you. We're on it and will post again by 11:00."
    values = {"draft": {"draft": {"type": "plain_text_input", "value": said}}}
    requests.post(
        f"{site}/api/submit", json={"as": PR.id, "view_id": modal["id"], "values": values}
    )

    def request() -> dict[str, Any] | None:
        pr = state(show, LEAD.id)["channels"][1]["messages"]
        thread = next(m for m in pr if m["ts"] == card["ts"])["replies"]
        return next((r for r in thread if APPROVE in buttons(r)), None)

    asked = until(request, "the statement's approval request")
    requests.post(
        f"{site}/api/click",
        json={
            "as": LEAD.id,
            "channel": "#pr-escalations",
            "ts": asked["ts"],
            "block_id": buttons(asked)[APPROVE],
            "action_id": APPROVE,
        },
        timeout=5,
    )

    posted = until(lambda: [p for p in show.x.posts if p["kind"] == "statement"], "statement")
    assert posted[0]["text"] == said
