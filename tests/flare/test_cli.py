"""The `flare` command line as a person meets it: every command listed, clear errors, no traces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port


def flare(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run `flare ARGS` in a fresh process, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from flare.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def test_help_lists_every_command() -> None:
    result = flare("--help")

    assert result.returncode == 0
    commands = ("demo", "listen", "replay", "worker", "bot", "triage", "rules", "dlq", "spend")
    for command in (*commands, "config"):
        assert f" {command} " in result.stdout, command


def test_a_broken_playbook_is_named_with_its_line_and_no_traceback(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text("version: 1\nthresholds:\n  negativ: -0.2\n")

    result = flare(
        "worker",
        "--burst",
        env={"FLARE_PLAYBOOK": str(playbook), "FLARE_DATA_DIR": str(tmp_path / "data")},
    )

    assert result.returncode == 2
    assert f"{playbook}:3: thresholds.negativ" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_redis_that_cannot_be_reached_is_said_plainly(tmp_path: Path) -> None:
    mentions = tmp_path / "mentions.jsonl"
    mention = {
        "id": "1",
        "text": "@acme hi",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"id": "7", "username": "sam"},
    }
    mentions.write_text(json.dumps(mention) + "\n")

    result = flare(
        "replay", str(mentions), env={"FLARE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    )

    assert result.returncode == 3
    assert "Redis can't be reached" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_names_its_variable(tmp_path: Path) -> None:
    result = flare("config", env={"FLARE_SLACK__SEND_PER_SECOND": "fast"})

    assert result.returncode == 2
    assert "FLARE_SLACK__SEND_PER_SECOND" in result.stderr
