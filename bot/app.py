"""The Slack app: listeners that ack, check who clicked, and hand the work to casework."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot import home, slash
from bot.action_ids import ActionId, ViewId
from bot.casework import Answer, Casework
from flare.queries import Queries

Click = Callable[[str, str, str], None]  # (case id, user, channel)
Modal = Callable[[str, str, str, str], None]  # (case id, user, channel, trigger id)
Decide = Callable[[str, str, str, str], None]  # (case id, user, channel, clicked message ts)
Submit = Callable[[dict[str, Any], str], Answer]  # (view, user)


def _click(body: dict[str, Any]) -> tuple[str, str, str]:
    """(case id, user id, channel id) of a block_actions click on a card."""
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    return str(action["value"]), body["user"]["id"], str(channel or "")


def _clicked_message(body: dict[str, Any]) -> str:
    """The ts of the message whose button was clicked."""
    return str((body.get("container") or {}).get("message_ts") or "")


def bolt_app(
    client: WebClient, signing_secret: str, bot_token: str, executor: Executor | None = None
) -> App:
    """A Bolt app with no listeners yet; `executor` runs listeners after their ack (Bolt's own
    pool by default)."""

    def authorize(**_: Any) -> AuthorizeResult:
        # A single-workspace app: the bot token is known, so no auth.test round trip is needed.
        return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=bot_token)

    return App(
        signing_secret=signing_secret,
        client=client,
        authorize=authorize,
        name="flare",
        listener_executor=executor,
    )


def build_app(
    casework: Casework, signing_secret: str, bot_token: str, executor: Executor | None = None
) -> App:
    """The Bolt app with every listener Flare has."""
    app = bolt_app(casework.slack.web, signing_secret, bot_token, executor)
    clicks: dict[ActionId, Click] = {
        ActionId.CLAIM: casework.claim,
        ActionId.RELEASE: casework.release,
        ActionId.TAKE_OVER: casework.take_over,
        ActionId.REOPEN: casework.reopen,
    }
    decisions: dict[ActionId, Decide] = {
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
        ViewId.ESCALATE: casework.submit_escalate,
        ViewId.CLOSE: casework.submit_close,
    }
    for action_id, click in clicks.items():
        app.action(action_id.value)(_on_click(casework, action_id, click))
    for action_id, decide in decisions.items():
        app.action(action_id.value)(_on_decide(casework, action_id, decide))
    for action_id, opener in opens.items():
        app.action(action_id.value)(_on_open(casework, action_id, opener))
    for view_id, submit in submits.items():
        app.view(view_id.value)(_on_submit(casework, submit))
    app.action(ActionId.REPLY_DRAFT.value)(_on_draft(casework))
    queries = Queries(casework.store.redis)
    slash.register(app, queries, casework.clock)
    home.register(app, queries, casework.slack, casework.clock)
    return app


def _checked(
    casework: Casework, action_id: ActionId, body: dict[str, Any]
) -> tuple[str, str, str] | None:
    """The click's (case id, user, channel) if the user may act and the case is still there;
    otherwise None, and the user is told why not."""
    case_id, user, channel = _click(body)
    if not casework.team.may_act(user):
        casework.refuse(case_id, user, channel, action_id.value)
        return None
    if not casework.has(case_id):
        casework.gone(case_id, user, channel, _clicked_message(body))
        return None
    return case_id, user, channel


def _on_decide(casework: Casework, action_id: ActionId, handler: Decide) -> Any:
    """Approve or send back: the clicked message says which draft the lead read."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = _checked(casework, action_id, body)
        if click:
            handler(*click, _clicked_message(body))

    return listener


def _on_click(casework: Casework, action_id: ActionId, handler: Click) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = _checked(casework, action_id, body)
        if click:
            handler(*click)

    return listener


def _on_open(casework: Casework, action_id: ActionId, opener: Modal) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = _checked(casework, action_id, body)
        if click:
            opener(*click, str(body["trigger_id"]))

    return listener


def _on_submit(casework: Casework, submit: Submit) -> Any:
    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        answer = submit(view, user) if casework.team.may_act(user) else casework.refused(view, user)
        if answer.errors:
            ack(response_action="errors", errors=answer.errors)
        else:
            ack()
        if answer.then:  # Slack has its answer: the rest may take its time
            answer.then()

    return listener


def _on_draft(casework: Casework) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if "view" in body:  # typing in the reply modal; nothing else sends this id
            casework.draft_changed(body["view"], body["user"]["id"])

    return listener
