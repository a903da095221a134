"""What the `flare` commands share: the error console, and settings read once or a clear exit."""

from __future__ import annotations

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
