"""Every setting Flare reads, from `FLARE_*` environment variables, built once at start-up."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import unquote, urlsplit

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from flare import defaults
from flare.routes import Route, channel_for, parse_routes
from rules.decision import Decision
from rules.units import handle

CsvList = Annotated[tuple[str, ...], NoDecode]


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class BrandSettings(BaseModel):
    handles: CsvList = ()
    """X handles that are "us", without "@"; posts by them are the brand's own."""

    @field_validator("handles", mode="before")
    @classmethod
    def _handles(cls, value: Any) -> Any:
        value = _split_csv(value)
        return tuple(handle(h) for h in value) if isinstance(value, tuple) else value


def _empty_is_unset(value: Any) -> Any:
    """A secret set to nothing (`FLARE_SLACK__APP_TOKEN=` in a compose file) is not set."""
    return None if isinstance(value, str) and not value.strip() else value


def slack_token_problem(value: str, kind: str) -> str | None:
    """Why `value` is not a Slack token of `kind` ("bot" or "app"), by its prefix; None if it
    looks right. Slack's prefixes: xoxb- bot, xapp- app-level, xoxp- user."""
    if kind == "bot" and not value.startswith("xoxb-"):
        if value.startswith("xapp-"):
            return (
                "this is an app-level token (xapp-…), which belongs in FLARE_SLACK__APP_TOKEN; "
                "the bot token is the Bot User OAuth Token (xoxb-…) under OAuth & Permissions"
            )
        if value.startswith("xoxp-"):
            return (
                "this is a user token (xoxp-…): Flare posts as its app, so give the Bot User "
                "OAuth Token (xoxb-…) under OAuth & Permissions"
            )
        return "a bot token starts with xoxb- (the Bot User OAuth Token, OAuth & Permissions)"
    if kind == "app" and not value.startswith("xapp-"):
        if value.startswith("xoxb-"):
            return (
                "this is the bot token (xoxb-…), which belongs in FLARE_SLACK__BOT_TOKEN; the "
                "app token is an app-level token (xapp-…) under Basic Information, App-Level "
                "Tokens, with the connections:write scope"
            )
        return (
            "an app token starts with xapp- (Basic Information, App-Level Tokens, with the "
            "connections:write scope)"
        )
    return None


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = None
    """The Bot User OAuth Token, xoxb-…"""
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    """An app-level token, xapp-…: with it, `flare bot` uses Socket Mode (no public URL)."""
    api_url: str = "https://slack.com/api/"
    alerts_channel: str = "#social-care"
    pr_channel: str = "#pr-escalations"
    routes: Annotated[tuple[Route, ...], NoDecode] = ()
    """Where cards go by priority or topic, e.g. `P1=C0URGENT,billing=C0BILLING`: the first
    route that takes a card wins; PR risks and crises go to `pr_channel`, the rest to
    `alerts_channel`. Each channel has its own send budget."""
    agents: CsvList = ()
    pr_team: CsvList = ()
    leads: CsvList = ()
    """Slack user ids who may take over a case and approve VIP and crisis replies."""
    send_per_second: float = Field(default=1.0, gt=0, le=100)
    """Messages per second Flare posts to one channel (Slack allows about one)."""
    signature_format: str = "^{initials}"
    """How agents sign public replies: {initials} and {name} come from their Slack profile."""
    redraw_gap_ms: int = Field(default=1000, ge=0, le=60_000)
    """Fewest milliseconds between two edits of one card; changes meanwhile fold into one."""
    incident_edit_gap_ms: int = Field(default=3000, ge=0, le=60_000)
    """Fewest milliseconds between two edits of an incident's card (3 s: at most 20 a minute,
    however fast the flood grows)."""
    fold_edit_gap_ms: int = Field(default=3000, ge=0, le=60_000)
    """Fewest milliseconds between two edits of a channel's "N more waiting" card."""
    listener_threads: int = Field(default=32, ge=1, le=512)
    """Threads that run the bot's Slack listeners; each click is acknowledged on one of them, so
    when every thread waits on a slow Slack call a further click is not answered within Slack's
    3 s (Bolt's own pool has 5)."""

    _csv = field_validator("agents", "pr_team", "leads", mode="before")(_split_csv)
    _unset = field_validator("bot_token", "signing_secret", "app_token", mode="before")(
        _empty_is_unset
    )

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        problem = value and slack_token_problem(value.get_secret_value(), "bot")
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        problem = value and slack_token_problem(value.get_secret_value(), "app")
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("routes", mode="before")
    @classmethod
    def _routes(cls, value: Any) -> Any:
        if isinstance(value, str | dict) or (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        ):
            return parse_routes(value)
        return value

    def channel_for(self, decision: Decision) -> str:
        """The channel of a case's card, by its routes (`flare.routes`)."""
        return channel_for(decision, self.routes, self.alerts_channel, self.pr_channel)

    @property
    def configured(self) -> bool:
        return self.bot_token is not None and self.signing_secret is not None


