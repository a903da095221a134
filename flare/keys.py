"""Every Redis key Flare uses, in one place, under one prefix."""

from __future__ import annotations

PREFIX = "flare"


def case(mention_id: str) -> str:
    """Hash: one case (the mention, its decision, its state)."""
    return f"{PREFIX}:case:{mention_id}"


def cases_by_due() -> str:
    """Sorted set: open case ids scored by due time (epoch seconds)."""
    return f"{PREFIX}:cases:due"


def triage_pending(batch: str) -> str:
    """Set with expiry: the cases a triage batch stored and has not yet acted on (cards,
    incidents), so a retry after a failure in between still acts on them."""
    return f"{PREFIX}:triage-pending:{batch}"


def thread(post_id: str) -> str:
    """String: the case a post belongs to (a conversation's root, the case's own posts), so a
    customer's later post in the conversation joins that case."""
    return f"{PREFIX}:thread:{post_id}"


def case_follow_ups(mention_id: str) -> str:
    """List: the customer's later posts in the case's conversation (mention JSON), oldest first."""
    return f"{PREFIX}:case:{mention_id}:follow-ups"


def claim(mention_id: str) -> str:
    """String with expiry: the Slack user id holding the case's lease."""
    return f"{PREFIX}:claim:{mention_id}"


def seen(mention_id: str) -> str:
    """Dedupe mark, SET NX EX: this post has been taken in once."""
    return f"{PREFIX}:seen:{mention_id}"


def card(mention_id: str) -> str:
    """Hash: where the case's card lives in chat (channel, ts)."""
    return f"{PREFIX}:card:{mention_id}"


def person_name(user: str) -> str:
    """String with expiry: a chat user's name from their profile, which signs their replies."""
    return f"{PREFIX}:person:{user}:name"


def posted(idempotency_key: str) -> str:
    """SET NX: this reply or DM was sent (or is being sent) once; a double submit stops here."""
    return f"{PREFIX}:posted:{idempotency_key}"


def dead_letters() -> str:
    """List of dead-letter ids as Flare kept them before the index below; `DeadLetters.upgrade`
    moves them into it once."""
    return f"{PREFIX}:dlq"


def dead_letter_index() -> str:
    """Sorted set: every dead-letter id, scored by its number (the order they first came in)."""
    return f"{PREFIX}:dlq:index"


def dead_letter_last_seen() -> str:
    """Sorted set: every dead-letter id, scored by when its payload last came in (epoch s)."""
    return f"{PREFIX}:dlq:last-seen"


def dead_letter_digests() -> str:
    """Hash: a payload's digest (source and bytes) → the id of its dead letter, so the same
    payload kept again counts once more instead of making a second letter."""
    return f"{PREFIX}:dlq:digests"


def dead_letter_errors() -> str:
    """Hash: an error's kind (its text with numbers written N) → how many dead letters have it."""
    return f"{PREFIX}:dlq:errors"


def dead_letter(record_id: str) -> str:
    """Hash: one payload that could not be taken in (raw bytes, source, error, when)."""
    return f"{PREFIX}:dlq:{record_id}"


def dead_letter_seq() -> str:
    return f"{PREFIX}:dlq:seq"


def audit() -> str:
    """Stream: every action, who, what, when, on which case (the newest 100,000 or so)."""
    return f"{PREFIX}:audit"


def case_audit(mention_id: str) -> str:
    """Stream: one case's own actions, oldest first; kept as long as the case (no expiry)."""
    return f"{PREFIX}:case:{mention_id}:audit"


def stats() -> str:
    """Hash of counters: mentions, cards, ignored, escalations, ..."""
    return f"{PREFIX}:stats"


# Triage context (spike state, incidents).
def spike_state(topic: str) -> str:
    """String (JSON): the spike detector's state for one topic."""
    return f"{PREFIX}:spike:{topic}"


def incident(topic: str) -> str:
    """Hash: the open incident for a topic, if any."""
    return f"{PREFIX}:incident:{topic}"


def incident_cases(topic: str) -> str:
    """List: the case ids rolled up into a topic's incident, newest first."""
    return f"{PREFIX}:incident:{topic}:cases"


def incident_card(topic: str) -> str:
    """Hash: where the incident's card lives in chat (channel, ts)."""
    return f"{PREFIX}:incident:{topic}:card"


def incident_arrivals(topic: str) -> str:
    """Sorted set: the case ids counted into a topic's open incident, by epoch seconds (its rate
    and timeline)."""
    return f"{PREFIX}:incident:{topic}:arrivals"


def topic_cases(topic: str) -> str:
    """Sorted set: a topic's recent carded cases by epoch seconds, kept for the spike window, so
    an incident that opens can fold them in."""
    return f"{PREFIX}:topic:{topic}:cases"


