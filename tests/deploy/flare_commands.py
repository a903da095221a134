"""What deploy files may name: `flare` command lines that parse, settings that exist, routes."""

from __future__ import annotations

from typing import Any

import typer

from cli.main import app
from flare.settings import Settings, masked


def command_error(args: list[str]) -> str | None:
    """Why `flare ARGS` would not start (an unknown command or option, a bad value), else None."""
    command: Any = typer.main.get_command(app)
    words = list(args)
    while hasattr(command, "commands"):
        if not words or words[0] not in command.commands:
            return f"no command {words[:1]} in {sorted(command.commands)}"
        command = command.commands[words.pop(0)]
    try:
        command.make_context(command.name or "flare", words)
    except typer.TyperException as exc:
        return str(exc)
    return None


def setting_names() -> set[str]:
    """Every FLARE_* environment variable Flare reads."""
    return set(masked(Settings()))


def option_value(args: list[str], option: str) -> str | None:
    return args[args.index(option) + 1] if option in args else None