class XSettings(BaseModel):
    api_url: str = "https://api.x.com"
    bearer_token: SecretStr | None = None
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    user_id: str | None = None
    # Estimated X API prices in US dollars (pay-per-use, 2026), for `flare spend`.
    price_post_read: float = Field(default=0.005, ge=0)
    price_user_read: float = Field(default=0.010, ge=0)
    price_owned_read: float = Field(default=0.001, ge=0)
    """Reads of the account's own data, e.g. its mentions timeline."""
    price_post_create: float = Field(default=0.015, ge=0)
    price_dm_create: float = Field(default=0.015, ge=0)
    request_timeout: float = Field(default=30.0, gt=0)
    """Seconds a REST call to X may take before it counts as X being unavailable."""


class IntakeSettings(BaseModel):
    """How `flare listen` takes mentions in: X stream, X polling, the /intake webhook."""

    webhook_secret: SecretStr | None = None
    """HMAC-SHA256 key for POST /intake; unset: /intake answers 503 (never accepts unsigned)."""
    webhook_max_bytes: int = Field(default=defaults.MAX_INTAKE_BYTES, ge=1)
    """Largest POST /intake body; a longer one is refused (413) before it is read."""
    webhook_max_age: int = Field(default=300, ge=1)
    """Seconds a signed request stays valid (older or further in the future is refused)."""
    port: int = Field(default=3001, ge=1, le=65535)
    """HTTP port of `flare listen` (/intake, /healthz, /metrics)."""
    ops_channel: str | None = None
    """Slack channel told when the X stream reaches its maximum reconnect back-off."""
    stream_keywords: CsvList = ()
    """Extra stream terms besides the brand handles (a phrase with spaces is quoted)."""
    stream_exclusions: CsvList = ()
    """Stream operators to exclude, e.g. `is:retweet`, `from:spambot` (each gets a `-`)."""
    stream_rule_max_length: int = Field(default=1024, ge=64)
    stream_keepalive_timeout: float = Field(default=21.0, gt=0)
    """Seconds of silence (no post, no keep-alive) after which the stream reconnects."""
    backoff_network_step: float = Field(default=0.25, ge=0)
    backoff_network_max: float = Field(default=16.0, ge=0)
    backoff_http_start: float = Field(default=5.0, ge=0)
    backoff_http_max: float = Field(default=320.0, ge=0)
    backoff_rate_limit_start: float = Field(default=60.0, ge=0)
    poll_interval: float = Field(default=60.0, gt=0)
    """Seconds between two polls of the mentions timeline (when polling runs)."""
    poll_min_gap: float = Field(default=2.0, ge=0)
    """Fewest seconds between two polls, even when gap backfills are asked for in a row."""
    poll_page_size: int = Field(default=100, ge=5, le=100)
    first_poll_pages: int = Field(default=1, ge=1, le=8)
    """With no checkpoint yet, how many pages of recent mentions the first poll takes."""
    backfill_settle: float = Field(default=10.0, ge=0)
    """Seconds after a stream reconnect for a second backfill (posts still in flight); 0: none."""
    batch_size: int = Field(default=100, ge=1)
    batch_wait_ms: int = Field(default=250, ge=0)
    queue_capacity: int = Field(default=10_000, ge=1)
    """Mentions waiting for Redis at most; past it the sources block (nothing is dropped)."""
    redis_retry_max: float = Field(default=30.0, gt=0)
    """Longest wait between two attempts to hand a batch to Redis while it is down."""

    _csv = field_validator("stream_keywords", "stream_exclusions", mode="before")(_split_csv)


