"""What the `flare` commands share: the error console, settings read once or a clear exit, and
outside text made safe to print."""

from __future__ import annotations

import re

import typer
from rich.console import Console

from flare.settings import Settings, SettingsError, load_settings

err = Console(stderr=True, soft_wrap=True)  # errors keep paths and names on one line


def settings_or_exit() -> Settings:
    """The settings, built once at the command's start; a bad one ends it with status 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None


# C0 controls but tab and newline, DEL, C1 controls: what a terminal would act on, not show.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Outside text as a terminal can print it: escape sequences, bells and carriage returns
    are written out (`\\x1b`), so a payload can't move the cursor, retitle the window or hide
    a line; newlines and tabs stay."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
