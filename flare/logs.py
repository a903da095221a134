"""The one logging setup of every Flare process: a level, text or one JSON object a line, each
line naming the case, mention and job it concerns, and every secret masked."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from flare.settings import Settings, secrets_of, without_password

MASK = "********"
SUBJECTS = ("case", "mention", "incident", "job")
"""What a line may be about, in the order a text line names them."""

# The libraries' own chatter: Flare says what it did itself; their warnings still show.
_QUIET = ("rq", "urllib3", "slack_bolt", "slack_sdk", "tweepy", "waitress", "requests_oauthlib")

# Loggers whose every error reaches Flare as an exception it tells in its own line: a failed
# Slack call (SlackError), Bolt's notice that its `authorize` is Flare's.
_SAID_BY_FLARE = ("slack_sdk.web", "slack_bolt.App")

_about: ContextVar[dict[str, str]] = ContextVar("flare_log_about", default={})  # noqa: B039


@contextlib.contextmanager
def about(**subjects: str | None) -> Iterator[None]:
    """Every line logged inside names these (case=..., mention=..., job=...), in this thread or
    task only."""
    token = _about.set({**_about.get(), **{k: str(v) for k, v in subjects.items() if v}})
    try:
        yield
    finally:
        _about.reset(token)


def subjects() -> dict[str, str]:
    return dict(_about.get())


class Masker:
    """Known secrets, and the password of any URL, replaced by stars in a line of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return without_password(text)


class TextFormatter(logging.Formatter):
    """`2026-12-06 09:30:00,123 INFO workers.jobs: card posted … [case=… job=…]`"""

    def __init__(self, mask: Masker) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.mask = mask

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        about = subjects()
        if about:
            line += " [" + " ".join(f"{k}={about[k]}" for k in SUBJECTS if k in about) + "]"
        return self.mask(line)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, what it is about, and the error's
    traceback (as one string) when there is one."""

    def __init__(self, mask: Masker) -> None:
        super().__init__()
        self.mask = mask

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.mask(record.getMessage()),
            **subjects(),
        }
        if record.exc_info:
            line["error"] = self.mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


_OURS = ("bot", "cli", "flare", "rules", "workers")  # Flare's packages: their loggers' roots
_HANDLER = "flare"  # the name of the handler this module installs, so a second setup replaces it


def setup(
    level: str = "WARNING",
    form: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Log at `level` and above to stderr (or `stream`), as text or JSON lines, secrets masked.
    Called again, it replaces its own handler: one setup per process."""
    mask = Masker(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER)
    formatter = JsonFormatter(mask) if form == "json" else TextFormatter(mask)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for ours in _OURS:  # whatever set a level on Flare's own loggers before, this setup governs
        logging.getLogger(ours).setLevel(logging.NOTSET)
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in _QUIET:
        logging.getLogger(name).setLevel(quiet)
    for name in _SAID_BY_FLARE:
        logging.getLogger(name).setLevel(max(logging.CRITICAL, quiet))


def setup_for(settings: Settings, stream: TextIO | None = None) -> None:
    """The setup the settings ask for: FLARE_LOG_LEVEL (WARNING when unset) and
    FLARE_LOG_FORMAT, with every secret they hold masked."""
    setup(settings.log_level or "WARNING", settings.log_format, secrets_of(settings), stream)