class PagerSettings(BaseModel):
    """Outbound pages as PagerDuty Events API v2 events; off while `events_url` is empty."""

    events_url: str = ""
    """e.g. https://events.pagerduty.com/v2/enqueue; empty: no outbound pages."""
    routing_key: SecretStr | None = None
    """The integration key of the PagerDuty service (or ruleset) the pages go to."""
    timeout: float = Field(default=10.0, gt=0)
    """Seconds one event may take before it counts as failed (and is retried)."""

    @field_validator("events_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http://)")
        return value

    @model_validator(mode="after")
    def _keyed(self) -> PagerSettings:
        if self.events_url and not (self.routing_key and self.routing_key.get_secret_value()):
            raise ValueError("FLARE_PAGER__ROUTING_KEY is needed with FLARE_PAGER__EVENTS_URL")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.events_url)


class SmtpServer(NamedTuple):
    """Where and how mail is sent, read from FLARE_SMTP__URL."""

    host: str
    port: int
    ssl: bool
    """True for smtps:// (TLS from the first byte); smtp:// upgrades with STARTTLS if offered."""
    user: str
    password: str


def smtp_server(url: str) -> SmtpServer:
    """`smtp://user:pass@host:587` or `smtps://user:pass@host:465`; ValueError if it is neither."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("must start with smtp:// or smtps://")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("names no host, e.g. smtp://user:password@mail.example.com:587")
    ssl = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if ssl else 587),
        ssl=ssl,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


class SmtpSettings(BaseModel):
    """Pages by email; off while `url` is empty."""

    url: str = ""
    """smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465; empty: no email."""
    sender: str = "flare@localhost"
    """The From address of every page by email."""
    timeout: float = Field(default=10.0, gt=0)
    """Seconds the SMTP conversation may stall before the send counts as failed."""

    @field_validator("url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value:
            smtp_server(value)
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @property
    def server(self) -> SmtpServer:
        return smtp_server(self.url)


class TeamsSettings(BaseModel):
    """Microsoft Teams beside (or instead of) Slack; off while `app_id` is empty."""

    app_id: str = ""
    """The bot's Microsoft App ID (Entra app registration); inbound tokens must be for it."""
    app_secret: SecretStr | None = None
    """The app registration's client secret, for the token Flare sends to the Bot Connector."""
    tenant_id: str = ""
    """The Entra tenant (single-tenant bots get their token there, else botframework.com)."""
    channel: str = ""
    """Conversation id of the team channel cases are carded in (19:…@thread.tacv2); empty:
    no cards in Teams, only pages."""
    pr_channel: str = ""
    """Where PR risks and crises are carded, as FLARE_SLACK__PR_CHANNEL; empty: `channel`."""
    service_url: str = "https://smba.trafficmanager.net/teams/"
    """Where Flare sends until an inbound activity names a conversation's own serviceUrl."""
    login_url: str = "https://login.microsoftonline.com"
    """Entra's token endpoint host (the tests point it at the fake Bot Connector)."""
    openid_metadata_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    """The Bot Connector's OpenID metadata: where the keys that sign inbound tokens are listed."""
    token_issuer: str = "https://api.botframework.com"
    agents: CsvList = ()
    """Azure AD object ids of the agents (added to FLARE_SLACK__AGENTS: one team)."""
    leads: CsvList = ()
    pr_team: CsvList = ()
    people: CsvList = ()
    """`aad-object-id=SLACKID` pairs: one person in both surfaces, audited and claiming as one."""
    send_per_second: float = Field(default=0.5, gt=0, le=7)
    """Messages per second to one conversation (Teams: 7/s, 1,800/h, so 0.5/s sustained)."""

    _csv = field_validator("agents", "leads", "pr_team", "people", mode="before")(_split_csv)

    @field_validator("people")
    @classmethod
    def _pairs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pair in value:
            aad, _, other = pair.partition("=")
            if not aad.strip() or not other.strip():
                raise ValueError(f"{pair!r} is not AAD-OBJECT-ID=SLACK-ID")
        return value

    @model_validator(mode="after")
    def _secret(self) -> TeamsSettings:
        if self.app_id and not (self.app_secret and self.app_secret.get_secret_value()):
            raise ValueError("FLARE_TEAMS__APP_SECRET is needed with FLARE_TEAMS__APP_ID")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    def channel_for(self, for_pr: bool) -> str:
        """The channel a card goes to: PR's, for a PR risk or a crisis, if one is set."""
        return (self.pr_channel or self.channel) if for_pr else self.channel

    def person(self, aad_id: str) -> str:
        """The id a Teams user acts under: their Slack id where `people` maps them, else their
        Azure AD object id."""
        for pair in self.people:
            aad, _, other = pair.partition("=")
            if aad.strip().lower() == aad_id.lower():
                return other.strip()
        return aad_id

    def aad_of(self, person: str) -> str | None:
        """The Azure AD object id of a person known by their Slack id (or AAD id), if any."""
        for pair in self.people:
            aad, _, other = pair.partition("=")
            if other.strip() == person:
                return aad.strip()
        return person if _AAD.fullmatch(person) else None


