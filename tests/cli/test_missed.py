"""`flare replay` says how many posts were too old to push, and `flare missed` lists them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.test_main import _lines, flare


def _post(id: str, age: timedelta, text: str = "@acme my order never arrived") -> str:
    posted = (datetime.now(UTC) - age).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {"id": id, "text": text, "created_at": posted, "author": {"id": "7", "username": "sam"}}
    )


def test_posts_older_than_the_max_age_are_counted_by_replay_and_listed_by_missed(
    tmp_path: Path,
) -> None:
    posts = _lines(
        tmp_path / "gap.jsonl",
        _post("41", timedelta(days=5)),
        _post("42", timedelta(days=9), "@acme you lost my parcel"),
        _post("43", timedelta(hours=2)),
    )
    env = {"FLARE_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}

    replayed = flare("replay", str(posts), env=env)
    assert flare("worker", "--burst", env=env).returncode == 0
    listed = flare("missed", "--json", env=env)
    table = flare("missed", env=env)

    assert replayed.returncode == 0, replayed.stderr
    assert "3 mentions read, 3 queued for triage" in replayed.stdout
    assert "2 posts were older than 3 days (the playbook's max_age)" in replayed.stdout
    assert "`flare missed` lists them" in replayed.stdout
    missed = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [m["case"] for m in missed] == ["41", "42"]  # newest first; the fresh post is carded
    assert missed[0]["would_have_been"] == "respond"
    assert "2 missed posts" in table.stdout and "@sam" in table.stdout


def test_missed_says_plainly_when_nothing_was_missed(tmp_path: Path) -> None:
    result = flare("missed", env={"FLARE_DATA_DIR": str(tmp_path / "data")})

    assert result.returncode == 0
    assert "No missed posts" in result.stderr
