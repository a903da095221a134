"""A customer's own hacked or locked account is their emergency, not a PR breach (family 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.account import AccountReader
from rules.decision import Action, Priority
from rules.engine import Engine
from tests.builders import NOON, decide


@pytest.mark.parametrize(
    "text",
    [
        "@acme my account got hacked and someone changed my email",
        "@acme someone hacked my account, please help",
        "@acme I think my account has been compromised",
        "@acme I'm locked out of my account and can't get in",
        "@acme my account was suspended for no reason",
        "@acme there are unauthorised purchases on my account",
        "@acme someone logged into my account from another country",
    ],
)
def test_a_customer_whose_own_account_was_hacked_is_a_priority_not_a_pr_breach(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert (d.action, d.priority, d.template) == (Action.PRIORITY, Priority.P2, "take_private")
    assert "data_privacy" not in d.risks
    assert "never ask for details in public" in d.reasons[0]


def test_a_hacked_account_found_late_still_goes_private(engine: Engine) -> None:
    d = decide(engine, "@acme my account got hacked", now=NOON + timedelta(hours=2))

    assert d.late and d.template == "take_private"


@pytest.mark.parametrize(
    "text",
    [
        "@acme I logged in and could see another customer's orders and address",
        "@acme did you guys get hacked? I got phishing emails using my order number",
        "@acme your site was hacked and my card details are out there",
        "@acme you emailed me a spreadsheet of other customers' details",
    ],
)
def test_the_brand_leaking_other_peoples_data_is_a_breach_for_pr(engine: Engine, text: str) -> None:
    d = decide(engine, text)

    assert d.action is Action.ESCALATE_PR and d.topic == "data_privacy"


def test_rudeness_does_not_hide_a_hacked_account(engine: Engine) -> None:
    d = decide(engine, "@acme you idiots let someone hack my account, it was hacked yesterday")

    assert d.action is Action.PRIORITY


def test_news_of_other_people_being_hacked_is_not_this_customers_emergency() -> None:
    reader = AccountReader()

    assert reader.read("Lots of streamers being hacked lately, change passwords, stay safe") is None
    assert reader.read("my account was hacked") == "hacked"


def test_news_of_others_being_hacked_in_a_post_that_says_my_is_still_news() -> None:
    reader = AccountReader()

    said = "I keep hearing about users being hacked, including people in my community"
    assert reader.read(said) is None
    assert reader.read("lots of people getting hacked lately, is my account safe?") is None
    assert reader.read("I got hacked and now my friends are being hacked too") == "hacked"


def test_a_plain_login_question_is_not_an_emergency(engine: Engine) -> None:
    d = decide(engine, "@acme how do I reset my password?")

    assert d.action is Action.RESPOND and "own_account" not in d.signals


@pytest.mark.parametrize(
    "text",
    [
        "@acme why is someone from russia logging into my account??",
        "@acme someone has been using my account, songs I don't know in my list",
        "@acme my password got changed and I can't get in",
    ],
)
def test_someone_else_in_the_customers_account_is_their_emergency(
    engine: Engine, text: str
) -> None:
    d = decide(engine, text)

    assert d.action is Action.PRIORITY and d.template == "take_private"


@pytest.mark.parametrize(
    "text",
    ["@acme I'm logging into my account and it fails", "@acme how do I change my password?"],
)
def test_the_customer_signing_in_themselves_is_not_a_takeover(engine: Engine, text: str) -> None:
    assert decide(engine, text).signals.get("own_account") is None
