"""The Teams card of a case and of a page, as Adaptive Cards 1.5: pure functions of what they show.

Buttons are `Action.Execute` with typed data (`Press`), each with an `Action.Submit` fallback
for clients older than Universal Actions; the inputs a reply, a DM, an escalation or a close
take sit on the card itself, in a `ShowCard`, so nothing needs a dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    OpenUrlAction,
    RefreshDefinition,
    ShowCardAction,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextInput,
    ToggleInput,
)
from pydantic import BaseModel

from bot.card import headline
from bot.teams.markdown import clip, escape, fit, plain, say
from flare import status as flare_status
from flare.case import Case, CaseState
from flare.casework import CLOSE_REASONS, SEVERITIES, Act, draft_ref
from flare.incidents import Incident
from flare.outcome import Field
from flare.status import can_reply_publicly
from rules.crisis import Contact, Step
from rules.units import count, duration

Card = dict[str, Any]
Names = Callable[[str], str]
VERSION: Literal["1.5"] = "1.5"
_MAX_POST = 2900
_MAX_WHO = 200
_FOLLOW_UPS = 3
_MAX_REFRESH = 60  # Teams refreshes a card automatically for at most 60 users
ANSWERED = "The brand already replied in this conversation. Post again only if it adds something."


class Verb(StrEnum):
    """What a button asks for: the case actions by their audited names, and a page's two."""

    CLAIM = Act.CLAIM.value
    RELEASE = Act.RELEASE.value
    TAKE_OVER = Act.TAKE_OVER.value
    REPLY = Act.REPLY.value
    DM = Act.DM.value
    ESCALATE = Act.ESCALATE.value
    CLOSE = Act.CLOSE.value
    REOPEN = Act.REOPEN.value
    APPROVE = Act.APPROVE.value
    SEND_BACK = Act.SEND_BACK.value
    SNOOZE = Act.SNOOZE.value
    ON_IT = Act.ACKNOWLEDGE.value
    ACKNOWLEDGE = "incident_ack"
    PASS = "incident_pass"
    REFRESH = "refresh"  # the card's automatic refresh: answered with the card, nothing changes


class Press(BaseModel):
    """A button's data: the verb (again, for the Action.Submit fallback, which has none) and a
    typed reference to what it acts on, never any state; the inputs arrive beside these."""

    verb: Verb
    case: str = ""
    incident: str = ""
    topic: str = ""
    draft: str = ""  # the reply draft a lead approves or sends back (`casework.draft_ref`)

    def data(self) -> dict[str, str]:
        return self.model_dump(mode="json", exclude_defaults=True) | {"verb": self.verb.value}


@dataclass(frozen=True)
class Viewer:
    """What the card shows besides the case: names, the escalation topics, and for one person's
    own view (an invoke's answer, an automatic refresh) their draft and what went wrong."""

    name: Names = str
    topics: tuple[str, ...] = ()
    draft: str = ""
    problem: str = ""  # markdown already: words rendered by `markdown.say`
    brand_replied: bool = False  # X shows the brand already replied: a reply asks for a tick
    refresh_for: tuple[str, ...] = ()  # Teams user ids whose client refreshes the card itself


def _button(title: str, press: Press, style: str | None = None) -> ExecuteAction:
    """An Action.Execute, or an Action.Submit with the same data where Execute is unknown."""
    return ExecuteAction(
        title=title,
        verb=press.verb.value,
        data=press.data(),
        style=style,  # type: ignore[arg-type]
        fallback=SubmitAction(title=title, data=press.data()),
    )


def _text(text: str, **style: Any) -> TextBlock:
    return TextBlock(text=text, wrap=True, **style)


def _card(body: Sequence[CardElement], actions: Sequence[Action] = (), **extra: Any) -> Card:
    card = AdaptiveCard(
        version=VERSION,
        body=list(body),
        actions=list(actions) or None,
        msteams=TeamsCardProperties(width="full"),
        **extra,
    )
    return card.model_dump(mode="json", by_alias=True, exclude_none=True)


def _form(title: str, inputs: Sequence[CardElement], send: str, press: Press) -> ShowCardAction:
    """A button that opens inputs under the card, with the one button that sends them."""
    inner = AdaptiveCard(version=VERSION, body=list(inputs), actions=[_button(send, press)])
    return ShowCardAction(title=title, card=inner)


def _draft_input(draft: str, placeholder: str) -> TextInput:
    return TextInput(
        id=Field.DRAFT.value,
        is_multiline=True,
        value=plain(draft) or None,
        placeholder=placeholder,
    )


