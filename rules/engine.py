"""The engine: a mention, its context and the clock in; a decision with reasons out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rules.account import AccountReader
from rules.competitor import CompetitorReader
from rules.complaint import ComplaintReader, conceded, is_request, looking_back, reservation
from rules.context import AuthorHistory, Changes, Context, PostEvent, Snapshot, TopicEvent
from rules.conversation import (
    WROTE_AGAIN,
    Conversation,
    carry,
    owed_an_answer,
    resolves,
    thanks_for_a_fix,
)
from rules.danger import Danger, DangerReader
from rules.decision import Action, Decision, Priority
from rules.language import language, name_of
from rules.mention import Mention
from rules.origin import is_own, is_retweet, summoned
from rules.personal_data import personal_data
from rules.phrases import found as found_phrases
from rules.phrases import phrase_finder
from rules.playbook import Playbook, Risk
from rules.reach import Reach, reach
from rules.review import reviewed
from rules.risk import RiskReader
from rules.sentiment import has_praise_idiom, praise_words
from rules.sentiment import tone as tone_of
from rules.spam import SpamReader
from rules.spike import ALL_TOPICS, SpikeStatus, count_traffic, observe, state_of
from rules.spread import Spread, blast_radius, spread
from rules.topic import TopicReader
from rules.toxicity import Toxicity, ToxicityReader
from rules.units import duration, handle

PRIORITY_OF = {
    Action.CRISIS: Priority.P1,
    Action.ESCALATE_PR: Priority.P1,
    Action.PRIORITY: Priority.P2,
    Action.RESPOND: Priority.P3,
    Action.HARASSMENT: Priority.P3,
    Action.THANK: Priority.P4,
}

_CALM = Toxicity(0.0, ())  # what a post the English rules cannot read is taken to say

UNLISTED = "written to us, not praise, spam or abuse: a person should read it"


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Situation:
    """Where a post stands beyond its text; it becomes the decision's typed fields."""

    summoned: bool
    vip: bool
    influential: bool
    spreading: bool  # fast for its age, or past the blast radius
    spike_opened: bool


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Reading:
    """Everything the text alone says, before any context."""

    sentiment: float
    complaint_score: float
    problems: tuple[str, ...]
    grievances: tuple[str, ...]
    weak: tuple[str, ...]  # weak words of dissatisfaction ("why", "again")
    uneasy: int  # weak signs in all: weak words, negations, "??" or "#fail"
    request: bool
    praise: tuple[str, ...]
    toxicity: Toxicity
    personal_data: tuple[str, ...]
    topic: str | None
    risks: dict[str, str]
    controversial: tuple[str, ...]
    danger: Danger | None  # self-harm or a threat to hurt someone: a lead at once
    own_account: str | None  # the author's own account hacked or locked: their emergency
    fixed: bool  # thanks for a problem now put right: praise, not a complaint
    sarcasm: str | None  # praise aimed at a failure ("great job losing my bag"): a complaint
    lang: str  # the language it is read in: the source's tag, else detected ("en", "es", ...)
    lang_detected: bool  # the source gave no tag

    complaint: bool
    is_praise: bool  # praise, not a complaint, not abuse, and not a question unless warmly put
    enquiry: bool  # a question that names a topic (a refund, a cancellation) but no failure
    competitor: str | None  # every problem stated is this competitor's: not a complaint about us


