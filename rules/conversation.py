"""A case's conversation so far, and what a customer's follow-up makes of the case's decision."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from rules.complaint import ComplaintReader, is_request, reservation
from rules.decision import Action, Decision, Priority
from rules.mention import Mention
from rules.phrases import compile_phrases
from rules.remedy import thanked_for
from rules.review import reviewed
from rules.sentiment import praise_words
from rules.units import duration

WROTE_AGAIN = "the customer wrote again in an open case"
"""The reason a follow-up with nothing to answer of its own still gets a card."""

SEVERITY = {  # how much handling an action asks for: a case keeps the most it was ever asked
    Action.DROP: 0,
    Action.IGNORE: 1,
    Action.THANK: 2,
    Action.RESPOND: 3,
    Action.HARASSMENT: 4,
    Action.PRIORITY: 5,
    Action.ESCALATE_PR: 6,
    Action.CRISIS: 7,
}

# The customer says the issue is over. Read only alongside thanks, with no problem still stated.
RESOLUTION_PHRASES = (
    "sorted",
    "all sorted",
    "sorted now",
    "sorted it",
    "sorted out",
    "fixed",
    "all fixed",
    "fixed now",
    "fixed it",
    "resolved",
    "solved",
    "working now",
    "works now",
    "working again",
    "works again",
    "working fine",
    "works fine",
    "back up",
    "back online",
    "back to normal",
    "up and running",
    "all good",
    "all good now",
    "all set",
    "came through",
    "has arrived",
    "have arrived",
    "finally arrived",
    "finally came",
    "finally here",
    "finally got it",
    "finally got my",
    "turned up",
    "showed up",
    "came today",
    "just arrived",
    "arrived today",
    "got it back",
    "got my refund",
    "received my refund",
    "refund came",
    "that did it",
    "that did the trick",
    "that worked",
    "that fixed it",
    "no longer an issue",
    "nothing more needed",
    "found my",
    "find my",
    "tracked down",
    "tracked it down",
    "reunited",
    "returned my",
)
_RESOLUTION = compile_phrases(RESOLUTION_PHRASES)
# "not fixed", "isn't sorted yet", "never got resolved", "nobody has fixed": a resolution word
# that says the opposite.
_UNDONE = re.compile(
    r"(?:(?<!\w)(?:not|never|yet to be|hardly|barely|nobody|no one|noone)|n't)"
    r"(?:\s+(?:been|be|yet|really|quite|got|get|has|have|had|ever))*\s*$"
)
_CHEERS = re.compile(r"(?<!\w)cheers(?!\w)")
# Grievances that are sarcasm only when nothing was fixed: beside a resolution they mean it.
_SINCERE_BESIDE_A_FIX = frozenset({"thanks a lot", "great job guys", "love how", "love that you"})
_COMPLAINTS = ComplaintReader()  # for callers without an engine at hand


class Conversation(BaseModel):
    """The case a follow-up joins: its id, its current decision, its earlier turns, its state.

    `turns` are the earlier posts of the case, oldest first (the original mention, then earlier
    follow-ups), as mentions or just their texts. A case is closed once `closed_at` is set.
    """

    model_config = ConfigDict(frozen=True)

    case_id: str
    decision: Decision
    turns: tuple[Mention | str, ...] = ()
    closed_at: datetime | None = None
    answered: bool = False  # the brand answered the customer's latest post before this one

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def waiting(self) -> bool:
        """Open, and held for someone to act on: the customer who writes again is waiting."""
        return self.open and self.decision.action.needs_person

    @property
    def post(self) -> int:
        """The number a follow-up has in the conversation: the original post is 1."""
        return max(len(self.turns), 1) + 1

    def texts(self) -> tuple[str, ...]:
        """The earlier turns' texts, oldest first."""
        return tuple(t if isinstance(t, str) else t.text for t in self.turns)


def owed_an_answer(conversation: Conversation, action: Action, abuse: bool) -> bool:
    """Whether a follow-up the rules would ignore still needs the case's holder (at least a reply).

    Only "nothing to answer" is lifted: abuse with no substance stays abuse, and spam, reposts
    and our own posts are dropped before this is asked.
    """
    return action is Action.IGNORE and not abuse and conversation.waiting


