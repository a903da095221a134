"""`flare doctor`: every setting checked against the service it names, and what to fix."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import redis

from bot.slack_client import SlackClient, SlackError
from cli.wiring import team_of
from flare import problems
from flare.health import unserved
from flare.settings import Settings, without_password
from rules.playbook import PlaybookError, load_playbook
from workers.mailer import Mailer, MailError
from workers.x_client import XClient, XError


class Mark(StrEnum):
    OK = "ok"
    WARN = "warning"  # works, but worth knowing (off, or less than it could be)
    WRONG = "problem"  # does not work as set: `flare doctor` exits 1


@dataclass(frozen=True)
class Finding:
    mark: Mark
    what: str
    fix: str = ""


def ok(what: str) -> Finding:
    return Finding(Mark.OK, what)


def warn(what: str, fix: str = "") -> Finding:
    return Finding(Mark.WARN, what, fix)


def wrong(what: str, fix: str) -> Finding:
    return Finding(Mark.WRONG, what, fix)


Check = Callable[[], Iterator[Finding]]


def examine(settings: Settings, client: redis.Redis) -> Iterator[Finding]:
    """Every check, in the order a new install meets them; a check that fails to run is itself
    a finding, and the others still run."""
    checks: list[tuple[str, Check]] = [
        ("Redis", lambda: check_redis(client, settings)),
        ("The playbook", lambda: check_playbook(settings)),
        ("Who may act", lambda: check_team(settings)),
        ("Slack", lambda: check_slack(settings, client)),
        ("X", lambda: check_x(settings)),
        ("Email", lambda: check_smtp(settings)),
        ("Workers", lambda: check_workers(client)),
    ]
    for name, check in checks:
        try:
            yield from check()
        except redis.RedisError as exc:
            yield wrong(f"{name}: Redis failed during the check: {exc}", "see the Redis line")


def check_redis(client: redis.Redis, settings: Settings) -> Iterator[Finding]:
    where = without_password(settings.redis_url) or f"Flare's own in {settings.data_dir}"
    try:
        client.ping()
        persistence = client.info("persistence")
    except redis.RedisError as exc:
        yield wrong(
            f"Redis at {where} cannot be reached: {without_password(str(exc))}",
            "start it, or fix FLARE_REDIS_URL (empty: Flare runs its own)",
        )
        return
    if str(persistence.get("aof_enabled")) != "1":
        yield wrong(
            f"Redis at {where}: AOF is off, so a restart of Redis loses queued jobs and pages",
            "turn on the append-only file: `appendonly yes` in redis.conf (or "
            "`CONFIG SET appendonly yes` and `CONFIG REWRITE`), `appendfsync everysec`",
        )
    else:
        yield ok(f"Redis at {where}: reachable, AOF on")


def check_playbook(settings: Settings) -> Iterator[Finding]:
    name = str(settings.playbook) if settings.playbook else "(the shipped one)"
    try:
        book = load_playbook(settings.playbook)
    except (PlaybookError, OSError) as exc:
        yield wrong(f"Playbook {name} can't be used: {exc}", "check it with `flare rules check`")
        return
    yield ok(f"Playbook {name}: valid, {len(book.topics)} topics")


def check_team(settings: Settings) -> Iterator[Finding]:
    team = team_of(settings)
    for line in team.rights():
        if ": nobody" in line:
            yield warn(line)
        else:
            yield ok(line)


def check_slack(settings: Settings, client: redis.Redis) -> Iterator[Finding]:
    slack = settings.slack
    if slack.bot_token is None:
        if settings.teams.enabled:
            yield ok("Slack: not set up (Teams alone)")
        else:
            yield warn(
                "Slack: not set up, so no card reaches anyone",
                "set FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET (docs/slack.md)",
            )
        return
    web = SlackClient(slack.bot_token.get_secret_value(), slack.api_url)
    try:
        me = web.whoami()
    except SlackError as exc:
        yield wrong(f"Slack: the bot token is refused ({exc.code})", exc.advice or _reach(exc))
        return
    yield ok(f"Slack: signed in as @{me.get('user')} in {me.get('team')}")
    known = problems.known(client)
    for problem in known:  # a token problem the workers met is gone: auth.test just passed
        if not problem.channel:
            problems.fixed(client, problem)
    if slack.signing_secret is None:
        yield wrong(
            "Slack: FLARE_SLACK__SIGNING_SECRET is not set, so `flare bot` cannot check "
            "that clicks come from Slack",
            "copy the Signing Secret from Basic Information, App Credentials",
        )
    channels = {"FLARE_SLACK__ALERTS_CHANNEL": slack.alerts_channel}
    channels["FLARE_SLACK__PR_CHANNEL"] = slack.pr_channel
    if settings.intake.ops_channel:
        channels["FLARE_INTAKE__OPS_CHANNEL"] = settings.intake.ops_channel
    for variable, channel in channels.items():
        finding = _channel(web, variable, channel)
        yield finding
        if finding.mark is Mark.OK:
            for problem in known:
                if problem.channel == channel:
                    problems.fixed(client, problem)
    for problem in problems.known(client):
        yield wrong(
            f"Slack refused the workers {problem.times} time(s) since {problem.first[:16]}: "
            f"{problem.code}" + (f" in {problem.channel}" if problem.channel else ""),
            problem.advice,
        )
    if slack.app_token is not None:
        socket = SlackClient(slack.app_token.get_secret_value(), slack.api_url)
        try:
            socket.socket_url()
        except SlackError as exc:
            yield wrong(
                f"Slack Socket Mode: the app token is refused ({exc.code})",
                "FLARE_SLACK__APP_TOKEN is an app-level token (xapp-…) with connections:write, "
                "and Socket Mode is on in the app's settings",
            )
        else:
            yield ok("Slack Socket Mode: the app token opens a connection")


def _channel(web: SlackClient, variable: str, channel: str) -> Finding:
    try:
        found = web.channel(channel)
    except SlackError as exc:
        return wrong(f"Slack: {variable}={channel}: {exc.code}", exc.advice or _reach(exc))
    invite = f"invite the app to {channel}: /invite @Flare in the channel"
    if not found.get("is_member") and found.get("is_private"):
        return wrong(f"Slack: the app is not in {channel} ({variable})", invite)
    if not found.get("is_member"):  # public: chat:write.public posts, but history is closed
        return warn(
            f"Slack: the app is not in {channel} ({variable}): cards go out, but a post whose "
            "answer was lost can't be looked for, so it may be posted twice",
            invite,
        )
    return ok(f"Slack: {channel} exists and the app is in it")


def _reach(exc: SlackError) -> str:
    return f"Slack answered {exc.code}: check FLARE_SLACK__API_URL and that this host reaches it"


def check_x(settings: Settings) -> Iterator[Finding]:
    x = settings.x
    if not (x.bearer_token or x.access_token):
        yield warn(
            "X: not set up, so nothing comes in from X and no reply goes out",
            "set FLARE_X__BEARER_TOKEN to read, and the four FLARE_X__CONSUMER_*/ACCESS_* "
            "settings to reply and DM (docs/intake.md)",
        )
        return
    try:
        account = XClient(x).account()
    except XError as exc:
        yield wrong(
            f"X: the credentials are refused ({exc})",
            "check FLARE_X__BEARER_TOKEN, the FLARE_X__CONSUMER_* and FLARE_X__ACCESS_* "
            "settings and FLARE_X__USER_ID in the X developer portal",
        )
        return
    if account.access is None:
        yield ok(f"X: the bearer token reads @{account.username}")
        yield warn(
            "X: no user context, so replies and DMs can't be sent",
            "set FLARE_X__CONSUMER_KEY, FLARE_X__CONSUMER_SECRET, FLARE_X__ACCESS_TOKEN and "
            "FLARE_X__ACCESS_TOKEN_SECRET",
        )
        return
    if x.user_id and x.user_id != account.id:
        yield wrong(
            f"X: the access token is @{account.username}'s (id {account.id}), but "
            f"FLARE_X__USER_ID is {x.user_id}",
            "set FLARE_X__USER_ID to the brand account's id, or use the brand's access token",
        )
    regenerate = (
        "in the X developer portal set the app's permissions to Read and write and Direct "
        "messages, then regenerate the access token and secret"
    )
    if not account.may_reply:
        yield wrong(f"X: @{account.username}'s access is {account.access}: no replies", regenerate)
    elif not account.may_dm:
        yield warn(f"X: @{account.username}'s access is {account.access}: no DMs", regenerate)
    else:
        yield ok(f"X: signed in as @{account.username}, access {account.access}")


def check_smtp(settings: Settings) -> Iterator[Finding]:
    if not settings.smtp.enabled:
        return
    server = settings.smtp.server
    try:
        Mailer(settings.smtp).check()  # as a page signs in: TLS checked, no password in clear
    except (OSError, smtplib.SMTPException, MailError) as exc:
        yield wrong(
            f"Email: {server.host}:{server.port} refused: {without_password(str(exc))}",
            "check FLARE_SMTP__URL (smtp://user:password@host:587)",
        )
        return
    yield ok(f"Email: {server.host}:{server.port} takes the login")


def check_workers(client: redis.Redis) -> Iterator[Finding]:
    missing = unserved(client)
    if missing:
        yield wrong(
            f"Workers: nobody serves {', '.join(missing)}",
            "start `flare worker` (it serves every queue), on any host that reaches Redis",
        )
    else:
        yield ok("Workers: every queue is served")


SIGN = {Mark.OK: "[green]✓[/green]", Mark.WARN: "[yellow]![/yellow]", Mark.WRONG: "[red]✗[/red]"}