def incident_record(incident_id: str) -> str:
    """Hash with expiry: a closed incident, as it was when it closed."""
    return f"{PREFIX}:incident-record:{incident_id}"


def incident_record_cases(incident_id: str) -> str:
    """List with expiry: the case ids a closed incident had rolled up."""
    return f"{PREFIX}:incident-record:{incident_id}:cases"


def incident_record_arrivals(incident_id: str) -> str:
    """Sorted set with expiry: every case a closed incident counted, for the closer to settle."""
    return f"{PREFIX}:incident-record:{incident_id}:arrivals"


def incident_pages(incident_id: str) -> str:
    """List: "channel|ts" of every page an incident's chain sent in chat, to settle them later."""
    return f"{PREFIX}:incident-record:{incident_id}:pages"


def page_sent(incident_id: str, step_token: str, channel: str) -> str:
    """Mark, SET NX EX: the step carrying this token went out on one channel (chat, pager,
    email), so a retried step job sends nothing twice, and a chain started again pages anew."""
    return f"{PREFIX}:page:{incident_id}:{step_token}:{channel}"


def incident_card_edited(topic: str) -> str:
    """String with expiry (PX): the incident's card was edited a moment ago."""
    return f"{PREFIX}:incident:{topic}:card:edited"


def incident_card_pending(topic: str) -> str:
    """Mark with expiry: an edit of the incident's card is put off until its gap is over."""
    return f"{PREFIX}:incident:{topic}:card:pending"


def incidents_open() -> str:
    """Set: the topics that have an open incident (added by Incidents.join)."""
    return f"{PREFIX}:incidents:open"


def send_next(channel: str) -> str:
    """String: epoch ms from which the next message to this chat channel may go out."""
    return f"{PREFIX}:send:{channel}:next"


def send_hold(channel: str) -> str:
    """String: epoch ms until which a 429's Retry-After holds every send to this channel."""
    return f"{PREFIX}:send:{channel}:hold"


# X intake (listener): checkpoints, stream state, reply idempotency, API spend.
def x_mentions_since(user_id: str) -> str:
    """String: newest mention id taken in by polling the user's mentions timeline."""
    return f"{PREFIX}:x:mentions:{user_id}:since"


def x_stream_state() -> str:
    """Hash: the stream's last connect, last post seen (id, at), last disconnect and why."""
    return f"{PREFIX}:x:stream"


def x_reply(hint: str) -> str:
    """String: the id X gave a reply or DM sent with this idempotency hint ("pending" meanwhile)."""
    return f"{PREFIX}:x:sent:{hint}"


def x_spend(day: str) -> str:
    """Hash: X API use on one UTC day (YYYY-MM-DD): `<endpoint>:calls|posts|users` → count."""
    return f"{PREFIX}:x:spend:{day}"


def webhook_request(signature: str) -> str:
    """Mark, SET NX EX: a signed POST /intake request already taken in (replays are refused)."""
    return f"{PREFIX}:intake:signed:{signature}"


def author_events(author_id: str) -> str:
    """Sorted set: one author's recent posts to us, "p:<id>" or "a:<id>" (abusive), by epoch."""
    return f"{PREFIX}:author:{author_id}:events"


def topic_counted(mention_id: str) -> str:
    """Mark, SET NX EX: this mention has been counted into its topic's spike detector."""
    return f"{PREFIX}:triage:counted:{mention_id}"


# Slack cards: redraw throttling and the per-channel backlog of cards waiting for a send slot.
def card_drawn(mention_id: str) -> str:
    """String with expiry (PX): the case's card was redrawn within the last moment."""
    return f"{PREFIX}:card:{mention_id}:drawn"


def card_dirty(mention_id: str) -> str:
    """Mark: the case changed since its card was last drawn; a redraw job will draw it."""
    return f"{PREFIX}:card:{mention_id}:dirty"


def send_waiting(channel: str) -> str:
    """Sorted set: case ids whose cards wait for a send slot in this channel, scored by urgency
    (flare.backlog.urgency): the lowest score goes first."""
    return f"{PREFIX}:send:{channel}:waiting"


def card_attempt(mention_id: str) -> str:
    """String with expiry: when Flare last sent the case's card to Slack (epoch seconds), set
    before the call; a retry that finds it looks for the card in the channel before posting."""
    return f"{PREFIX}:card:{mention_id}:attempt"


def post_attempt(post_key: str) -> str:
    """String with expiry: when a job last sent its one post to Slack (epoch seconds), set
    before the call; a later run of the job that finds it looks for the post before posting."""
    return f"{PREFIX}:post:{post_key}:attempt"


def slack_outage(channel: str) -> str:
    """Hash: since when Slack has not taken posts for this channel, and how many tries failed."""
    return f"{PREFIX}:send:{channel}:outage"


def send_draining(channel: str) -> str:
    """Mark with expiry: a drain job for this channel's waiting cards is queued or running."""
    return f"{PREFIX}:send:{channel}:draining"