class ReportSettings(BaseModel):
    """The daily digest and how long Flare keeps what it holds about people."""

    retention_days: int = Field(default=90, ge=1, le=3650)
    """Days a case and its audit entries are kept (read by the daily retention sweep,
    workers/retention.py); older ones are deleted whatever their state."""
    digest_channel: str = ""
    """Slack channel of the daily digest (the leads'); empty: FLARE_SLACK__ALERTS_CHANNEL."""
    digest_hour: int = Field(default=8, ge=0, le=23)
    """Hour (UTC) the digest of the past 24 hours is posted each day."""


_AAD = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
ENV_FILE = Path(".env")
"""Read as docker compose reads it: from the current directory, the environment winning."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FLARE_",
        env_nested_delimiter="__",
        env_file_encoding="utf-8",  # .env is read by load_settings, the entry point, alone
        extra="ignore",
        validate_default=True,
    )

    redis_url: str = ""
    """Empty: Flare starts (or joins) its own Redis server in the data dir."""
    redis_sentinels: CsvList = ()
    """host:port of each Redis Sentinel; when set, Flare asks them which server is the master
    of FLARE_REDIS_MASTER and follows it through a failover (FLARE_REDIS_URL is not used)."""
    redis_master: str = "flare"
    """The name the Sentinels monitor Flare's Redis under (`sentinel monitor NAME ...`)."""
    redis_password: SecretStr | None = None
    """The password of the Redis servers the Sentinels name (not of the Sentinels)."""
    data_dir: Path = Path(".flare")
    playbook: Path | None = None
    """Empty: the playbook shipped with Flare."""
    brand: BrandSettings = Field(default_factory=BrandSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    x: XSettings = Field(default_factory=XSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    pager: PagerSettings = Field(default_factory=PagerSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "127.0.0.1"
    """Interface `flare bot` and `flare listen` serve HTTP on: this machine only, unless set
    (0.0.0.0 in a container, where the published port is the way in)."""
    log_level: LogLevel | None = None
    """Empty: INFO for `flare worker`, `bot` and `listen` (what each did), WARNING for the other
    commands. `--log-level` on the command line wins."""
    log_format: Literal["text", "json"] = "text"
    """json: one JSON object per line, with the case, mention and job it concerns."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().upper() or None
        return value

    @field_validator("redis_sentinels", mode="before")
    @classmethod
    def _sentinels(cls, value: Any) -> Any:
        value = _split_csv(value)
        for address in value if isinstance(value, tuple) else ():
            host, _, port = str(address).rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected host:port for each Sentinel, got {address!r}")
        return value

    def sentinel_addresses(self) -> list[tuple[str, int]]:
        """FLARE_REDIS_SENTINELS as (host, port) pairs."""
        pairs = (address.rpartition(":") for address in self.redis_sentinels)
        return [(host, int(port)) for host, _, port in pairs]

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value


class SettingsError(RuntimeError):
    """Start-up failed on a setting; the message names the environment variable."""


def env_name(loc: tuple[int | str, ...]) -> str:
    return "FLARE_" + "__".join(str(p).upper() for p in loc if not isinstance(p, int))


def load_settings(env_file: Path | None = ENV_FILE, **overrides: Any) -> Settings:
    """Read the environment (and `env_file`, as compose does: the environment wins) once; a
    misspelt name, an empty value where one is needed or a bad value becomes one readable
    error naming the variable."""
    given = {**_dotenv(env_file), **{k: v for k, v in os.environ.items() if _ours(k)}}
    problems = unknown_names(given) + empty_values(given)
    if problems:
        raise SettingsError("bad setting:\n  " + "\n  ".join(problems))
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        secret = set(secret_names())
        lines = [
            f"{env_name(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            + ("" if env_name(e["loc"]) in secret else f" (got {_shown(e)!r})")
            for e in exc.errors()
        ]
        raise SettingsError("bad setting:\n  " + "\n  ".join(lines)) from None
    except SourceError as exc:
        # a whole group given as one variable (FLARE_SLACK='{...}') that is not valid JSON
        field = re.search(r'field "([^"]+)"', str(exc))
        name = env_name((field.group(1),)) if field else "a FLARE_* variable"
        why = f": {exc.__cause__}" if exc.__cause__ else ""
        raise SettingsError(
            f"bad setting:\n  {name}: not valid JSON{why}; "
            f"or set each part as its own variable, {name}__<PART>"
        ) from None


def _ours(name: str) -> bool:
    return name.upper().startswith("FLARE_")


def _dotenv(path: Path | None) -> dict[str, str]:
    """The FLARE_ variables a .env file sets, read as pydantic-settings (and compose) read it."""
    if path is None or not path.is_file():
        return {}
    values = dotenv_values(path, encoding="utf-8")
    return {k.upper(): v or "" for k, v in values.items() if _ours(k)}


def _fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every setting as (FLARE_ name, its field), groups included."""
    for name, info in model.model_fields.items():
        loc = (*prefix, name)
        yield env_name(loc), info
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from _fields(kind, loc)


def setting_names() -> list[str]:
    return [name for name, _ in _fields(Settings)]


def secret_names() -> list[str]:
    return [name for name, info in _fields(Settings) if "SecretStr" in str(info.annotation)]


def unknown_names(given: Mapping[str, str]) -> list[str]:
    """A FLARE_ variable that is no setting (a typo would otherwise be ignored), with the
    nearest real name."""
    known = setting_names()
    out = []
    for name in sorted(given):
        upper = name.upper()
        if upper in known:
            continue
        near = _nearest(upper, known)
        hint = f"; did you mean {near}?" if near else "; .env.example lists them all"
        out.append(f"{name}: no such setting{hint}")
    return out


def _nearest(name: str, known: list[str]) -> str | None:
    """The real name a typo most likely meant: close as a whole, and in its last part."""
    for candidate in difflib.get_close_matches(name, known, n=3, cutoff=0.6):
        leaf, real = name.rsplit("__", 1)[-1], candidate.rsplit("__", 1)[-1]
        if difflib.SequenceMatcher(None, leaf, real).ratio() >= 0.6:
            return candidate
    return None


def empty_values(given: Mapping[str, str]) -> list[str]:
    """A setting given as nothing where nothing means nothing sensible: every setting whose
    default is a value (a channel, a URL, a number). Those whose default is empty (off, or
    Flare's own) may be empty."""
    fields = dict(_fields(Settings))
    out = []
    for name, value in sorted(given.items()):
        info = fields.get(name.upper())
        if info is None or value.strip():
            continue
        default = info.get_default(call_default_factory=True)
        if default not in (None, "", ()) and not isinstance(default, BaseModel):
            out.append(
                f"{name} is empty: give it a value, or remove it for the default ({default})"
            )
    return out


def _shown(error: Any) -> Any:
    """The bad value as an error may repeat it: a URL's password is not repeated."""
    value = error.get("input")
    return without_password(value) if isinstance(value, str) else value


def masked(settings: Settings) -> dict[str, str]:
    """Every effective setting as `FLARE_…` name → value, secrets shown as set/unset only."""
    out: dict[str, str] = {}

    def walk(prefix: tuple[str, ...], model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            loc = (*prefix, name)
            if isinstance(value, BaseModel):
                walk(loc, value)
            elif isinstance(value, SecretStr):
                out[env_name(loc)] = "********" if value.get_secret_value() else "(empty)"
            elif value is None:
                out[env_name(loc)] = "(unset)"
            elif isinstance(value, tuple):
                out[env_name(loc)] = ",".join(value)
            else:
                out[env_name(loc)] = without_password(str(value))

    walk((), settings)
    return out


_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&](?:password|pass|secret|token)=)[^&\s]+", re.I)


def without_password(value: str) -> str:
    """Any URL's password in `value` shown as stars: a URL alone (smtp://user:pass@host,
    redis://:pass@host) or URLs in a line of text, e.g. an error or a log line; also a
    `?password=` in a query."""
    value = _URL_PASSWORD.sub(lambda m: m.group("head") + "********@", value)
    return _QUERY_PASSWORD.sub(lambda m: m.group("head") + "********", value)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold (tokens, keys, URL passwords), for logs to mask."""
    out: list[str] = []

    def walk(model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value)
            elif isinstance(value, SecretStr) and value.get_secret_value():
                out.append(value.get_secret_value())
            elif isinstance(value, str) and "://" in value:
                try:
                    password = urlsplit(value).password
                except ValueError:
                    password = None
                if password:
                    out.extend({password, unquote(password)})

    walk(settings)
    return [s for s in out if len(s) >= 4]