def actions_for(case: Case, viewer: Viewer, now: datetime | None = None) -> list[Action]:
    """The buttons that fit the case's state, as `bot.card.buttons_for` has them in Slack: Snooze
    while a reminder waits (as of `now`) on a case nobody holds, and I'm on it (in Slack, on the
    overdue line in the thread) while a case past its target has nobody on it."""
    ref = case.id
    on_it: list[Action] = []
    if case.breached_at and case.awaiting_answer and not case.on_it_by and not case.closed:
        on_it = [_button("I'm on it", Press(verb=Verb.ON_IT, case=ref), "positive")]
    if case.state is CaseState.OPEN:
        claim = [_button("Claim", Press(verb=Verb.CLAIM, case=ref), "positive"), *on_it]
        if case.remind_at and (now is None or case.remind_at > now):
            return [*claim, _button("Snooze reminder", Press(verb=Verb.SNOOZE, case=ref))]
        return claim
    if case.state is not CaseState.CLAIMED:
        return [_button("Reopen", Press(verb=Verb.REOPEN, case=ref))]
    work: list[Action] = []
    if can_reply_publicly(case):
        reply: list[CardElement] = [_draft_input(viewer.draft, "The public reply on X")]
        if viewer.brand_replied:
            reply.insert(0, _text(ANSWERED, color="Warning"))
        if case.rolled_into or viewer.brand_replied:
            why = "PR's statement answers this incident" if case.rolled_into else "it adds to it"
            reply.append(
                ToggleInput(
                    id=Field.CONFIRM.value,
                    title=f"Post anyway: {why}",
                    value_on="yes",
                    value_off="",
                )
            )
        title = "Reply anyway" if case.rolled_into else "Reply"
        work.append(_form(title, reply, "Post reply", Press(verb=Verb.REPLY, case=ref)))
    dm = [_draft_input(viewer.draft if not can_reply_publicly(case) else "", "A direct message")]
    topics = viewer.topics or ("general",)
    default = case.decision.topic or next(iter(case.decision.risks), None)
    escalate: list[CardElement] = [
        ChoiceSetInput(
            id=Field.TOPIC.value,
            label="Topic",
            choices=[Choice(title=plain(t), value=t) for t in topics],
            value=default if default in topics else topics[0],
        ),
        ChoiceSetInput(
            id=Field.SEVERITY.value,
            label="Severity",
            choices=[Choice(title=s, value=s) for s in SEVERITIES],
            value=SEVERITIES[0],
        ),
        TextInput(id=Field.NOTE.value, label="Note for PR", is_multiline=True),
    ]
    decide: list[Action] = []
    if case.awaiting_approval:
        shown = draft_ref(case.awaiting_approval)
        decide = [
            _button(
                "Approve and post", Press(verb=Verb.APPROVE, case=ref, draft=shown), "positive"
            ),
            _button("Send back", Press(verb=Verb.SEND_BACK, case=ref, draft=shown)),
        ]
    close = [
        ChoiceSetInput(
            id=Field.REASON.value,
            label="Why",
            choices=[Choice(title=r, value=r) for r in CLOSE_REASONS],
            value=CLOSE_REASONS[0],
        )
    ]
    return [
        *on_it,
        *decide,
        *work,
        _form("DM", dm, "Send DM", Press(verb=Verb.DM, case=ref)),
        _form("Escalate to PR", escalate, "Escalate", Press(verb=Verb.ESCALATE, case=ref)),
        _form("Resolve…", close, "Close the case", Press(verb=Verb.CLOSE, case=ref)),
        _button("Release", Press(verb=Verb.RELEASE, case=ref)),
        _button("Take over", Press(verb=Verb.TAKE_OVER, case=ref)),
    ]


