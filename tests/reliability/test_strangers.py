"""Who may see and send: a modal's live check shows nothing to someone who may not answer the
case, and a reply or DM form opened before a lead took the case over no longer sends."""

from __future__ import annotations

from bot.action_ids import ActionId
from tests.fakes.x_api import fake_x
from tests.session import AGENT, LEAD, OTHER_AGENT, STRANGER, Session
from tests.test_agent_workflow import COMPLAINT, flare, start_flare

__all__ = ["fake_x", "flare", "start_flare"]


def test_typing_in_a_reply_modal_updates_it_only_for_the_one_who_may_answer(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT, author="601", username="mina")
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)
    updates = len(flare.slack.calls_to("views.update"))

    flare.agent(STRANGER).types(modal, "let me see this case")
    flare.agent(OTHER_AGENT).types(modal, "not mine either")

    assert len(flare.slack.calls_to("views.update")) == updates
    jo.types(modal, "Hi Mina, refund sent.")
    assert len(flare.slack.calls_to("views.update")) == updates + 1


def test_a_reply_form_opened_before_a_lead_took_the_case_over_no_longer_sends(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(COMPLAINT, author="602", username="noor")
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.REPLY, case_id)
    flare.agent(LEAD).clicks(ActionId.TAKE_OVER, case_id)

    answer = jo.submits(modal, draft="Hi Noor, refund sent.")
    flare.work()

    assert answer["response_action"] == "errors"
    assert "held by <@U0LEAD>" in answer["errors"]["draft"]
    assert flare.replies_on_x() == []


def test_a_dm_form_opened_before_a_lead_took_the_case_over_no_longer_sends(
    flare: Session,
) -> None:
    case_id = flare.someone_posts(
        "acme support is useless, three days waiting for my refund", author="603", mention=False
    )
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, case_id)
    modal = jo.opens(ActionId.DM, case_id)
    flare.agent(LEAD).clicks(ActionId.TAKE_OVER, case_id)

    answer = jo.submits(modal, draft="Hi, can you send your order number?")
    flare.work()

    assert answer["response_action"] == "errors"
    assert "held by <@U0LEAD>" in answer["errors"]["draft"]
    assert flare.x.dms == []
