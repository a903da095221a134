"""Flare in Slack, for listeners and jobs alike: a case's card drawn, a person told, their name."""

from __future__ import annotations

import contextlib

from bot import card
from bot.mrkdwn import say
from bot.slack_client import SlackClient, SlackError
from flare import defaults, keys
from flare.casework import GONE
from flare.outcome import Actor
from flare.store import Store
from flare.time import Clock, utcnow
from flare.words import Words


class SlackSurface:
    def __init__(self, client: SlackClient, store: Store, clock: Clock = utcnow) -> None:
        self.client = client
        self.store = store
        self.clock = clock

    def draw(self, case_id: str) -> None:
        """Update the case's card from the case as it is in Redis now (retired if it is gone)."""
        where = self.store.card(case_id)
        if where is None:
            return
        case = self.store.get(case_id)
        if case is None:
            self.client.update_card(*where, card.gone(case_id), say(GONE))
            return
        blocks, text = card.render(case, self.clock())
        self.client.update_card(*where, blocks, text)

    def retire(self, case_id: str, channel: str, ts: str) -> None:
        """Take the buttons off a card whose case Flare no longer has."""
        if channel and ts:
            with contextlib.suppress(SlackError):  # e.g. the message was deleted meanwhile
                self.client.update_card(channel, ts, card.gone(case_id), say(GONE))

    def tell(self, channel: str, user: str, said: Words) -> None:
        """A message only `user` sees, in the channel they are working in."""
        self.client.post_ephemeral(channel, user, say(said))

    def actor(self, user: str, named: bool = False) -> Actor:
        """The person acting; `named` looks up their name (a reply or DM is signed with it)."""
        return Actor(user, self.name(user) if named else "")

    def name(self, user: str) -> str:
        """A user's name from their Slack profile, cached for a day ("" if Slack won't say)."""
        key = keys.person_name(user)
        cached = self.store.redis.get(key)
        if cached is not None:
            return str(cached.decode())
        try:
            name = self.client.real_name(user)
        except SlackError:
            return ""
        self.store.redis.set(key, name, ex=defaults.SIGNATURE_TTL)
        return name
