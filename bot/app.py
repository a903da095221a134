"""The Slack app: listeners that ack, check who clicked, and hand the work to casework."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult

from bot import home, modals, slash
from bot.action_ids import ActionId, ViewId
from bot.casework import Casework
from flare.queries import Queries

Click = Callable[[str, str, str], None]  # (case id, user, channel)
Modal = Callable[[str, str, str, str], None]  # (case id, user, channel, trigger id)
Submit = Callable[[dict[str, Any], str], dict[str, str] | None]


def _click(body: dict[str, Any]) -> tuple[str, str, str]:
    """(case id, user id, channel id) of a block_actions click on a card."""
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    return str(action["value"]), body["user"]["id"], str(channel or "")


def _clicked_message(body: dict[str, Any]) -> str:
    """The ts of the message whose button was clicked."""
    return str((body.get("container") or {}).get("message_ts") or "")


def build_app(
    casework: Casework, signing_secret: str, bot_token: str, executor: Executor | None = None
) -> App:
    """The Bolt app; `executor` runs listeners after their ack (Bolt's own pool by default)."""

    def authorize(**_: Any) -> AuthorizeResult:
        # A single-workspace app: the bot token is known, so no auth.test round trip is needed.
        return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=bot_token)

    app = App(
        signing_secret=signing_secret,
        client=casework.slack.web,
        authorize=authorize,
        name="flare",
        listener_executor=executor,
    )
    clicks: dict[ActionId, Click] = {
        ActionId.CLAIM: casework.claim,
        ActionId.RELEASE: casework.release,
        ActionId.TAKE_OVER: casework.take_over,
        ActionId.REOPEN: casework.reopen,
        ActionId.APPROVE_REPLY: casework.approve,
        ActionId.REJECT_REPLY: casework.reject,
    }
    opens: dict[ActionId, Modal] = {
        ActionId.REPLY: casework.open_reply,
        ActionId.DM: casework.open_dm,
        ActionId.ESCALATE: casework.open_escalate,
        ActionId.CLOSE: casework.open_close,
    }
    submits: dict[ViewId, Submit] = {
        ViewId.REPLY: casework.submit_reply,
        ViewId.DM: casework.submit_dm,
        ViewId.ESCALATE: _no_errors(casework.submit_escalate),
        ViewId.CLOSE: casework.submit_close,
    }
    for action_id, click in clicks.items():
        app.action(action_id.value)(_on_click(casework, action_id, click))
    for action_id, opener in opens.items():
        app.action(action_id.value)(_on_open(casework, action_id, opener))
    for view_id, submit in submits.items():
        app.view(view_id.value)(_on_submit(casework, submit))
    app.action(ActionId.REPLY_DRAFT.value)(_on_draft(casework))
    queries = Queries(casework.store.redis)
    slash.register(app, queries, casework.clock)
    home.register(app, queries, casework.clock)
    return app


def _on_click(casework: Casework, action_id: ActionId, handler: Click) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        case_id, user, channel = _click(body)
        if not casework.team.may_act(user):
            casework.refuse(case_id, user, channel, action_id.value)
            return
        if not casework.has(case_id):
            casework.gone(case_id, user, channel, _clicked_message(body))
            return
        handler(case_id, user, channel)

    return listener


def _on_open(casework: Casework, action_id: ActionId, opener: Modal) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        case_id, user, channel = _click(body)
        if not casework.team.may_act(user):
            casework.refuse(case_id, user, channel, action_id.value)
            return
        if not casework.has(case_id):
            casework.gone(case_id, user, channel, _clicked_message(body))
            return
        opener(case_id, user, channel, str(body["trigger_id"]))

    return listener


def _on_submit(casework: Casework, submit: Submit) -> Any:
    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        if not casework.team.may_act(user):
            ack(response_action="errors", errors=_first_block(view, casework.team.refusal("")))
            case_id = modals.case_of(view)[0]
            casework.store.audit(case_id, user, "refused", attempted=view["callback_id"])
            return
        errors = submit(view, user)
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return listener


def _on_draft(casework: Casework) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if "view" in body:  # typing in the reply modal; nothing else sends this id
            casework.draft_changed(body["view"], body["user"]["id"])

    return listener


def _no_errors(handler: Callable[[dict[str, Any], str], None]) -> Submit:
    def submit(view: dict[str, Any], user: str) -> None:
        handler(view, user)

    return submit


def _first_block(view: dict[str, Any], message: str) -> dict[str, str]:
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    return {inputs[0]: message} if inputs else {}
