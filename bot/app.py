"""The Slack app: listeners that ack, check who clicked, and hand the work to casework."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult

from bot.action_ids import ActionId
from bot.casework import Casework


def _click(body: dict[str, Any]) -> tuple[str, str, str]:
    """(case id, user id, channel id) of a block_actions click."""
    action = body["actions"][0]
    return str(action["value"]), body["user"]["id"], body["channel"]["id"]


def build_app(casework: Casework, signing_secret: str, bot_token: str) -> App:
    def authorize(**_: Any) -> AuthorizeResult:
        # A single-workspace app: the bot token is known, so no auth.test round trip is needed.
        return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=bot_token)

    app = App(
        signing_secret=signing_secret,
        client=casework.slack.web,
        authorize=authorize,
        name="flare",
    )
    handlers = {
        ActionId.CLAIM: casework.claim,
        ActionId.RELEASE: casework.release,
        ActionId.RESOLVE: casework.resolve,
        ActionId.REOPEN: casework.reopen,
    }
    for action_id, handler in handlers.items():
        app.action(action_id.value)(_listener(casework, action_id, handler))
    return app


def _listener(casework: Casework, action_id: ActionId, handler: Any) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        case_id, user, channel = _click(body)
        if not casework.may_act(user):
            casework.refuse(case_id, user, channel, action_id.value)
            return
        handler(case_id, user, channel)

    listener.__name__ = f"on_{action_id.name.lower()}"
    return listener