def send_folded(channel: str) -> str:
    """Sorted set: case ids folded out of this channel's backlog into its "N more waiting" card,
    scored by urgency like `send_waiting`: the lowest score is the next one pulled."""
    return f"{PREFIX}:send:{channel}:folded"


def fold_weighed(channel: str) -> str:
    """Mark, SET NX PX: this channel's whole line was weighed for folding a moment ago."""
    return f"{PREFIX}:send:{channel}:weighed"


def fold_card(channel: str) -> str:
    """Hash: where this channel's "N more waiting" card is (channel, ts), while cards are folded."""
    return f"{PREFIX}:send:{channel}:fold-card"


def fold_card_edited(channel: str) -> str:
    """Mark, SET NX PX: the "N more waiting" card was edited within the fold edit gap."""
    return f"{PREFIX}:send:{channel}:fold-card:edited"


def fold_card_pending(channel: str) -> str:
    """Mark, SET NX PX: one put-off edit of the "N more waiting" card is queued."""
    return f"{PREFIX}:send:{channel}:fold-card:pending"


# Telling people about a case: the heads-up when its card is posted, the nudge when it is overdue.
def case_told(mention_id: str, action: str) -> str:
    """Mark, SET NX EX: the leads (priority) or PR (a PR risk) were told about this case."""
    return f"{PREFIX}:case:{mention_id}:told:{action}"


def case_overdue(mention_id: str) -> str:
    """Mark, SET NX EX: the case's card thread was told it is overdue (once per case)."""
    return f"{PREFIX}:case:{mention_id}:overdue"


def case_timers(mention_id: str) -> str:
    """Hash: the case's timers (flare.timers): the token each one wants (`want:<timer>`), which
    fired (`fired:<timer>`), when the reminder and the breach fall, and whether the breach chain
    was stopped by someone acting or acknowledging."""
    return f"{PREFIX}:case:{mention_id}:timers"


def missed() -> str:
    """Sorted set: posts found beyond the playbook's maximum age, by posting time (epoch
    seconds): recorded, never carded, listed by `flare missed`."""
    return f"{PREFIX}:missed"


def scheduler_lock() -> str:
    """String with a short expiry: the token of the one worker process moving due jobs now."""
    return f"{PREFIX}:scheduler-lock"


# Microsoft Teams: where each case's card and each page is, and each conversation's serviceUrl.
def teams_card(mention_id: str) -> str:
    """Hash: where the case's card lives in Teams (conversation, activity id)."""
    return f"{PREFIX}:teams:card:{mention_id}"


def teams_card_pending(mention_id: str) -> str:
    """Mark, SET NX EX: a job is posting the case's Teams card (or waits for a slot to)."""
    return f"{PREFIX}:teams:card:{mention_id}:pending"


def teams_brand_replied(mention_id: str) -> str:
    """Mark with expiry: X showed the brand already replied in the case's conversation, so a
    reply from Teams needs a tick."""
    return f"{PREFIX}:teams:card:{mention_id}:brand-replied"


def teams_service_url(conversation_id: str) -> str:
    """String: the serviceUrl the Bot Connector last named for this conversation."""
    return f"{PREFIX}:teams:service-url:{conversation_id}"


def teams_user(person: str) -> str:
    """String: a person's Teams user id (29:…), learnt from their clicks, for a card's refresh."""
    return f"{PREFIX}:teams:user:{person}"


def teams_pages(incident_id: str) -> str:
    """List of "conversation|activity id": the pages an incident sent in Teams."""
    return f"{PREFIX}:teams:incident:{incident_id}:pages"


# Reports, /metrics and retention.
def cases_by_stored() -> str:
    """Sorted set: every case id by when it was stored (epoch seconds), for retention."""
    return f"{PREFIX}:cases:stored"


def audit_counts() -> str:
    """Hash: how many times each audited action (`what`) was recorded, ever (/metrics)."""
    return f"{PREFIX}:audit:counts"


def histogram(name: str) -> str:
    """Hash: one /metrics histogram, `b<i>` (observations in bucket i), `sum` and `count`."""
    return f"{PREFIX}:histogram:{name}"


def x_spend_total() -> str:
    """Hash: X API use since the start, `<endpoint>:calls|posts|users` → count (/metrics)."""
    return f"{PREFIX}:x:spend:total"


def digest(day: str) -> str:
    """Hash: the daily digest of one UTC day (YYYY-MM-DD): its post's channel, ts, chart file."""
    return f"{PREFIX}:digest:{day}"


def slack_problems() -> str:
    """Hash: what Slack refused for good (a channel not found, the app not in it, a bad token),
    by "code channel": JSON with the advice, when first and last met and how often, until
    `flare doctor` sees it fixed."""
    return f"{PREFIX}:slack:problems"
