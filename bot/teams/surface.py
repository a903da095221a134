"""Flare in Teams, for the endpoint and the jobs alike: cards posted and redrawn, pages sent,
people named, each conversation's serviceUrl remembered."""

from __future__ import annotations

import contextlib

from bot.teams import adaptive
from bot.teams.activities import Pressed
from bot.teams.connector import Connector, Sent, TeamsError, thread_of
from bot.teams.markdown import mentioning, say
from flare import defaults, keys
from flare.case import Case, CaseState
from flare.casework import Casework
from flare.incidents import CLOSED_TTL, Incident
from flare.outcome import Actor
from flare.settings import TeamsSettings
from flare.store import Store
from flare.time import Clock, utcnow
from flare.words import Words
from rules.crisis import Contact, Step
from rules.review import PR_ACTIONS


class TeamsSurface:
    """Teams as the core's jobs and the endpoint reach it, over one Bot Connector client."""

    def __init__(
        self,
        connector: Connector,
        desk: Casework,
        settings: TeamsSettings,
        clock: Clock = utcnow,
    ) -> None:
        self.connector = connector
        self.desk = desk
        self.settings = settings
        self.clock = clock

    @property
    def store(self) -> Store:
        return self.desk.store

    # people -------------------------------------------------------------------------------
    def actor(self, pressed: Pressed) -> Actor:
        """The person pressing: one person whichever surface they use (`FLARE_TEAMS__PEOPLE`).
        Their name signs their replies and names them on cards in both surfaces."""
        person = self.settings.person(pressed.aad)
        redis = self.store.redis
        if pressed.name:
            redis.set(keys.person_name(person), pressed.name, ex=defaults.SIGNATURE_TTL)
        if pressed.user:
            redis.set(keys.teams_user(person), pressed.user, ex=defaults.ONCE_TTL)
        return Actor(person, pressed.name or self.name(person))

    def name(self, person: str) -> str:
        """A person's name as either surface last learnt it; their id if neither did."""
        cached = self.store.redis.get(keys.person_name(person))
        return cached.decode() if cached else person

    def say(self, said: Words) -> str:
        return say(said, self.name)

    def brand_replied(self, case_id: str) -> bool:
        """X showed the brand already replied in the case's conversation (checked on a claim)."""
        return bool(self.store.redis.exists(keys.teams_brand_replied(case_id)))

    # where ------------------------------------------------------------------------------
    def remember(self, conversation: str, service_url: str) -> None:
        """Keep the serviceUrl an inbound activity named: answers to it go there."""
        if conversation and service_url:  # a channel's threads share the channel's
            self.store.redis.set(keys.teams_service_url(conversation.split(";")[0]), service_url)

    def service_url(self, conversation: str) -> str:
        known = self.store.redis.get(keys.teams_service_url(conversation.split(";")[0]))
        return known.decode() if known else self.settings.service_url

    def channel_for(self, case: Case) -> str:
        return self.settings.channel_for(case.decision.action in PR_ACTIONS)

    def card(self, case_id: str) -> tuple[str, str] | None:
        """(conversation, activity id) of the case's card in Teams."""
        raw = self.store.redis.hgetall(keys.teams_card(case_id))
        if not raw:
            return None
        return raw[b"conversation"].decode(), raw[b"activity"].decode()

    # cards -------------------------------------------------------------------------------
    def viewer(self, case: Case, person: str | None = None, problem: Words = ()) -> adaptive.Viewer:
        """What a card shows besides the case; `person` is the one it is drawn for, if any:
        their draft, if they hold it, and what went wrong for them."""
        draft = ""
        holds = case.state is CaseState.CLAIMED and case.claimed_by == person
        if holds and self.desk.drafter:
            draft = self.desk.drafter(case, "reply" if case.decision.summoned else "dm")
        holder = self._teams_user(case.claimed_by) if case.state is CaseState.CLAIMED else None
        return adaptive.Viewer(
            name=self.name,
            topics=self.desk.topics_for(case)[0],
            draft=draft,
            brand_replied=holds and self.brand_replied(case.id),
            problem=self.say(problem),
            refresh_for=(holder,) if holder else (),
        )

    def render(self, case_id: str, person: str | None = None, problem: Words = ()) -> adaptive.Card:
        """The case's card as it is now (for `person`, if given); the retired card if gone."""
        case = self.store.get(case_id)
        if case is None:
            return adaptive.gone(case_id)
        return adaptive.render(case, self.clock(), self.viewer(case, person, problem))

    def post(self, case: Case) -> Sent:
        """Post the case's card in its channel (PR's for a PR risk) and remember where it is."""
        channel = self.channel_for(case)
        card = adaptive.render(case, self.clock(), self.viewer(case))
        sent = self.connector.send(self.service_url(channel), channel, _message(card))
        self.store.redis.hset(
            keys.teams_card(case.id), mapping={"conversation": channel, "activity": sent.id}
        )
        return sent

    def draw(self, case_id: str) -> bool:
        """Update the case's card for everyone from the case as it is now; False if it has none."""
        where = self.card(case_id)
        if where is None:
            return False
        card = self.render(case_id)
        self.connector.update(self.service_url(where[0]), *where, _message(card))
        return True

    def note(self, case_id: str, line: Words) -> Sent | None:
        """A line of the case's activity in its card's thread."""
        where = self.card(case_id)
        if where is None:
            return None
        conversation = thread_of(*where)
        text, mentions = mentioning(line, self.name, self._mentionable)
        message = adaptive.note(text, mentions)
        return self.connector.send(self.service_url(where[0]), conversation, message)

    def tell(self, pressed: Pressed, said: Words) -> None:
        """Say something in the conversation a person pressed in (an Action.Submit's answer)."""
        url = pressed.service_url or self.service_url(pressed.conversation)
        self.connector.send(url, pressed.conversation, adaptive.note(self.say(said)))

    # pages -------------------------------------------------------------------------------
    def reaches(self, person: str) -> bool:
        """Whether a person (by the id they act as) is known in Teams: a Teams user, or a Slack
        user FLARE_TEAMS__PEOPLE maps."""
        return bool(person and self.settings.aad_of(person))

    def page(self, incident: Incident, contact: Contact, step: int, total: int, due: Step) -> None:
        """Page a contact Teams `reaches` in their personal chat with Flare."""
        card = adaptive.page(incident, contact, step, total, due)
        self._personal(incident.id, contact.slack, card)

    def jump(self, incident: Incident, person: str, why: str) -> None:
        """Ask whoever acknowledged to acknowledge again: the incident jumped."""
        self._personal(incident.id, person, adaptive.jump(incident, why))

    def _personal(self, incident_id: str, person: str, card: adaptive.Card) -> None:
        """A card about an incident in a person's chat with Flare, settled with its pages."""
        aad = self.settings.aad_of(person)
        assert aad is not None, "only someone Teams reaches"
        user = self._teams_user(self.settings.person(aad)) or aad
        url = self.settings.service_url
        chat = self.connector.personal_chat(url, user)
        self.remember(chat, url)
        sent = self.connector.send(url, chat, _message(card))
        pages = keys.teams_pages(incident_id)
        self.store.redis.rpush(pages, f"{chat}|{sent.id}")
        self.store.redis.expire(pages, CLOSED_TTL)

    def settle_pages(self, incident_id: str, line: Words) -> int:
        """Take the buttons off every page the incident sent in Teams; returns how many."""
        settled = adaptive.settled(self.say(line))
        done = 0
        for raw in self.store.redis.lrange(keys.teams_pages(incident_id), 0, -1):
            chat, _, activity = raw.decode().partition("|")
            with contextlib.suppress(TeamsError):  # e.g. the chat was deleted meanwhile
                self.connector.update(self.service_url(chat), chat, activity, _message(settled))
                done += 1
        return done

    def _mentionable(self, person: str) -> str | None:
        """How Teams knows a person to @mention them: their Teams user id once they pressed
        something, else their Azure AD object id where settings give one."""
        return self._teams_user(person) or self.settings.aad_of(person)

    def _teams_user(self, person: str | None) -> str | None:
        if not person:
            return None
        known = self.store.redis.get(keys.teams_user(person))
        return known.decode() if known else None


def _message(card: adaptive.Card) -> dict[str, object]:
    return {"type": "message", "attachments": [adaptive.attachment(card)]}