def render(case: Case, now: datetime, viewer: Viewer | None = None) -> Card:
    """The case's card: the post, who wrote it, why it is here, its state, its buttons."""
    viewer = viewer or Viewer()
    m, d = case.mention, case.decision
    author = m.author
    who = clip(f"{author.name or author.username} (@{author.username or author.id})", _MAX_WHO)
    facts = [f"{count(author.followers)} followers", *(["verified"] if author.verified else [])]
    spread = (
        f"{count(m.metrics.reposts)} reposts · {count(m.metrics.quotes)} quotes · "
        f"{count(m.metrics.replies)} replies · posted {duration(now - m.created_at)} ago"
    )
    body: list[CardElement] = []
    if viewer.problem:
        body.append(_text(f"⚠️ {viewer.problem}", color="Attention", weight="Bolder"))
    body += [
        _text(escape(headline(case)), size="Medium", weight="Bolder"),
        _text(f"{escape(who)} · {' · '.join(facts)}", is_subtle=True, spacing="None"),
        _text(fit(m.text, _MAX_POST) if m.text.strip() else "(the post has no text)"),
        _text(escape(spread), is_subtle=True, size="Small"),
    ]
    hidden = len(case.follow_ups) - _FOLLOW_UPS
    if hidden > 0:
        more = f"{hidden} earlier message{'s' if hidden > 1 else ''} from the customer"
        body.append(_text(more, is_subtle=True, size="Small"))
    for post in case.follow_ups[-_FOLLOW_UPS:]:
        age = duration(now - post.created_at)
        body.append(_text(f"↩ The customer wrote again, {age} ago: {fit(post.text, 1000)}"))
    if d.reasons:
        body.append(_text("**Why:** " + fit(" · ".join(d.reasons), 2000)))
    body += [_text(line, size="Small") for line in status_lines(case, now, viewer.name)]
    links: list[Action] = [OpenUrlAction(title="Open on X", url=case.mention.url)]
    if case.reply_url:
        links.append(OpenUrlAction(title="Open the reply", url=case.reply_url))
    refresh = None
    if viewer.refresh_for:
        press = Press(verb=Verb.REFRESH, case=case.id)
        refresh = RefreshDefinition(
            action=ExecuteAction(verb=press.verb.value, data=press.data()),
            user_ids=list(viewer.refresh_for[:_MAX_REFRESH]),
        )
    return _card(body, [*actions_for(case, viewer, now), *links], refresh=refresh)


def status_lines(case: Case, now: datetime, name: Names) -> list[str]:
    """Who holds the case, what was done on X, where it stands: one short line each; on Teams
    the draft awaiting approval is shown too, since the card approves it."""
    lines = [say(line, name) for line in flare_status.status_lines(case, now)]
    if case.awaiting_approval:
        waiting = say(flare_status.AWAITING_APPROVAL, name)
        draft = fit(case.awaiting_approval, 1400)
        lines = [f"{line}:\n\n{draft}" if line == waiting else line for line in lines]
    return lines


def gone(case_id: str) -> Card:
    """The card of a case Flare no longer has: no buttons left to click on nothing."""
    return _card(
        [
            _text(
                "This case is no longer in Flare (it expired or was cleared), "
                "so there is nothing left to act on here."
            ),
            _text(f"Case {fit(case_id, 200)}", is_subtle=True, size="Small"),
        ]
    )


def page(incident: Incident, contact: Contact, step: int, total: int, due: Step) -> Card:
    """The page a contact gets in a personal chat: the incident, Acknowledge or Can't take it."""
    drill = "🧪 DRILL · " if incident.cause == "drill" else ""
    round_ = f", round {step // total + 1}" if total and step >= total else ""
    ref = {"incident": incident.id, "topic": incident.topic}
    text = (
        f"{drill}🚨 You are paged for a crisis on **{fit(incident.topic, 100)}**: "
        f"{count(incident.count)} complaints since {incident.opened_at:%H:%M} UTC. "
        f"Acknowledge within {duration(due.ack_within, seconds=True)}, or the next contact is "
        "paged."
    )
    where = f"Step {step % total + 1 if total else 1} of {total}{round_} · {escape(contact.name)}"
    return _card(
        [_text(text, weight="Bolder"), _text(where, is_subtle=True, size="Small")],
        [
            _button("Acknowledge", Press(verb=Verb.ACKNOWLEDGE, **ref), "positive"),
            _button("Can't take it", Press(verb=Verb.PASS, **ref)),
        ],
    )


def jump(incident: Incident, why: str) -> Card:
    """What the acknowledger reads when the incident jumps after their acknowledgement."""
    drill = "🧪 DRILL · " if incident.cause == "drill" else ""
    first = incident.chain.steps[0].ack_within if incident.chain and incident.chain.steps else None
    within = f" within {duration(first, seconds=True)}" if first else ""
    ref = {"incident": incident.id, "topic": incident.topic}
    text = (
        f"{drill}📈 The **{fit(incident.topic, 100)}** incident you acknowledged jumped "
        f"({fit(why, 200)}). Acknowledge again{within}, or the chain is paged again."
    )
    return _card(
        [_text(text, weight="Bolder")],
        [
            _button("Acknowledge", Press(verb=Verb.ACKNOWLEDGE, **ref), "positive"),
            _button("Can't take it", Press(verb=Verb.PASS, **ref)),
        ],
    )


def settled(line: str) -> Card:
    """A page once acknowledged, passed on or closed: what became of it, no buttons."""
    return _card([_text(line)])


def note(line: str, mentions: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A message of markdown text, e.g. a line in a card's thread, with its @mentions."""
    message: dict[str, Any] = {"type": "message", "text": line, "textFormat": "markdown"}
    if mentions:
        message["entities"] = list(mentions)
    return message


def attachment(card: Card) -> dict[str, Any]:
    """A card as a message's attachment."""
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
