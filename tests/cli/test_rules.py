"""`flare triage` and `flare rules …` driven through a Typer app registered as cli/main.py does."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from click.testing import Result
from typer.testing import CliRunner

from cli.demo import sample_path
from cli.rules import decide_all, read_file, rules_app, triage_command
from rules.context import MemoryContext
from rules.engine import Engine
from rules.normalize import parse_time
from rules.playbook import default_playbook_path, load_playbook

app = typer.Typer()
app.add_typer(rules_app, name="rules")
app.command("triage")(triage_command)
runner = CliRunner()


def _flare(text: str, id: str, created: str, user: str = "dana") -> dict:
    return {
        "id": id,
        "text": text,
        "created_at": created,
        "author": {"id": f"u-{user}", "username": user, "followers": 100},
    }


def _x(text: str, id: str, created: str) -> dict:
    return {
        "data": {
            "id": id,
            "text": text,
            "created_at": created,
            "author_id": "42",
            "entities": {"mentions": [{"username": "acme"}]},
        },
        "includes": {
            "users": [
                {"id": "42", "username": "xuser", "public_metrics": {"followers_count": 3_000_000}}
            ]
        },
    }


def test_triage_prints_one_decision_per_line_in_input_order(tmp_path: Path) -> None:
    lines = [
        json.dumps(_flare("@acme where is my refund?", "2", "2026-11-20T09:10:00Z")),
        json.dumps(_x("@acme my order never arrived", "1", "2026-11-20T09:00:00Z")),
        "{not json",
        json.dumps({"id": "3", "text": "no author"}),
        json.dumps(_flare("@acme you idiots", "4", "2026-11-20T09:11:00Z")),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app, ["triage", str(path), "--brand", "acme", "--now", "2026-11-20T09:12:00Z"]
    )
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["2", "1", None, None, "4"]
    assert out[1]["action"] == "priority" and "3M followers" in out[1]["reasons"]
    assert out[2]["error"].startswith("line 3: not JSON")
    assert out[3]["error"].startswith("line 4: ")
    assert out[4]["action"] == "ignore"
    assert set(out[0]) == {
        "id",
        "action",
        "priority",
        "topic",
        "late",
        "template",
        "reasons",
        "signals",
    }
    assert f"{path}:3: not JSON" in result.stderr


def test_triage_exits_non_zero_when_nothing_could_be_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("nope\n[1]\n")
    result = runner.invoke(app, ["triage", str(path), "--now", "2026-11-20T09:12:00Z"])
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [None, None]


def test_rules_check_accepts_the_shipped_playbook() -> None:
    result = runner.invoke(app, ["rules", "check", str(default_playbook_path())])
    assert result.exit_code == 0 and result.stdout.startswith("ok: ")


def test_rules_check_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nspike:\n  ratio: 0.5\n")
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: spike.ratio: " in result.stderr


def test_rules_explain_shows_the_action_and_why() -> None:
    result = runner.invoke(
        app, ["rules", "explain", "@acme my lawyer will call you", "--followers", "2400000"]
    )
    assert result.exit_code == 0
    assert "escalate_pr" in result.stdout and "legal threat" in result.stdout
    assert "2.4M followers" in result.stdout


def _backtest_outage(tmp_path: Path, *more: dict) -> Result:
    """Twelve outage complaints in 12 s (and `more`), the shipped playbook against a stricter one
    whose overwhelming count is 8."""
    stricter = tmp_path / "strict.yaml"
    stricter.write_text(
        default_playbook_path()
        .read_text()
        .replace("overwhelming_count: 15", "overwhelming_count: 8")
    )
    posts = [
        _flare("@acme the app is down", str(i), f"2026-11-20T09:00:{i:02d}Z", f"u{i}")
        for i in range(12)
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in [*posts, *more]))
    return runner.invoke(
        app, ["rules", "backtest", str(path), "--against", str(stricter), "--brand", "acme"]
    )


def test_rules_backtest_compares_two_playbooks(tmp_path: Path) -> None:
    result = _backtest_outage(tmp_path)
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if line.strip("│ ").startswith("crisis"))
    assert [c.strip() for c in row.strip("│").split("│")][1:] == ["0", "5"]


def test_rules_explain_reads_verified_reposts_and_age() -> None:
    result = runner.invoke(
        app,
        [
            "rules",
            "explain",
            "@acme I have been on hold for an hour",
            "--verified",
            "--reposts",
            "140",
            "--age",
            "12m",
            "--brand",
            "acme",
        ],
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("priority  P2")
    assert "verified" in result.stdout and "140 reposts in 12 min" in result.stdout


def test_rules_backtest_puts_incidents_and_pages_side_by_side(tmp_path: Path) -> None:
    result = _backtest_outage(
        tmp_path, _flare("@acme I will sue you", "99", "2026-11-20T09:01:00Z", "v")
    )
    assert result.exit_code == 0
    rows = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in line.strip("│ ").split("│")]) == 3
    }
    assert rows["escalate_pr"] == ["1", "1"]
    assert rows["incidents"] == ["0", "1"]
    assert rows["pages"] == ["1", "2"]


def test_deciding_a_file_a_chunk_at_a_time_decides_as_all_at_once() -> None:
    mentions = read_file(sample_path()).mentions
    now = parse_time("2026-11-20T12:00:00Z")
    book = load_playbook(None)

    at_once = Engine(book, ("acme",)).decide_many(mentions, MemoryContext(), now)
    in_chunks = decide_all(Engine(book, ("acme",)), mentions, now, chunk=7)

    assert [d.as_line() for d in in_chunks] == [d.as_line() for d in at_once]


def test_triage_names_a_bad_now_once_with_an_example(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(_flare("@acme hi", "1", "2026-11-20T09:00:00Z")) + "\n")

    result = runner.invoke(app, ["triage", str(path), "--now", "yesterday"], env={"COLUMNS": "200"})

    assert result.exit_code == 2
    assert "not an ISO-8601 time: 'yesterday' (e.g. 2026-11-20T12:00:00Z)" in result.output
    assert "--now: --now" not in result.output


def test_triage_of_an_empty_file_prints_nothing_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")

    result = runner.invoke(app, ["triage", str(path)])

    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no lines to read" in result.stderr


def test_rules_check_checks_the_playbook_in_use_by_default(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("version: 1\nspike:\n  ratio: 0.5\n")

    result = runner.invoke(app, ["rules", "check"], env={"FLARE_PLAYBOOK": str(mine)})

    assert result.exit_code == 1
    assert f"{mine}:3: spike.ratio: " in result.stderr


def test_rules_explain_refuses_a_negative_follower_count() -> None:
    result = runner.invoke(app, ["rules", "explain", "@acme hi", "--followers", "-5"])

    assert result.exit_code == 2
    assert "--followers" in result.output


def test_rules_check_names_the_line_of_a_contact_nobody_can_reach(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("crisis:\n  contacts:\n    default:\n      - name: PR on call\n")
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:4: crisis.contacts.default[0]: "
        "a contact needs a Slack id, a phone or an email to be reached"
    ) in result.stderr


def test_rules_explain_shows_a_signal_whose_value_is_zero() -> None:
    result = runner.invoke(
        app, ["rules", "explain", "@acme do you ship to Canada?", "--followers", "0"]
    )

    assert result.exit_code == 0
    rows = {
        cells[0]: cells[1]
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in line.strip("│ ").split("│")]) == 2
    }
    assert rows.get("sentiment") == "0.0" and rows.get("followers") == "0"
    assert "verified" not in rows and "abuse_words" not in rows  # False and [] stay hidden


def test_triage_names_an_over_long_line_and_decides_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    good = _flare("@acme my order is late", "1", "2026-11-20T09:00:00Z")
    huge = {**good, "id": "2", "text": "x" * 2_000_000}  # X posts are a few KB
    path.write_text(json.dumps(huge) + "\n" + json.dumps(good) + "\n")

    result = runner.invoke(app, ["triage", str(path), "--now", "2026-11-20T09:12:00Z"])

    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] is None and "over the limit" in first["error"]
    assert second["id"] == "1"


def test_rules_explain_reads_a_post_in_the_language_given() -> None:
    result = runner.invoke(app, ["rules", "explain", "@acme los voy a demandar", "--lang", "es"])

    assert result.exit_code == 0
    assert result.stdout.startswith("escalate_pr")
    assert "written in Spanish" in result.stdout and '"es"' in result.stdout


def test_rules_explain_detects_the_language_when_none_is_given() -> None:
    result = runner.invoke(
        app, ["rules", "explain", "@acme ich warte seit drei Wochen auf mein Paket"]
    )

    assert result.exit_code == 0
    assert "written in German, which the rules do not read" in result.stdout