def resolves(text: str, complaints: ComplaintReader | None = None) -> bool:
    """Whether a follow-up says the issue is over: thanks, a resolution, nothing still wrong.

    "All sorted now, thanks!" resolves; "ok thanks but it's still broken", "thanks, is it fixed
    yet?" and "thanks, the app is fixed but my parcel is still missing" do not.
    """
    low = text.lower().replace("’", "'")
    if _RESOLUTION is None or "?" in low or not _said_resolved(low):
        return False
    if not _thanks(low):
        return False
    cues = (complaints or _COMPLAINTS).cues(text)
    if cues.strong or "still" in cues.weak or "yet" in cues.weak:
        return False
    if any(g not in _SINCERE_BESIDE_A_FIX for g in cues.grievances):
        return False
    return reservation(low) is None and not is_request(low)


def thanks_for_a_fix(text: str, complaints: ComplaintReader | None = None) -> bool:
    """Whether a post thanks us for a problem that is now put right ("my lost parcel finally
    came, thanks!") or for what we did to put it right ("thanks for rebooking me after the
    cancellation"): the fix outranks the problem word, so it is praise, not a complaint.

    Unlike `resolves`, the problem itself may be named (it is over); anything still wrong, a
    question, thanks "in advance", sarcasm or a "but ..." keeps it a complaint or a request.
    """
    low = text.lower().replace("’", "'")
    if _RESOLUTION is None or "?" in low or "in advance" in low or not _thanks(low):
        return False
    reader = complaints or _COMPLAINTS
    beside = low  # where a "but ..." would say something is still wrong
    if not _said_resolved(low):
        span = thanked_for(low)
        if span is None:
            return False
        # The problem named inside the thanks is over ("the storm delayed us but the captain
        # kept us posted, appreciated"); one stated beside it is not ("thanks for replacing it,
        # the new one is broken too").
        beside = f"{low[: span[0]]} ... {low[span[1] :]}"
        cues = reader.cues(beside)
        if cues.strong or cues.grievances or _said_undone(beside):
            return False
    cues = reader.cues(text, praise_words(low))
    if "still" in cues.weak or "yet" in cues.weak or "again" in cues.weak:
        return False
    if cues.sarcasm is not None:  # "thanks for the voucher, great job losing my bag"
        return False
    if any(g not in _SINCERE_BESIDE_A_FIX for g in cues.grievances):
        return False
    return reservation(beside) is None and not is_request(low)


def _thanks(low: str) -> bool:
    thanks = ("thank", "thx", "ty", "appreciate", "grateful", "kudos", "props", "shout")
    return any(w.startswith(thanks) for w in praise_words(low)) or _CHEERS.search(low) is not None


def _said_undone(low: str) -> bool:
    """A resolution phrase negated just before it: "nobody has fixed the billing error"."""
    assert _RESOLUTION is not None
    matches = _RESOLUTION.finditer(low)
    return any(_UNDONE.search(low[: match.start()]) is not None for match in matches)


def _said_resolved(low: str) -> bool:
    """A resolution phrase that is not negated just before it ("not fixed", "isn't sorted")."""
    assert _RESOLUTION is not None
    return any(_UNDONE.search(low[: match.start()]) is None for match in _RESOLUTION.finditer(low))


DueFor = Callable[[Priority, datetime], datetime]  # (priority, posted) -> due