class Engine:
    """Decides with one playbook; build it once per process, it holds compiled patterns."""

    def __init__(self, playbook: Playbook, brand_handles: Sequence[str] = ()) -> None:
        self.playbook = playbook
        self.brand = frozenset(handle(h) for h in brand_handles if h.strip())
        self.vip = frozenset(playbook.vip)
        th = playbook.thresholds
        self._negative = th.negative
        self._positive = th.positive
        self._warm = th.warm
        self._influential = th.influential_followers
        self._high_reach = th.high_reach_followers
        self._verified = th.verified_is_influential
        self._spread_rate = th.spreading_per_minute
        self._spread_min = th.spreading_min
        self._blast = th.blast_radius
        self._complaints = ComplaintReader()
        self._rivals = (
            CompetitorReader(playbook.competitors, self.brand, self._complaints.stated)
            if playbook.competitors
            else None
        )
        self._toxicity = ToxicityReader(playbook.abuse.words)
        self._spam = SpamReader(playbook.spam.phrases)
        self._topics = TopicReader(playbook.topics)
        self._risks = RiskReader(playbook.risks)
        self._danger = DangerReader(playbook.danger.self_harm, playbook.danger.threats)
        self._account = AccountReader()
        self._foreign = {
            code: (
                RiskReader(
                    {
                        name: Risk(label=playbook.risks[name].label, phrases=phrases)
                        for name, phrases in lang.risks.items()
                        if phrases
                    }
                ),
                DangerReader(
                    [*playbook.danger.self_harm, *lang.self_harm],
                    [*playbook.danger.threats, *lang.threats],
                ),
            )
            for code, lang in playbook.languages.items()
        }
        self._controversial = phrase_finder(playbook.controversial.phrases)
        self._private = frozenset(t.name for t in playbook.topics if t.private)
        self._templates = frozenset(playbook.templates)
        self._targets = {p: playbook.target(p.value) for p in Priority}
        self._clockwork = playbook.clockwork()
        self._max_age = playbook.max_age
        self._abuse_window = playbook.abuse.window
        self._abuse_repeat = playbook.abuse.repeat
        self._flood = playbook.spam.flood_per_hour
        self._spike = playbook.spike
        self._lookback = max(self._abuse_window, timedelta(hours=1))

    # -- reading the text -------------------------------------------------------------
    def read(self, mention: Mention) -> Reading:
        return self.read_text(mention.text, mention.lang)

    def read_text(self, text: str, tagged: str | None = None) -> Reading:
        """What the text alone says, in the language its source tagged (else detected): a pure
        function of the two, so it can be worked out anywhere, in another process too."""
        lang = language(text, tagged)
        if lang.code != "en":
            return self._read_foreign(text, lang.code, lang.detected)
        low = text.lower()  # lower-cased once, for every reader below
        idiom = has_praise_idiom(low)  # "couldn't be happier": looked for once
        tone = tone_of(text, idiom, low)
        praise = tuple(praise_words(text, low))
        request = is_request(text, low)
        found = self._complaints.read(text, tone, len(praise), request, praise, idiom, low)
        complaint = found.complaint or tone <= self._negative
        if not complaint and praise and found.cues.problems and "still" in found.cues.weak:
            complaint = True  # "thanks, but I'm still having issues": the problem outlives them
        if complaint and praise and not found.cues.grievances and not _own_words(text):
            complaint = False  # "👍🔥": VADER reads the fire, the post is applause
        if (
            complaint
            and praise
            and tone >= self._positive
            and not request
            and not found.cues.grievances
            and found.cues.sarcasm is None
            and conceded(low)
        ):
            complaint = False  # "great crew despite the delay": thanks, with a small complaint
        fixed = bool(praise) and thanks_for_a_fix(text, self._complaints)
        if fixed:  # "my lost parcel finally came, thanks!": the fix outranks the problem word
            complaint = False
        rival = None
        if complaint and self._rivals is not None:  # an empty list costs nothing
            rival = self._rivals.read(text)
            if rival is not None:
                complaint = False
                praise = tuple(praise_words(rival.ours))  # praise for them is not for us
        toxicity = self._toxicity.read(text, low)
        return Reading(
            sentiment=tone,
            complaint_score=found.score,
            problems=found.cues.problems,
            grievances=found.cues.grievances,
            weak=found.cues.weak,
            uneasy=found.cues.weak_signs(),
            request=request,
            praise=praise,
            complaint=complaint,
            is_praise=not complaint
            and bool(praise)
            and (not request or tone >= self._positive)
            and not toxicity.abusive,
            enquiry=request
            and not found.cues.strong
            and not found.cues.grievances
            and tone > self._negative,
            competitor=rival.name if rival is not None else None,
            toxicity=toxicity,
            personal_data=tuple(personal_data(text)),
            topic=self._topics.topic(text, low),
            risks=self._risks.risks(text, low),
            controversial=tuple(found_phrases(self._controversial, low, 3)),
            danger=self._danger.read(text, low),
            own_account=self._account.read(text, low),
            fixed=fixed,
            sarcasm=found.cues.sarcasm,
            lang="en",
            lang_detected=lang.detected,
        )

    def _read_foreign(self, text: str, code: str, detected: bool) -> Reading:
        """A post the English rules cannot read: only its risks and danger, in the playbook's
        words for its language (and the English ones: posts mix). The rest is a person's to read."""
        low = text.lower()
        risks = self._risks.risks(text, low)
        danger = self._danger.read(text, low)
        foreign = self._foreign.get(code)
        if foreign is not None:
            for name, phrase in foreign[0].risks(text, low).items():
                risks.setdefault(name, phrase)
            danger = danger or foreign[1].read(text, low)
        return Reading(
            sentiment=0.0,
            complaint_score=0.0,
            problems=(),
            grievances=(),
            weak=(),
            uneasy=0,
            request=False,
            praise=(),
            toxicity=_CALM,
            personal_data=tuple(personal_data(text)),
            topic=None,
            risks=risks,
            controversial=(),
            danger=danger,
            own_account=None,
            fixed=False,
            complaint=False,
            is_praise=False,
            enquiry=False,
            competitor=None,
            sarcasm=None,
            lang=code,
            lang_detected=detected,
        )

    # -- deciding ---------------------------------------------------------------------
    def decide(self, mention: Mention, context: Context, now: datetime) -> Decision:
        return self.decide_many([mention], context, now)[0]

    def decide_many(
        self,
        mentions: Sequence[Mention],
        context: Context,
        now: datetime,
        conversations: Mapping[str, Conversation] | None = None,
        readings: Sequence[Reading] | None = None,
    ) -> list[Decision]:
        """Decide in created_at order (spikes and repeat authors count); return in input order.

        `conversations`, by mention id, holds the case a follow-up joins: such a mention gets
        the decision its case should carry now (rules.conversation.carry). `readings`, one per
        mention in the same order, are what `read` would say of them, worked out elsewhere.
        """
        if not mentions:
            return []
        if readings is None:
            readings = [self.read(m) for m in mentions]
        topics = {r.topic for r in readings if r.topic}
        if topics:
            topics.add(ALL_TOPICS)  # a topic's spike is weighed against all the traffic
        since = min(m.created_at for m in mentions) - self._lookback
        snapshot = context.load({m.author.id for m in mentions}, topics, since)
        changes = Changes(spike=self._spike, keep=self._lookback)
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].created_at)
        out: list[Decision | None] = [None] * len(mentions)
        for i in order:
            m = mentions[i]
            case = conversations.get(m.id) if conversations else None
            out[i] = self._decide(
                m, m.created_at.timestamp(), readings[i], snapshot, changes, now, case
            )
        context.save(changes)
        return [d for d in out if d is not None]

    def _decide(
        self,
        m: Mention,
        at: float,
        r: Reading,
        snap: Snapshot,
        changes: Changes,
        now: datetime,
        case: Conversation | None = None,
    ) -> Decision:
        signals: dict[str, Any] = {
            "sentiment": round(r.sentiment, 3),
            "lang": r.lang,
        }
        if is_own(m, self.brand):
            signals["own"] = True
            return _drop(m, "our own post", signals, now)
        if is_retweet(m):
            signals["retweet"] = True
            return _drop(m, "a repost: nothing new to answer", signals, now)

        earlier = snap.authors.get(m.author.id)
        recent_posts = 1 + (earlier.posts_between(at - 3600, at) if earlier else 0)
        verdict = self._spam.read(m, recent_posts, self._flood)
        foreign = r.lang != "en"  # never dropped: the rules cannot tell it is spam
        if verdict.spam and (r.danger is not None or _substance(r) or r.grievances or foreign):
            overruled = list(verdict.signs)  # a customer (or a language we cannot read)
            verdict.spam = False
        else:
            overruled = []
        troll = r.toxicity.abusive and not _substance(r)
        history = self._remember(m, at, troll and not verdict.spam, snap, changes)
        window = self._abuse_window.total_seconds()
        abuse_count = history.abuse_between(at - window, at)
        if verdict.spam:
            signals["spam"] = list(verdict.signs)
            return _drop(m, "spam or bot: " + "; ".join(verdict.signs), signals, now)

        who = reach(m.author, self.vip, self._influential, self._high_reach, self._verified)
        how = spread(m, now, self._spread_rate, self._spread_min)
        blast = blast_radius(m.author.followers, how.per_minute, r.sentiment)
        is_summoned = summoned(m, self.brand) if self.brand else True
        signals = {  # built in one go (cheaper than update()); the key order is the output's
            "sentiment": signals["sentiment"],
            "lang": r.lang,
            "complaint": r.complaint,
            "complaint_score": r.complaint_score,
            "problems": list(r.problems),
            "grievances": list(r.grievances),
            "question": r.request,
            "praise": r.is_praise,
            "toxicity": r.toxicity.score,
            "abusive": r.toxicity.abusive,
            "abuse_words": list(r.toxicity.words),
            "personal_data": list(r.personal_data),
            "followers": m.author.followers,
            "verified": m.author.verified,
            "vip": who.vip,
            "reach": who.level,
            "engagement": how.engagement,
            "age_min": how.age_minutes,
            "spread_per_min": how.per_minute,
            "spreading": how.spreading,
            "blast_radius": blast,
            "topic": r.topic,
            "risks": dict(r.risks),
            "controversial": list(r.controversial),
            "summoned": is_summoned,
        }
        if overruled:
            signals["spam_signs_overruled"] = overruled
        if r.lang_detected and r.lang != "en":
            signals["lang_detected"] = True
        if r.competitor is not None:
            signals["competitor"] = r.competitor
        if r.danger is not None:
            signals["danger"] = r.danger.kind
        if r.own_account is not None:
            signals["own_account"] = r.own_account

        status = None
        if r.topic and r.complaint and not troll:
            status = self._count_topic(m, at, r.topic, snap, changes)
            signals["spike"] = status.as_signal()

        warned = False
        if troll:
            signals["author_abuse"] = abuse_count
            if abuse_count >= self._abuse_repeat:
                warned = history.stop_due_before(at, window, self._abuse_repeat)
                signals["report"] = warned
        fast_spread = how.spreading or blast >= self._blast
        loud = who.influential or fast_spread
        action, reasons = self._choose(
            m, r, who, how, blast, loud, troll, status, abuse_count, warned, is_summoned
        )
        unlisted = reasons[0].startswith(UNLISTED)  # a follow-up's case says more than this
        if case is not None and owed_an_answer(case, Action.IGNORE if unlisted else action, troll):
            action, reasons = Action.RESPOND, [WROTE_AGAIN]
        if action in (Action.RESPOND, Action.PRIORITY) and r.complaint:
            back = looking_back(m.text)
            if back:
                signals["looking_back"] = back
                reasons.append(
                    f"about something {back}: low urgency, high impact; go beyond the fix"
                )
        if r.lang != "en" and action.needs_person and not reasons[0].startswith("written in"):
            reasons.append(f"written in {name_of(r.lang)}: a person who reads it should answer")
        if action.needs_person and r.personal_data:
            reasons.append(
                f"personal data in the post ({', '.join(r.personal_data)}): take it private, "
                "suggest deleting the post"
            )
        if action.needs_person and not is_summoned:
            reasons.append("does not @mention us: DM or statement, no public reply")
        fast = action is Action.THANK and loud
        opened = status is not None and status.opened_now
        situation = Situation(is_summoned, who.vip, who.influential, fast_spread, opened)
        decision = self._final(m, action, reasons, signals, r, now, situation, fast)
        if case is None:
            return decision
        resolved = resolves(m.text, self._complaints)
        return carry(case, decision, m, self._targets, now, resolved, self._due_for)

    def _due_for(self, priority: Priority, posted: datetime) -> datetime:
        """The target counted from the post: open time under business hours (P1 never waits)."""
        return self._clockwork.due(priority.value, posted)

    def _choose(
        self,
        m: Mention,
        r: Reading,
        who: Reach,
        how: Spread,
        blast: float,
        loud: bool,
        troll: bool,
        status: SpikeStatus | None,
        abuse_count: int,
        warned: bool,
        addressed: bool,
    ) -> tuple[Action, list[str]]:
        worry = list(who.reasons)
        if how.reason:
            worry.append(how.reason)
        labels = self._risks.labels
        risks = [f'{labels[name]} ("{phrase}")' for name, phrase in r.risks.items()]
        if r.danger is not None:
            return Action.PRIORITY, [
                f"someone may be in danger: {r.danger.describe()}: a lead, at once; point to "
                "help, never leave it unanswered",
                *risks,
                *worry,
            ]
        if status is not None and status.in_spike and r.topic:
            reasons = [
                f"spike: {status.describe(r.topic, self._spike.window_minutes)}",
                *risks,
                *worry,
            ]
            return Action.CRISIS, reasons
        if risks:
            return Action.ESCALATE_PR, [*risks, *worry]
        if r.own_account is not None:
            return Action.PRIORITY, [
                f'the customer\'s own account hacked or locked ("{r.own_account}"): their '
                "emergency, not a data breach; take it private, never ask for details in public",
                *([_what(r)] if r.complaint or r.request else []),
                *worry,
            ]
        if loud and not worry:
            worry.append(f"blast radius {blast:g} (reach × spread × negativity)")
        if troll:
            abuse = f"abuse ({', '.join(r.toxicity.words[:3])})"
            if abuse_count >= self._abuse_repeat:
                span = duration(self._abuse_window)
                repeated = (
                    f"repeated abuse: {abuse_count} abusive posts in {span} "
                    f"from @{m.author.username}"
                )
                if warned:
                    return Action.HARASSMENT, [
                        repeated,
                        "it goes on after the request to stop was due: report the account "
                        "to the platform",
                    ]
                return Action.HARASSMENT, [repeated, "first a private message asking them to stop"]
            if loud:
                return Action.PRIORITY, [f"{abuse} from an account others are watching", *worry]
            return Action.IGNORE, [f"{abuse} with no substance, low reach: not answered in public"]
        if r.controversial:
            said = [_what(r)] if r.complaint or r.request else []
            return Action.PRIORITY, [
                f'controversial topic ("{r.controversial[0]}"): a reviewed reply that takes no '
                "side and does not apologise to please one person",
                *said,
                *worry,
            ]
        if r.competitor is not None:
            theirs = [f"complaint about a competitor ({r.competitor}): not ours"]
            if r.is_praise:
                return Action.THANK, ["praise", *theirs, *who.reasons]
            if r.request:
                theirs.append("question or request")
            if loud:
                return Action.PRIORITY, [*theirs, *worry]
            return Action.RESPOND, theirs
        if r.complaint or r.request:
            what = _what(r)
            if loud:
                return Action.PRIORITY, [what, *worry]
            return Action.RESPOND, [what]
        if r.is_praise and r.fixed:
            return Action.THANK, [
                "thanks for a problem now put right: thank them, no apology needed",
                *who.reasons,
            ]
        if r.is_praise:
            small = reservation(m.text)
            if small:
                return Action.THANK, [
                    f'praise, with a small complaint ("{small}"): thank them, then answer it',
                    *who.reasons,
                ]
            return Action.THANK, ["praise", *who.reasons]
        if r.lang != "en":
            return (Action.PRIORITY if loud else Action.RESPOND), [self._unread(r.lang), *worry]
        words = _own_words(m.text) if addressed else 0  # counted only here: few posts get here
        if words >= 2 and (r.sentiment < self._warm or r.uneasy):
            signs = f" ({', '.join(r.weak[:3])})" if r.weak else ""
            return (Action.PRIORITY if loud else Action.RESPOND), [
                UNLISTED + (f"; signs of dissatisfaction{signs}" if r.uneasy else ""),
                *worry,
            ]
        if loud:
            return Action.PRIORITY, ["mention from an account others are watching", *worry]
        if words >= 2:
            return Action.IGNORE, [
                f"warm words, nothing asked or wrong (tone {r.sentiment:+.2f}): nothing to answer"
            ]
        return Action.IGNORE, ["nothing to answer: no question, complaint or praise"]

    def _unread(self, code: str) -> str:
        """Why a post in another language goes to a person."""
        name = name_of(code)
        if code in self._foreign:
            return (
                f"written in {name}: the rules read only its risks and danger (none found); "
                f"a person who reads {name} should answer it"
            )
        return f"written in {name}, which the rules do not read: a person should read it"

    def _remember(
        self, m: Mention, at: float, troll: bool, snap: Snapshot, changes: Changes
    ) -> AuthorHistory:
        """Add the post to the author's history (the snapshot's, and the batch's changes)."""
        history = snap.authors.get(m.author.id)
        if history is None:
            history = snap.authors[m.author.id] = AuthorHistory()
        history.posts.append(at)
        if troll:
            history.abuse.append(at)
        changes.posts.append(PostEvent(m.author.id, m.id, at, troll))
        return history

    def _count_topic(
        self, m: Mention, at: float, topic: str, snap: Snapshot, changes: Changes
    ) -> SpikeStatus:
        minute = int(at // 60)
        overall = state_of(snap.spikes, ALL_TOPICS)
        state = state_of(snap.spikes, topic)
        changes.topics.append(TopicEvent(topic, m.id, minute))
        count_traffic(overall, self._spike, minute)
        return observe(state, self._spike, minute, overall=overall)

    def _final(
        self,
        m: Mention,
        action: Action,
        reasons: list[str],
        signals: dict[str, Any],
        r: Reading,
        now: datetime,
        situation: Situation,
        fast: bool = False,
    ) -> Decision:
        """Apply the age rules (§1), then priority, due time, template and the PR topic."""
        age = now - m.created_at
        danger = r.danger is not None and action is Action.PRIORITY
        if action.needs_person and age > self._max_age and not danger:
            signals["too_old"] = True
            signals["would_have_been"] = action.value
            reasons.insert(0, f"older than {duration(self._max_age)}: recorded, not chased")
            action = Action.IGNORE
        priority = Priority.P1 if danger else PRIORITY_OF.get(action)
        if fast and priority is not None and not danger:  # §4: a fast answer, not a better one
            priority = Priority.P2
        due = None
        late = False
        template = None
        if priority is not None:
            target = self._targets[priority]
            due = self._due_for(priority, m.created_at)
            late = now > due
            template = self._template(action, late, r, r.lang == "en", signals.get("report"))
            if late:
                reasons.append(
                    f"found late: {duration(age)} after posting (target {duration(target)})"
                )
        topic = r.topic
        controversial = bool(r.controversial)
        review = signals["review"] = (
            reviewed(
                action,
                influential=situation.influential,
                spreading=situation.spreading,
                controversial=controversial,
            )
            or danger
        )  # what goes to someone in danger is seen by a lead first
        if action is Action.ESCALATE_PR and r.risks:
            topic = pr_topic(r.risks)
            reasons.append(f"PR pages the crisis contacts for {topic}")
        return Decision.made(
            mention_id=m.id,
            action=action,
            priority=priority,
            topic=topic,
            late=late,
            due=due,
            template=template,
            reasons=tuple(reasons),
            signals=signals,
            summoned=situation.summoned,
            risks=tuple(r.risks),
            vip=situation.vip,
            influential=situation.influential,
            spreading=situation.spreading,
            controversial=controversial,
            spike_opened=situation.spike_opened,
            review=review,
            age=age,
            sentiment=r.sentiment,
            complaint=r.complaint,
        )

    def _template(
        self, action: Action, late: bool, r: Reading, english: bool, report: bool | None
    ) -> str | None:
        """The reply template to offer; `report`: harassment goes on after the stop request."""
        if action is Action.CRISIS:
            return "crisis_statement"
        if action is Action.ESCALATE_PR:
            return "pr_holding"
        if action is Action.HARASSMENT:
            return None if report else "harassment_stop"
        if action is Action.THANK:  # a playbook from before "thanks_fixed" thanks plainly
            return "thanks_fixed" if r.fixed and "thanks_fixed" in self._templates else "thanks"
        if r.danger is not None and action is Action.PRIORITY:
            return "someone_in_danger"
        if r.own_account is not None:
            return "take_private"  # never ask for account details in public, late or not
        if late:
            return "late_reply"
        if r.enquiry and not r.personal_data and not r.controversial:
            return "answer"  # "how long does a refund take?" wants an answer, not an apology
        if r.personal_data or (r.complaint and r.topic in self._private):
            return "take_private"
        if r.controversial and not r.problems:
            return "considered"
        if r.competitor is not None:
            return "answer"  # no apology for what a competitor did
        if r.complaint:
            return "ownership"
        if action is Action.PRIORITY and not r.request and english:
            return "considered"
        return "answer"


def _drop(m: Mention, reason: str, signals: dict[str, Any], now: datetime) -> Decision:
    """Spam, bots and our own posts or reposts: recorded with the reason, no card, no target."""
    return Decision.made(
        mention_id=m.id,
        action=Action.DROP,
        priority=None,
        topic=None,
        late=False,
        due=None,
        template=None,
        reasons=(reason,),
        signals=signals,
        summoned=True,
        risks=(),
        vip=False,
        influential=False,
        spreading=False,
        controversial=False,
        spike_opened=False,
        review=False,
        age=now - m.created_at,
        sentiment=float(signals.get("sentiment") or 0.0),
    )


def _own_words(text: str) -> int:
    """How many words the post has beyond handles, tags and links (0: emoji and punctuation)."""
    n = 0
    for word in text.split():
        if word[0] in "@#" or word.startswith(("http://", "https://")):
            continue
        if word.isalpha() or any(ch.isalpha() for ch in word):
            n += 1
    return n


def _substance(r: Reading) -> bool:
    """The post states a real problem, or asks about something: rudeness does not hide it."""
    return bool(r.problems) or r.own_account is not None or (r.request and r.topic is not None)


def _what(r: Reading) -> str:
    """What the post says, for the first reason: the complaint's cues, or a question."""
    if r.enquiry:
        what = "question or request" + (f" about {', '.join(r.problems[:2])}" if r.problems else "")
    elif r.complaint and r.sarcasm is not None:
        what = f'complaint: praise aimed at a failure ("{r.sarcasm}")'
    elif r.complaint:
        cues = list(r.problems[:3]) or list(r.grievances[:2])
        if cues:
            what = f"complaint: {', '.join(cues)}"
        elif r.sentiment < 0:
            what = f"complaint: negative tone ({r.sentiment:+.2f})"
        else:
            what = "complaint: several weak signs" + (
                f" ({', '.join(r.weak[:3])})" if r.weak else ""
            )
    else:
        what = "question or request"
    if r.toxicity.abusive:
        what += " (rude, but states a real problem)"
    return what


def pr_topic(risks: dict[str, str]) -> str:
    """What PR is paged for on an escalation: the first risk the post raised (legal, safety, ...).

    The crisis plan's contacts are keyed by topic or risk name, so an escalation names the risk,
    not the subject ("legal", not "billing" for a lawyer about a double charge).
    """
    return next(iter(risks))
