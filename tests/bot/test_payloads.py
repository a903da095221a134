"""Slack's payloads parsed once into typed references: no id can end a reference early and
name another case."""

from __future__ import annotations

import pytest

from bot.payloads import Submission, case_of_button, form_meta, incident_value
from flare.outcome import Field


def submitted(meta: str) -> Submission:
    view = {"id": "V1", "private_metadata": meta, "state": {"values": {}}}
    return Submission.of({"user": {"id": "U0AGENT1"}}, view)


@pytest.mark.parametrize("case_id", ["v-pipe|x", "v-pipe|confirm", '{"case":"other"}', "a b"])
@pytest.mark.parametrize("confirm", [False, True])
def test_a_form_names_its_own_case_whatever_its_id_holds(case_id: str, confirm: bool) -> None:
    sent = submitted(form_meta(case_id, confirm))

    assert (sent.case_id, sent.confirm_asked) == (case_id, confirm)


def test_a_form_opened_before_references_were_typed_still_names_its_case() -> None:
    assert (submitted("1001").case_id, submitted("1001").confirm_asked) == ("1001", False)
    assert (submitted("1001|confirm").case_id, submitted("1001|confirm").confirm_asked) == (
        "1001",
        True,
    )


def test_a_statement_form_names_its_incident_and_no_case() -> None:
    sent = submitted(incident_value("billing", "inc-1"))

    assert sent.incident == ("billing", "inc-1")
    assert sent.case_id == ""
    assert sent.text(Field.DRAFT) == ""


def test_a_button_names_its_case_by_a_typed_reference() -> None:
    assert case_of_button('{"case":"v-pipe|x"}') == "v-pipe|x"


def test_a_pull_button_names_its_channel_and_nothing_else_reads_as_one() -> None:
    from bot.payloads import Click, button_value, fold_of_button, fold_value

    body = {
        "user": {"id": "U0AGENT1"},
        "actions": [{"action_id": "case_pull", "value": fold_value('C0"x,{')}],
    }
    assert Click.of(body).fold == 'C0"x,{'
    assert fold_of_button(button_value("1001")) == ""
    assert fold_of_button("not json") == ""