def carry(
    conversation: Conversation,
    follow_up: Decision,
    mention: Mention,
    targets: Mapping[Priority, timedelta],
    now: datetime,
    resolved: bool = False,
    due_for: DueFor | None = None,
) -> Decision:
    """The decision the case should carry now that `mention` (decided as `follow_up`) joined it.

    In an open case the more severe action and the higher priority win, so a follow-up can
    raise a case but never lower it. When the follow-up needs a person and does not say the
    issue is resolved, the customer is waiting again: the due time is the follow-up's own clock
    for the case's priority, unless the case's clock is still running and ends sooner.
    `due_for` counts a target from a post as the team does (business hours); without it, the
    `targets` run around the clock.

    A follow-up that is dropped (spam, a repost, our own post) joins nothing: it keeps its own
    decision. A follow-up to a closed case is decided on its own words; the case's old decision
    does not come back with it. The result is about `mention` (its id and signals).
    """
    if follow_up.action is Action.DROP:
        return follow_up
    case = conversation.decision
    post = conversation.post
    signals = {**follow_up.signals, "case_id": conversation.case_id, "post": post}
    signals["resolved"] = resolved
    said = follow_up.reasons[0] if follow_up.reasons else follow_up.action.value
    if resolved:
        said = "the customer says it is resolved: offer to resolve the case"
    if not conversation.open:
        assert conversation.closed_at is not None
        ago = duration(max(timedelta(0), mention.created_at - conversation.closed_at))
        note = f"post {post} of the conversation, {ago} after the case closed: {said}"
        signals["reopens"] = follow_up.action.needs_person
        return follow_up.model_copy(
            update={
                "reasons": (note, *follow_up.reasons[1:]),
                "signals": signals,
                "resolved": resolved,
            }
        )

    raised = SEVERITY[follow_up.action] > SEVERITY[case.action]
    winner, other = (follow_up, case) if raised else (case, follow_up)
    priority = _higher(case.priority, follow_up.priority)
    waiting_again = follow_up.action.needs_person and not resolved
    due = _due(conversation, mention, priority, targets, due_for) if waiting_again else case.due
    late = due is not None and now > due
    added = (f"post {post} of the conversation: {said}", *follow_up.reasons[1:])
    if SEVERITY[follow_up.action] >= SEVERITY[case.action]:  # what is new leads
        reasons = (*added, *case.reasons)
    elif resolved:
        reasons = (*case.reasons, *added)
    else:  # the case's own reasons lead: they are why it is handled as it is
        kept = f"{case.action.value} {priority.value}" if priority else case.action.value
        reasons = (*case.reasons, *added, f"a follow-up never lowers a case: it stays {kept}")
    influential = case.influential or follow_up.influential
    spreading = case.spreading or follow_up.spreading
    controversial = case.controversial or follow_up.controversial
    return winner.model_copy(
        update={
            "mention_id": follow_up.mention_id,
            "priority": priority,
            "topic": winner.topic or other.topic,
            "late": late,
            "due": due,
            "template": _template(winner, follow_up, late and waiting_again),
            "reasons": tuple(dict.fromkeys(reasons)),
            "signals": signals,
            "resolved": resolved,
            "summoned": case.summoned,  # a reply answers the case's own post
            "risks": tuple(dict.fromkeys((*winner.risks, *other.risks))),
            "vip": case.vip or follow_up.vip,
            "influential": influential,
            "spreading": spreading,
            "controversial": controversial,
            "review": reviewed(
                winner.action,
                influential=influential,
                spreading=spreading,
                controversial=controversial,
            ),
        }
    )


def _higher(a: Priority | None, b: Priority | None) -> Priority | None:
    if a is None or b is None:
        return a or b
    return a if a.rank <= b.rank else b


def _due(
    conversation: Conversation,
    mention: Mention,
    priority: Priority | None,
    targets: Mapping[Priority, timedelta],
    due_for: DueFor | None = None,
) -> datetime | None:
    """The follow-up's clock for the case's priority; while the customer still waits for a first
    answer, the case's own clock stands if it ends sooner (writing again never buys time)."""
    if priority is None:
        return None
    if due_for is not None:
        due = due_for(priority, mention.created_at)
    else:
        due = mention.created_at + targets[priority]
    running = conversation.decision.due
    if not conversation.answered and running is not None and mention.created_at < running < due:
        return running
    return due


def _template(winner: Decision, follow_up: Decision, late: bool) -> str | None:
    """The winner's template: a late answer owns the delay, data given in public goes private.

    `late`: the follow-up restarted the clock, and the answer to it is already late.
    """
    template = winner.template
    if winner.action not in (Action.RESPOND, Action.PRIORITY):
        return template
    if late:
        return "late_reply"
    if follow_up.template == "take_private":
        return "take_private"
    return template
