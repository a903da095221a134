"""A busy channel's line of cards, folded: the least urgent cards move out of the backlog into
one "N more waiting" card (edited in place) and come back into the line as it shortens.

`flare.backlog.fold` decides; this module reads the channel's backlog, moves the cards between
the two sorted sets (`keys.send_waiting`, `keys.send_folded`) and keeps the fold card current.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import fold_card
from bot.slack_client import Posted
from flare import keys
from flare.backlog import Waiting, fold, holds
from flare.case import Case, CaseState
from flare.defaults import CHAT_RETRY
from flare.jobs import Job, enqueue_in, redraw_fold
from workers import jobs  # its send path; jobs calls `review` from its drain
from workers.runtime import Runtime, current

log = logging.getLogger(__name__)

LIVE = (CaseState.OPEN, CaseState.CLAIMED)
WEIGH_GAP_MS = 2_000  # a line that may fold is read whole at most this often
POSTING_MS = 30_000  # one run posts the card; a run that died mid-post frees it after this


def review(rt: Runtime, channel: str, now_or_never: bool = False) -> int:
    """Weigh the channel's line against its cards' targets (`flare.backlog.fold`) and move the
    cards that fold out of it, or come back into it. Returns how many came back. Run by the
    channel's one drain job, so nothing else moves cards out of the line meanwhile; a card that
    joins meanwhile is weighed at the next slot.

    A line that may fold is read whole at most once per `WEIGH_GAP_MS` (a long line changes
    little from one post to the next); `now_or_never`: weigh it now all the same (the line is
    empty, and only folded cards can fill it)."""
    waiting, folded = keys.send_waiting(channel), keys.send_folded(channel)
    pace, now = 1.0 / rt.settings.slack.send_per_second, rt.clock()
    pipe = rt.redis.pipeline(transaction=False)
    pipe.zcard(waiting)
    pipe.zcard(folded)
    pipe.zrange(waiting, -1, -1, withscores=True)
    count, out_count, tail = pipe.execute()
    if not out_count and (not tail or holds(count, Waiting.of_score("", tail[0][1]))):
        return 0  # nothing folded, nothing to fold: the line was not read
    weighed = rt.redis.set(keys.fold_weighed(channel), "1", nx=True, px=WEIGH_GAP_MS)
    if not (weighed or now_or_never):
        return 0
    pipe.zrange(waiting, 0, -1, withscores=True)
    pipe.zrange(folded, 0, -1, withscores=True)
    in_line, out = (
        {raw.decode(): float(score) for raw, score in found} for found in pipe.execute()
    )
    cards = {**out, **in_line}
    for case_id in out.keys() & in_line.keys():  # a folded card carded again: its best place
        cards[case_id] = min(out[case_id], in_line[case_id])
    plan = fold((Waiting.of_score(i, s) for i, s in cards.items()), pace, now)
    newly = [c for c in plan.folded if c.case_id not in out]
    back = [c for c in plan.posted if c.case_id in out]
    stale = [c.case_id for c in plan.folded if c.case_id in in_line]
    if not (newly or back or stale):
        return 0
    pipe = rt.redis.pipeline()
    if stale:
        pipe.zrem(waiting, *stale)
    if newly:
        pipe.zadd(folded, {c.case_id: c.score for c in newly})
    if back:
        pipe.zrem(folded, *(c.case_id for c in back))
        pipe.zadd(waiting, {c.case_id: c.score for c in back})
    pipe.execute()
    for case in rt.store.get_many([c.case_id for c in newly]):
        rt.casework.watch_due(case)  # folded, not forgotten: checked at its target all the same
    if newly or back:
        log.info(
            "%s: %d cards folded, %d back in line, %d in line",
            channel,
            len(newly),
            len(back),
            len(plan.posted),
        )
        redraw_fold(rt.redis, channel)
    return len(back)


def draw_fold(channel: str, put_off: bool = False) -> str:
    """Post or edit the channel's "N more waiting" card, at most once per fold edit gap.

    The first fold posts it (within the channel's send budget, like any post); later changes
    edit it in place. Once nothing is folded it says so and is let go: the next fold posts a
    fresh card at the bottom of the channel. Within the gap nothing waits: one edit is put off
    until the gap is over (`put_off` marks that run) and shows whatever changed meanwhile.
    """
    rt = current()
    if rt.slack is None:
        return "no-slack"
    where = rt.redis.hgetall(keys.fold_card(channel))
    edited, pending = keys.fold_card_edited(channel), keys.fold_card_pending(channel)
    if put_off:
        rt.redis.delete(pending)
    gap = rt.settings.slack.fold_edit_gap_ms
    if b"ts" in where and gap and not rt.redis.set(edited, "1", nx=True, px=gap):
        if rt.redis.set(pending, "1", nx=True, px=gap + 5_000):
            wait = timedelta(milliseconds=max(1, int(rt.redis.pttl(edited))))
            enqueue_in(rt.redis, wait, Job.DRAW_FOLD, channel, True, retry=CHAT_RETRY)
        return "later"
    listed, total = _folded(rt, channel)
    blocks, text = fold_card.render(channel, listed, total, rt.clock())
    if b"ts" in where:
        rt.slack.client.update_card(where[b"channel"].decode(), where[b"ts"].decode(), blocks, text)
        if total == 0:
            rt.redis.delete(keys.fold_card(channel))
            return "cleared"
        return "updated"
    if total == 0:
        return "nothing folded"
    if not rt.redis.set(edited, "posting", nx=True, px=POSTING_MS):
        return jobs._later(rt, 1.0, Job.DRAW_FOLD, channel)  # another run is posting it
    try:
        posted = jobs._post(rt, channel, blocks, text)
    except Exception:
        rt.redis.delete(edited)
        raise
    if not isinstance(posted, Posted):
        rt.redis.delete(edited)
        return jobs._later(rt, posted, Job.DRAW_FOLD, channel)
    rt.redis.hset(keys.fold_card(channel), mapping={"channel": posted.channel, "ts": posted.ts})
    if gap:
        rt.redis.set(edited, "1", px=gap)  # its first edit waits the gap like every other
    else:
        rt.redis.delete(edited)
    return "posted"


def _folded(rt: Runtime, channel: str) -> tuple[list[Case], int]:
    """The most urgent folded cases still waiting for a card, and how many are folded; a case
    carded, closed or gone meanwhile leaves the fold."""
    folded = keys.send_folded(channel)
    while True:
        ids = [raw.decode() for raw in rt.redis.zrange(folded, 0, fold_card.LISTED - 1)]
        cases = {c.id: c for c in rt.store.get_many(ids)}
        gone = [i for i in ids if i not in cases or cases[i].state not in LIVE]
        carded = [i for i in ids if i in cases and rt.store.card(i)]
        if not gone and not carded:
            return [cases[i] for i in ids], int(rt.redis.zcard(folded))
        rt.redis.zrem(folded, *gone, *carded)
