"""The /flare slash command: quick Redis reads, answered in the ack itself, only to the caller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import redis
from slack_bolt import Ack, App, Respond

from bot import digest, views
from bot.card import Block
from bot.mrkdwn import escape, say
from flare.outcome import Actor, Kind, Outcome, refused
from flare.paging import Paging
from flare.queries import Queries
from flare.report import gather
from flare.team import Team
from flare.words import Outside, Part, Person, words
from rules.duration import parse_duration
from rules.units import duration

Clock = Callable[[], datetime]
COMMAND = "/flare"

log = logging.getLogger(__name__)


READS = ("status", "mine", "crisis", "report")  # what shows the queue: for those who may act
REPORT_SPAN = timedelta(days=1)  # `/flare report` with no span: the past 24 hours


def answer(
    text: str, user: str, queries: Queries, now: datetime, team: Team | None = None
) -> tuple[list[Block], str]:
    """Blocks and fallback text for `/flare <text>` typed by `user`."""
    words = text.split()
    sub = words[0].lower() if words else "help"
    team = team or Team()
    if sub in READS and not team.may_act(user):
        said = escape(team.refusal("agent"))
        return [{"type": "section", "text": {"type": "mrkdwn", "text": said}}], said
    if sub == "status":
        by_priority = queries.open_by_priority()
        soon, late, incidents = queries.due_soon(now), queries.breached(now), queries.incidents()
        return (
            views.status_blocks(by_priority, soon, late, incidents, now),
            views.status_text(by_priority, soon, late, incidents),
        )
    if sub == "mine":
        mine = queries.claimed_by(user)
        return views.mine_blocks(mine, now), f"You hold {len(mine)} Flare case(s)."
    if sub == "crisis" and len(words) > 2 and words[1].lower() == "status":
        topic = words[2].lower()
        incident = next((i for i in queries.incidents() if i.topic == topic), None)
        if incident is None:
            return views.crisis_blocks([], now), f"No open incident on {escape(topic[:50])}."
        cases = queries.incident_cases(topic)
        blocks = views.incident_status_blocks(incident, cases, now)
        return blocks, f"Incident {escape(topic[:50])}: {incident.count} complaints."
    if sub == "crisis":
        incidents = queries.incidents()
        return views.crisis_blocks(incidents, now), f"{len(incidents)} open incident(s)."
    if sub == "report":
        return report(words[1] if len(words) > 1 else None, queries, now)
    if sub == "help":
        return views.help_blocks(), "Flare commands: status, mine, report, crisis, help."
    unknown = escape(words[0][:50])
    return views.help_blocks(unknown=words[0]), f"Unknown subcommand '{unknown}': try /flare help."


def report(span: str | None, queries: Queries, now: datetime) -> tuple[list[Block], str]:
    """`/flare report [SPAN]`: the report of the past SPAN (24 hours unless given: 7d, 12h)."""
    try:
        since = now - (parse_duration(span) if span else REPORT_SPAN)
    except ValueError:
        said = f"`{escape(span or '')[:20]}` is not a span: try `/flare report 7d` or `12h`."
        return [{"type": "section", "text": {"type": "mrkdwn", "text": said}}], said
    found = gather(queries.redis, since, now)
    return digest.blocks(found), digest.title(found)


def act(text: str, user: str, queries: Queries, paging: Paging) -> Outcome | None:
    """`/flare ack [TOPIC]`, `/flare crisis open TOPIC`, `/flare crisis close TOPIC [summary]`;
    None for the subcommands that only read."""
    words_ = text.split()
    sub = [w.lower() for w in words_[:2]]
    actor = Actor(user)
    if sub[:1] == ["ack"]:
        topic = words_[1] if len(words_) > 1 else _only_incident(queries)
        if topic is None:
            return refused(words("Name the incident: /flare ack TOPIC (see /flare crisis)."))
        return paging.acknowledge(topic, actor)
    if sub == ["crisis", "oncall"]:
        if len(words_) < 3:
            return refused(words("Name the topic: /flare crisis oncall TOPIC."))
        return oncall(paging, words_[2].lower())
    if sub[:1] == ["crisis"] and sub[1:] in (["open"], ["close"]):
        if len(words_) < 3:
            return refused(words(f"Name the topic: /flare crisis {sub[1]} TOPIC."))
        topic = words_[2].lower()
        if sub[1] == "open":
            return paging.open_by(topic, actor)
        resolve = len(words_) > 3 and words_[3].lower() == "resolve"
        return paging.close(topic, actor, " ".join(words_[4 if resolve else 3 :]), resolve)
    return None


def oncall(paging: Paging, topic: str) -> Outcome:
    """Who the crisis plan pages for a topic, in order, with the time each has."""
    chain = paging.chain_for(topic)
    if not chain.steps:
        return Outcome(Kind.DONE, words("The crisis plan names nobody for ", Outside(topic), "."))
    said: list[Part] = ["Paged for ", Outside(topic), ", in order:"]
    for n, step in enumerate(chain.steps, 1):
        who: Part = Person(step.contact.slack) if step.contact.slack else Outside(step.contact.name)
        said += [f"\n{n}. ", who, f", {duration(step.ack_within, seconds=True)} to acknowledge"]
    said.append(f"\nThe chain runs {chain.repeat} time(s).")
    return Outcome(Kind.DONE, tuple(said))


def _report_later(
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    queries: Queries,
    clock: Clock,
    team: Team | None,
) -> None:
    """`/flare report`: a week of audit can take longer to count than Slack's three seconds, so
    the ack says it is coming and the numbers follow through the command's response_url."""
    ack(text="Counting from the audit…", response_type="ephemeral")
    try:
        blocks, text = answer(command.get("text") or "", command["user_id"], queries, clock(), team)
    except redis.RedisError:
        log.exception("/flare report could not read Redis")
        blocks, text = [], "Flare cannot read the audit right now; try again in a minute."
    respond(blocks=blocks, text=text, response_type="ephemeral", replace_original=True)


def _only_incident(queries: Queries) -> str | None:
    incidents = queries.incidents()
    return incidents[0].topic if len(incidents) == 1 else None


def register(
    app: App, queries: Queries, paging: Paging, clock: Clock, team: Team | None = None
) -> None:
    """Add the /flare command to the app; what shows the queue answers only `team`'s agents."""

    @app.command(COMMAND)
    def flare_command(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        if (command.get("text") or "").strip().lower().startswith("report"):
            _report_later(ack, respond, command, queries, clock, team)
            return
        try:
            outcome = act(command.get("text") or "", command["user_id"], queries, paging)
            if outcome is not None:
                said = say(outcome.says) if outcome.says else "Done."
                ack(text=said, response_type="ephemeral")
                return
            text_in, user = command.get("text") or "", command["user_id"]
            blocks, text = answer(text_in, user, queries, clock(), team)
        except redis.RedisError:
            log.exception("/flare could not read Redis")
            ack(
                text="Flare cannot read its queue right now; try again in a minute.",
                response_type="ephemeral",
            )
            return
        ack(blocks=blocks, text=text, response_type="ephemeral")
