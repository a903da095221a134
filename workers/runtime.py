"""What jobs run with: built once at a process's entry point, found by the jobs RQ imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import redis

from bot.mrkdwn import escape
from bot.slack_surface import SlackSurface
from bot.teams.surface import TeamsSurface
from flare.case import Case
from flare.casework import Casework
from flare.paging import Paging
from flare.settings import Settings
from flare.statements import Statements
from flare.store import Store
from flare.time import utcnow
from rules.decision import Action
from rules.engine import Engine
from rules.playbook import Playbook
from workers.mailer import Mailer
from workers.pager import Pager
from workers.x_client import XClient


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    store: Store
    playbook: Playbook
    engine: Engine
    casework: Casework
    slack: SlackSurface | None  # None without a Slack bot token: cases are kept, no cards
    x: XClient | None
    clock: Callable[[], datetime] = utcnow
    pager: Pager | None = None  # None or disabled without FLARE_PAGER__EVENTS_URL
    mailer: Mailer | None = None  # None or disabled without FLARE_SMTP__URL
    teams: TeamsSurface | None = None  # None without FLARE_TEAMS__APP_ID

    @property
    def paging(self) -> Paging:
        return self.casework.paging

    @property
    def statements(self) -> Statements:
        return Statements(self.paging)

    def crisis_contacts(self, topic: str) -> list[str]:
        """Who PR pages first for a topic: the playbook's crisis plan, else the PR team."""
        chain = [c.mention() for c in self.playbook.contacts_for(topic)]
        return chain or _at(self.settings.slack.pr_team)

    def leads(self) -> list[str]:
        """The leads as Slack mentions (FLARE_SLACK__LEADS)."""
        return _at(self.settings.slack.leads)

    def to_tell(self, case: Case) -> list[str]:
        """Who must hear of a new card: the leads for a priority case; for a PR risk, the PR
        team and the playbook's crisis contacts for each risk it carries (names if no Slack id)."""
        if case.decision.action is not Action.ESCALATE_PR:
            return self.leads()
        risks = [*case.decision.risks] or [case.decision.topic or ""]
        people = _at(self.settings.slack.pr_team)
        for risk in risks:
            people += [
                c.mention() if c.slack else escape(c.name) for c in self.playbook.contacts_for(risk)
            ]
        return list(dict.fromkeys(people))


def _at(users: Iterable[str]) -> list[str]:
    """Slack user ids as mentions."""
    return [f"<@{user}>" for user in users]


_current: Runtime | None = None


def install(runtime: Runtime) -> Runtime:
    """Make `runtime` the one jobs in this process (and its forked work horses) use."""
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no Flare runtime in this process: start jobs with `flare worker`")
    return _current
