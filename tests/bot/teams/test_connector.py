"""The Bot Connector client against the fake: its token, posts, updates, chats and throttles."""

from __future__ import annotations

import pytest

from bot.teams.connector import Connector, TeamsError, thread_of
from tests.fakes.teams import APP_ID, APP_SECRET, CHANNEL, TENANT, FakeConnector, fake_teams

__all__ = ["fake_teams"]


def connector(fake: FakeConnector, secret: str = APP_SECRET) -> Connector:
    return Connector(APP_ID, secret, TENANT, fake.base_url)


def test_a_message_is_posted_then_updated_in_place(fake_teams: FakeConnector) -> None:
    teams = connector(fake_teams)

    sent = teams.send(fake_teams.service_url, CHANNEL, {"type": "message", "text": "one"})
    teams.update(fake_teams.service_url, CHANNEL, sent.id, {"type": "message", "text": "two"})

    [message] = fake_teams.in_conversation(CHANNEL)
    assert message.text == "two" and [v["text"] for v in message.versions] == ["one"]


def test_a_reply_in_a_thread_goes_to_the_thread_of_its_message(fake_teams: FakeConnector) -> None:
    teams = connector(fake_teams)
    card = teams.send(fake_teams.service_url, CHANNEL, {"type": "message", "text": "card"})

    teams.send(fake_teams.service_url, thread_of(CHANNEL, card.id), {"text": "a line"})

    [line] = fake_teams.in_conversation(f"{CHANNEL};messageid={card.id}")
    assert line.text == "a line"


def test_the_token_is_asked_for_once_and_reused(fake_teams: FakeConnector) -> None:
    teams = connector(fake_teams)
    for _ in range(3):
        teams.send(fake_teams.service_url, CHANNEL, {"text": "x"})

    assert fake_teams.tokens_issued == 1


def test_a_wrong_secret_gets_no_token_and_sends_nothing(fake_teams: FakeConnector) -> None:
    with pytest.raises(TeamsError) as refused:
        connector(fake_teams, secret="wrong").send(fake_teams.service_url, CHANNEL, {"text": "x"})

    assert refused.value.status == 401 and refused.value.retry_after is None
    assert fake_teams.in_conversation(CHANNEL) == []


@pytest.mark.parametrize("status", [429, 412, 502, 504])
def test_a_throttle_or_passing_outage_says_when_to_try_again(
    fake_teams: FakeConnector, status: int
) -> None:
    fake_teams.fail_next(status, retry_after=3)

    with pytest.raises(TeamsError) as failed:
        connector(fake_teams).send(fake_teams.service_url, CHANNEL, {"text": "x"})

    assert failed.value.status == status and failed.value.retry_after == 3.0


def test_a_blocked_conversation_is_not_retried(fake_teams: FakeConnector) -> None:
    fake_teams.fail_next(403)

    with pytest.raises(TeamsError) as failed:
        connector(fake_teams).send(fake_teams.service_url, CHANNEL, {"text": "x"})

    assert failed.value.retry_after is None


def test_a_personal_chat_is_opened_with_the_user(fake_teams: FakeConnector) -> None:
    chat = connector(fake_teams).personal_chat(fake_teams.service_url, "29:ana")

    assert fake_teams.chats[chat] == "29:ana"


def test_a_token_the_connector_no_longer_takes_is_replaced_on_the_next_call(
    fake_teams: FakeConnector,
) -> None:
    teams = connector(fake_teams)
    teams.send(fake_teams.service_url, CHANNEL, {"text": "x"})
    fake_teams.fail_next(401)

    with pytest.raises(TeamsError):
        teams.send(fake_teams.service_url, CHANNEL, {"text": "y"})
    teams.send(fake_teams.service_url, CHANNEL, {"text": "z"})

    assert fake_teams.tokens_issued == 2
    assert [m.text for m in fake_teams.in_conversation(CHANNEL)] == ["x", "z"]
