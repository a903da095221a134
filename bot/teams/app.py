"""/api/messages: the Bot Connector's requests, verified, parsed once, sent to the core, answered.

An Action.Execute is answered with the card as it now is for the person who pressed it (what
went wrong shown on it), since Teams retries an invoke answered with nothing; every action is
idempotent in the core, so a retry changes nothing twice. Everyone else's card is redrawn by
the job the core queues. A card's automatic refresh is answered with the card and nothing
else: a shared update from it would make every client refresh again, in a loop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot.teams import adaptive
from bot.teams.activities import Pressed
from bot.teams.adaptive import Verb
from bot.teams.surface import TeamsSurface
from bot.teams.tokens import Tokens, Unauthorized
from flare.http import Wsgi
from flare.jobs import Job, enqueue
from flare.outcome import DONE, Actor, Field, Kind, Outcome

log = logging.getLogger(__name__)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
MAX_BODY = 1_000_000
Act = Callable[[Pressed, Actor], Outcome]


def actions(surface: TeamsSurface) -> dict[Verb, Act]:
    """Each verb as the core's calls, with the same checks as Slack's buttons and forms: a form's
    inputs are sent only if the person may open that form (`*_form` first)."""
    desk, paging = surface.desk, surface.desk.paging

    def claim(p: Pressed, a: Actor) -> Outcome:
        outcome = desk.claim(p.press.case, a)
        if outcome.ok:  # whether the brand already answered is a call to X: a job looks
            enqueue(desk.redis, Job.TEAMS_CHECK_CONVERSATION, p.press.case)
        return outcome

    def reply(p: Pressed, a: Actor) -> Outcome:
        form = desk.reply_form(p.press.case, a)
        if not form.ok or form.form is None:
            return form
        asked = bool(form.form.notice) or surface.brand_replied(p.press.case)
        draft, confirmed = p.text(Field.DRAFT), bool(p.text(Field.CONFIRM))
        return desk.reply(p.press.case, a, draft, p.key, asked, confirmed)

    def dm(p: Pressed, a: Actor) -> Outcome:
        form = desk.dm_form(p.press.case, a)
        return desk.dm(p.press.case, a, p.text(Field.DRAFT), p.key) if form.ok else form

    def escalate(p: Pressed, a: Actor) -> Outcome:
        form = desk.escalate_form(p.press.case, a)
        if not form.ok:
            return form
        topic, severity = p.text(Field.TOPIC), p.text(Field.SEVERITY)
        return desk.escalate(p.press.case, a, topic, severity, p.text(Field.NOTE), p.key)

    def close(p: Pressed, a: Actor) -> Outcome:
        form = desk.close_form(p.press.case, a)
        return desk.close(p.press.case, a, p.text(Field.REASON)) if form.ok else form

    return {
        Verb.CLAIM: claim,
        Verb.RELEASE: lambda p, a: desk.release(p.press.case, a),
        Verb.TAKE_OVER: lambda p, a: desk.take_over(p.press.case, a),
        Verb.REOPEN: lambda p, a: desk.reopen(p.press.case, a),
        Verb.APPROVE: lambda p, a: desk.approve(p.press.case, a, p.press.draft),
        Verb.SEND_BACK: lambda p, a: desk.send_back(p.press.case, a, p.press.draft),
        Verb.SNOOZE: lambda p, a: desk.snooze(p.press.case, a),
        Verb.ON_IT: lambda p, a: desk.acknowledge(p.press.case, a),
        Verb.REPLY: reply,
        Verb.DM: dm,
        Verb.ESCALATE: escalate,
        Verb.CLOSE: close,
        Verb.ACKNOWLEDGE: lambda p, a: paging.acknowledge(p.press.topic, a, p.press.incident),
        Verb.PASS: lambda p, a: paging.pass_on(p.press.topic, a, p.press.incident),
        Verb.REFRESH: lambda p, a: DONE,
    }


def answer(surface: TeamsSurface, pressed: Pressed, actor: Actor, outcome: Outcome) -> Any:
    """The invoke's answer: the card as this person now sees it, or for a page what became of
    it (a refusal leaves the page as it is and says why)."""
    if pressed.press.verb in (Verb.ACKNOWLEDGE, Verb.PASS):
        if outcome.ok:
            return {
                "statusCode": 200,
                "type": CARD_TYPE,
                "value": adaptive.settled(surface.say(outcome.says)),
            }
        return {"statusCode": 200, "type": MESSAGE_TYPE, "value": surface.say(outcome.says)}
    problem = () if outcome.ok else outcome.says or next(iter(outcome.errors.values()), ())
    card = surface.render(pressed.press.case, actor.id, problem)
    return {"statusCode": 200, "type": CARD_TYPE, "value": card}


def handle(surface: TeamsSurface, act: dict[Verb, Act], activity: dict[str, Any]) -> Any:
    """Ack, parse, delegate, render: one activity's answer (None: nothing to say)."""
    surface.remember(
        str((activity.get("conversation") or {}).get("id", "")),
        str(activity.get("serviceUrl", "")),
    )
    pressed = Pressed.of(activity)
    if pressed is None:
        return None  # a chat message, an install, a member added: nothing Flare acts on
    actor = surface.actor(pressed)
    outcome = act[pressed.press.verb](pressed, actor)
    if pressed.invoke:
        return answer(surface, pressed, actor, outcome)
    if outcome.kind is not Kind.DONE or outcome.says:  # Action.Submit: say it in the chat
        surface.tell(pressed, outcome.says or next(iter(outcome.errors.values()), ()))
    return None


def teams_routes(surface: TeamsSurface, tokens: Tokens) -> dict[str, Wsgi]:
    """The Bot Connector's requests, at the messaging endpoint the Azure Bot names."""
    act = actions(surface)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if not 0 < size <= MAX_BODY:
            return _json(start_response, "400 Bad Request", {"error": "no body, or too large"})
        try:
            activity = json.loads(environ["wsgi.input"].read(size))
            service_url = str(activity.get("serviceUrl", ""))
        except (ValueError, AttributeError):
            return _json(start_response, "400 Bad Request", {"error": "not an activity"})
        try:
            tokens.check(str(environ.get("HTTP_AUTHORIZATION", "")), service_url)
        except Unauthorized as exc:
            log.warning("refused a request to /api/messages: %s", exc)
            return _json(start_response, "401 Unauthorized", {"error": "unauthorized"})
        body = handle(surface, act, activity)
        return _json(start_response, "200 OK", body if body is not None else {})

    return {"/api/messages": wsgi}


def _json(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        status,
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]
