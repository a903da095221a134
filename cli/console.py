"""What the `flare` commands share: the error console, settings read once or a clear exit, and
outside text made safe to print."""

from __future__ import annotations

import re
from typing import Any

import typer
from rich.console import Console

from flare import logs
from flare.settings import Settings, SettingsError, load_settings

err = Console(stderr=True, soft_wrap=True)  # errors keep paths and names on one line

given: dict[str, str] = {}
"""What the command line said before the command (`flare --log-level DEBUG worker`)."""


def settings_or_exit(service: bool = False) -> Settings:
    """The settings, built once at the command's start, and logging set up from them; a bad one
    ends it with status 2. A `service` (worker, bot, listen) logs what it does at INFO unless
    told otherwise; the other commands, warnings and errors."""
    try:
        overrides: dict[str, Any] = {"log_level": given["log_level"]} if given else {}
        settings = load_settings(**overrides)
    except SettingsError as exc:
        err.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    if settings.log_level is None:  # decided here, so the processes it starts log the same
        settings = settings.model_copy(update={"log_level": "INFO" if service else "WARNING"})
    logs.setup_for(settings)
    return settings


# C0 controls but tab and newline, DEL, C1 controls: what a terminal would act on, not show.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Outside text as a terminal can print it: escape sequences, bells and carriage returns
    are written out (`\\x1b`), so a payload can't move the cursor, retitle the window or hide
    a line; newlines and tabs stay."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
