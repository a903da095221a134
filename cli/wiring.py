"""Flare put together from settings: the case core, the Slack app, the jobs' runtime."""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import timedelta

import redis
from slack_bolt import App

from bot.app import build_app
from bot.listeners import Listeners
from bot.slack_client import SlackClient
from bot.slack_surface import SlackSurface
from bot.teams.app import teams_routes
from bot.teams.connector import Connector
from bot.teams.surface import TeamsSurface
from bot.teams.tokens import Tokens
from flare.casework import Casework
from flare.draft import drafter_for
from flare.http import Wsgi
from flare.paging import Paging
from flare.settings import Settings
from flare.store import Store
from flare.team import Team
from flare.time import Clock, utcnow
from rules.engine import Engine
from rules.playbook import Playbook, load_playbook
from workers.mailer import Mailer
from workers.pager import Pager
from workers.runtime import Runtime
from workers.x_client import XClient


def team_of(settings: Settings) -> Team:
    """One team across the surfaces: Teams users count under the id they act as (their Slack
    id where FLARE_TEAMS__PEOPLE maps them)."""
    slack, teams = settings.slack, settings.teams

    def people(slack_ids: tuple[str, ...], aad_ids: tuple[str, ...]) -> frozenset[str]:
        return frozenset(slack_ids) | {teams.person(aad) for aad in aad_ids}

    return Team(
        people(slack.agents, teams.agents),
        people(slack.pr_team, teams.pr_team),
        people(slack.leads, teams.leads),
    )


def build_casework(
    settings: Settings, client: redis.Redis, playbook: Playbook, clock: Clock = utcnow
) -> Casework:
    """The case core as `flare bot` and the workers use it: drafts from the playbook's templates,
    crisis chains from its plan."""
    store, team = Store(client), team_of(settings)
    return Casework(
        store,
        Paging(
            store,
            chain_for=playbook.chain_for,
            team=team,
            clock=clock,
            fold_window=timedelta(minutes=playbook.spike.window_minutes),
            statement_for=playbook.statement_for,
        ),
        team=team,
        clock=clock,
        topics=escalation_topics(playbook),
        drafter=drafter_for(playbook, clock),
        signature_format=settings.slack.signature_format,
        clockwork=playbook.clockwork(),
    )


def escalation_topics(playbook: Playbook) -> tuple[str, ...]:
    """What an agent may escalate under: the playbook's topics, its risks and its crisis chains."""
    names = [t.name for t in playbook.topics] + [*playbook.risks, *playbook.crisis.contacts]
    return tuple(sorted({n for n in names if n != "default"}))


def slack_surface_for(
    settings: Settings, client: redis.Redis, clock: Clock = utcnow
) -> SlackSurface | None:
    """Slack as the settings name it; None without a bot token (cards stay in Redis)."""
    if settings.slack.bot_token is None:
        return None
    web = SlackClient(settings.slack.bot_token.get_secret_value(), settings.slack.api_url)
    return SlackSurface(web, Store(client), clock)


def listener_pool(settings: Settings) -> Listeners:
    """The threads that run the Slack app's listeners (FLARE_SLACK__LISTENER_THREADS)."""
    return Listeners(settings.slack.listener_threads)


def build_app_for(
    settings: Settings,
    client: redis.Redis,
    executor: Executor | None = None,
    clock: Clock = utcnow,
) -> App:
    """The Slack app as `flare bot` runs it, from settings; its listeners run on `executor`
    (by default a pool of FLARE_SLACK__LISTENER_THREADS threads)."""
    slack = slack_surface_for(settings, client, clock)
    assert slack is not None and settings.slack.signing_secret is not None
    assert settings.slack.bot_token is not None
    return build_app(
        build_casework(settings, client, load_playbook(settings.playbook), clock),
        slack,
        settings.slack.signing_secret.get_secret_value(),
        settings.slack.bot_token.get_secret_value(),
        executor or listener_pool(settings),
    )


def teams_surface_for(
    settings: Settings, client: redis.Redis, clock: Clock = utcnow, desk: Casework | None = None
) -> TeamsSurface | None:
    """Teams as the settings name it; None without FLARE_TEAMS__APP_ID."""
    teams = settings.teams
    if not teams.enabled or teams.app_secret is None:
        return None
    connector = Connector(
        teams.app_id, teams.app_secret.get_secret_value(), teams.tenant_id, teams.login_url
    )
    desk = desk or build_casework(settings, client, load_playbook(settings.playbook), clock)
    return TeamsSurface(connector, desk, teams, clock)


def teams_routes_for(
    settings: Settings, client: redis.Redis, clock: Clock = utcnow
) -> dict[str, Wsgi]:
    """/api/messages for `flare bot`, when Teams is set up; nothing otherwise."""
    surface = teams_surface_for(settings, client, clock)
    if surface is None:
        return {}
    teams = settings.teams
    return teams_routes(
        surface, Tokens(teams.app_id, teams.openid_metadata_url, teams.token_issuer)
    )


def x_client_for(settings: Settings, client: redis.Redis) -> XClient | None:
    x = settings.x
    if not (x.bearer_token or x.access_token):
        return None
    return XClient(x, client=client)


def build_runtime(settings: Settings, client: redis.Redis, clock: Clock = utcnow) -> Runtime:
    """What the jobs of this process run with."""
    playbook = load_playbook(settings.playbook)
    casework = build_casework(settings, client, playbook, clock)
    return Runtime(
        settings=settings,
        redis=client,
        store=Store(client),
        playbook=playbook,
        engine=Engine(playbook, brand_handles=settings.brand.handles),
        casework=casework,
        slack=slack_surface_for(settings, client, clock),
        x=x_client_for(settings, client),
        clock=clock,
        pager=Pager(settings.pager),
        mailer=Mailer(settings.smtp),
        teams=teams_surface_for(settings, client, clock, casework),
    )
