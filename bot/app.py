"""The Slack app: listeners that ack, parse the payload once, call the case core, show outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot import home, modals, slash
from bot.action_ids import ActionId, ViewId
from bot.gate import gate
from bot.mrkdwn import say
from bot.payloads import Click, Submission, incident_of_button, statement_of_button
from bot.slack_surface import SlackSurface
from flare.casework import Casework
from flare.http import Wsgi
from flare.outcome import Actor, Field, Form, Kind, Outcome
from flare.queries import Queries
from flare.statements import Statements

Handler = Callable[[str, Actor], Outcome]  # (case id, actor) -> outcome
Decide = Callable[[str, Actor, str], Outcome]  # (case id, actor, request clicked) -> outcome
Submit = Callable[[Submission, Actor], Outcome]
PageAnswer = Callable[[str, Actor, str], Outcome]  # (topic, actor, incident id) -> outcome
StatementDecision = Callable[[str, str, str, Actor], Outcome]  # (topic, incident, draft, actor)
Modal = Callable[[Form], dict[str, Any]]


def bolt_app(
    client: WebClient, signing_secret: str, bot_token: str, executor: Executor | None = None
) -> App:
    """A Bolt app with no listeners yet; `executor` runs listeners after their ack (Bolt's own
    pool by default)."""

    def authorize(**_: Any) -> AuthorizeResult:
        # A single-workspace app: the bot token is known, so no auth.test round trip is needed.
        return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=bot_token)

    app = App(
        signing_secret=signing_secret,
        client=client,
        authorize=authorize,
        name="flare",
        listener_executor=executor,
    )
    app.error(_unreadable)
    return app


UNREADABLE = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def _unreadable(
    error: Exception, logger: logging.Logger, response: BoltResponse | None
) -> BoltResponse | None:
    """A signed payload not in the shape Slack documents is a 400 for Slack to see, not a 500;
    anything else (Redis, Slack's API) stays a 500. Logged with its trace either way; after
    the ack (`response` None) there is no answer left to change."""
    logger.exception("a Slack request Flare could not handle: %s", error)
    if response is not None and isinstance(error, UNREADABLE):
        return BoltResponse(status=400, body="not a payload Flare reads")
    return None


def build_app(
    desk: Casework,
    slack: SlackSurface,
    signing_secret: str,
    bot_token: str,
    executor: Executor | None = None,
) -> App:
    """The Bolt app with every listener Flare has."""
    app = bolt_app(slack.client.web, signing_secret, bot_token, executor)
    clicks: dict[ActionId, Handler] = {
        ActionId.CLAIM: desk.claim,
        ActionId.RELEASE: desk.release,
        ActionId.TAKE_OVER: desk.take_over,
        ActionId.REOPEN: desk.reopen,
        ActionId.SNOOZE: desk.snooze,
        ActionId.ON_IT: desk.acknowledge,
    }
    decisions: dict[ActionId, Decide] = {
        ActionId.APPROVE_REPLY: desk.approve,
        ActionId.REJECT_REPLY: desk.send_back,
    }
    forms: dict[ActionId, tuple[Handler, Modal]] = {
        ActionId.DM: (desk.dm_form, lambda f: modals.dm_modal(f.case, f.draft)),
        ActionId.ESCALATE: (
            desk.escalate_form,
            lambda f: modals.escalate_modal(f.case, list(f.topics), f.topic),
        ),
        ActionId.CLOSE: (desk.close_form, lambda f: modals.close_modal(f.case)),
    }
    statements = Statements(desk.paging)
    submits: dict[ViewId, Submit] = {
        ViewId.REPLY: lambda s, a: desk.reply(
            s.case_id, a, s.text(Field.DRAFT), s.key, s.confirm_asked, bool(s.text(Field.CONFIRM))
        ),
        ViewId.DM: lambda s, a: desk.dm(s.case_id, a, s.text(Field.DRAFT), s.key),
        ViewId.ESCALATE: lambda s, a: desk.escalate(
            s.case_id, a, s.text(Field.TOPIC), s.text(Field.SEVERITY), s.text(Field.NOTE), s.key
        ),
        ViewId.CLOSE: lambda s, a: desk.close(s.case_id, a, s.text(Field.REASON)),
        ViewId.STATEMENT: lambda s, a: statements.draft(*s.incident, a, s.text(Field.DRAFT), s.key),
    }
    for action_id, act in clicks.items():
        app.action(action_id.value)(_on_click(slack, act))
    for action_id, decide in decisions.items():
        app.action(action_id.value)(_on_decide(slack, decide))
    for action_id, (form, modal) in forms.items():
        app.action(action_id.value)(_on_form(slack, form, modal))
    app.action(ActionId.REPLY.value)(_on_reply(desk, slack))
    for view_id, submit in submits.items():
        app.view(view_id.value)(_on_submit(slack, submit, named=view_id in SIGNED))
    app.action(ActionId.REPLY_DRAFT.value)(_on_draft(desk, slack))
    app.action(ActionId.PULL.value)(_on_pull(slack, desk.pull))
    app.action(ActionId.ACKNOWLEDGE.value)(_on_page(slack, desk.paging.acknowledge))
    app.action(ActionId.PASS.value)(_on_page(slack, desk.paging.pass_on))
    app.action(ActionId.DRAFT_STATEMENT.value)(_on_statement_form(slack, statements))
    app.action(ActionId.APPROVE_STATEMENT.value)(_on_statement(slack, statements.approve))
    app.action(ActionId.REJECT_STATEMENT.value)(_on_statement(slack, statements.send_back))
    queries = Queries(desk.store.redis)
    slash.register(app, queries, desk.paging, desk.clock, desk.team)
    home.register(app, queries, slack.client, desk.clock, desk.team)
    return app


SIGNED = (ViewId.REPLY, ViewId.DM)  # these go out under the agent's name: look it up


def show(slack: SlackSurface, click: Click, outcome: Outcome) -> None:
    """Tell the person who clicked why it did not take; retire the card of a case now gone."""
    if outcome.kind is Kind.DONE:
        return
    slack.tell(click.channel, click.user, outcome.says)
    if outcome.kind is Kind.GONE:
        slack.retire(click.case_id, click.channel, click.message_ts)


def _on_click(slack: SlackSurface, act: Handler) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        show(slack, click, act(click.case_id, slack.actor(click.user)))

    return listener


def _on_pull(slack: SlackSurface, pull: Handler) -> Any:
    """Pull the next one, on a busy channel's "N more waiting" card: the button names the
    channel, the core picks the case."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        show(slack, click, pull(click.fold, slack.actor(click.user)))

    return listener


def _on_decide(slack: SlackSurface, decide: Decide) -> Any:
    """Approve or send back: the clicked message says which draft the lead read."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        show(slack, click, decide(click.case_id, slack.actor(click.user), click.message_ts))

    return listener


def _on_page(slack: SlackSurface, answer: PageAnswer) -> Any:
    """Acknowledge or Can't take it, on a page or an incident card: the person is told what
    happened, in the conversation they clicked in."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        topic, incident_id = incident_of_button(click.value)
        outcome = answer(topic, slack.actor(click.user), incident_id)
        if outcome.says:
            slack.tell(click.channel, click.user, outcome.says)

    return listener


def _on_statement_form(slack: SlackSurface, statements: Statements) -> Any:
    """Draft statement, on the incident card: the modal, pre-filled from the crisis plan."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        topic, incident_id = incident_of_button(click.value)
        form = statements.form(topic, incident_id, slack.actor(click.user))
        if isinstance(form, Outcome):
            slack.tell(click.channel, click.user, form.says)
        else:
            slack.client.open_view(click.trigger_id, modals.statement_modal(form))

    return listener


def _on_statement(slack: SlackSurface, decide: StatementDecision) -> Any:
    """Approve or send back a statement: its request names the draft it shows."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        topic, incident_id, draft_id = statement_of_button(click.value)
        outcome = decide(topic, incident_id, draft_id, slack.actor(click.user))
        if outcome.says:
            slack.tell(click.channel, click.user, outcome.says)

    return listener


def _on_form(slack: SlackSurface, form: Handler, modal: Modal) -> Any:
    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        outcome = form(click.case_id, slack.actor(click.user, named=True))
        if outcome.form:
            slack.client.open_view(click.trigger_id, modal(outcome.form))
        show(slack, click, outcome)

    return listener


def _on_reply(desk: Casework, slack: SlackSurface) -> Any:
    """The reply modal, then a job looks whether the brand already answered and says so in it."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.of(body)
        actor = slack.actor(click.user, named=True)
        outcome = desk.reply_form(click.case_id, actor)
        if outcome.form:
            form = outcome.form
            modal = modals.reply_modal(
                form.case,
                form.draft,
                form.check,
                notice=say(form.notice or form.warning) or None,
                ask_confirm=bool(form.notice),
            )
            opened = slack.client.open_view(click.trigger_id, modal)
            desk.watch_conversation(click.case_id, actor, str(opened.get("id", "")))
        show(slack, click, outcome)

    return listener


def _on_submit(slack: SlackSurface, submit: Submit, named: bool) -> Any:
    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        sent = Submission.of(body, view)
        outcome = submit(sent, slack.actor(sent.user, named=named))
        if outcome.errors:
            ack(
                response_action="errors",
                errors={field.value: say(said) for field, said in outcome.errors.items()},
            )
        else:
            ack()

    return listener


def _on_draft(desk: Casework, slack: SlackSurface) -> Any:
    """The agent typed in the reply modal: redraw the length and safety line under the draft."""

    def listener(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        view = body.get("view")
        if not view:  # typing in the reply modal is the only thing that sends this id
            return
        sent = Submission.of(body, view)
        draft = sent.values.get(Field.DRAFT) or ""
        outcome = desk.recheck(sent.case_id, slack.actor(sent.user, named=True), draft)
        if outcome.form is None:  # not theirs (any more): the modal is left as it is
            return
        form = outcome.form
        new = modals.reply_modal(
            form.case,
            form.draft,
            form.check,
            ask_confirm=sent.confirm_asked,
            notice=modals.notice_of(view),
        )
        slack.client.update_view(str(view["id"]), new, str(view.get("hash", "")) or None)

    return listener


def slack_routes(app: App, signing_secret: str) -> dict[str, Wsgi]:
    """Slack's requests, at the path the app manifest names. Their size and signature are
    checked on the raw body (`bot.gate`) before Bolt parses it; Bolt checks again."""
    return {"/slack/events": gate(SlackRequestHandler(app), signing_secret)}
