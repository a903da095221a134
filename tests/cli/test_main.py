"""The `flare` command line as a person meets it: every command listed, clear errors, no traces."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import redis
import requests

from flare.redis_server import EmbeddedRedis
from tests.conftest import free_port
from tests.waiting import eventually


def flare(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run `flare ARGS` in a fresh process, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    full_env["COLUMNS"] = "200"  # a wide terminal: a long temp path must not wrap a message
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def test_help_lists_every_command() -> None:
    result = flare("--help")

    assert result.returncode == 0
    commands = (
        "demo",
        "listen",
        "replay",
        "worker",
        "bot",
        "triage",
        "rules",
        "dlq",
        "audit",
        "crisis",
    )
    for command in (*commands, "crisis", "spend", "report", "forget", "config"):
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


def _mention(id: str, text: str = "@acme my order is late") -> str:
    return json.dumps(
        {
            "id": id,
            "text": text,
            "created_at": "2026-11-20T09:00:00Z",
            "author": {"id": "7", "username": "sam"},
        }
    )


def _lines(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def test_every_command_says_what_it_needs_and_shows_an_example() -> None:
    commands = [
        ["demo"],
        ["listen"],
        ["replay"],
        ["worker"],
        ["bot"],
        ["triage"],
        ["rules", "check"],
        ["rules", "explain"],
        ["rules", "backtest"],
        ["dlq", "list"],
        ["dlq", "show"],
        ["dlq", "replay"],
        ["audit"],
        ["missed"],
        ["spend"],
    ]
    for command in commands:
        result = flare(*command, "--help", env={"COLUMNS": "200"})

        assert result.returncode == 0, command
        assert "Example" in result.stdout, command
    assert "FLARE_DATA_DIR/demo" in flare("demo", "--help", env={"COLUMNS": "200"}).stdout


def test_a_group_of_settings_given_as_bad_json_names_its_variable() -> None:
    result = flare("config", env={"FLARE_SLACK": "{bad"})

    assert result.returncode == 2
    assert "FLARE_SLACK: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_shown_as_typed_even_with_brackets_in_it() -> None:
    result = flare("config", env={"FLARE_PORT": "[b]80[/b]"})

    assert result.returncode == 2
    assert "'[b]80[/b]'" in result.stderr


def test_a_data_dir_that_is_a_file_is_named_and_nothing_starts(tmp_path: Path) -> None:
    in_the_way = tmp_path / "data"
    in_the_way.write_text("not a directory")

    result = flare("dlq", "list", env={"FLARE_DATA_DIR": str(in_the_way)})

    assert result.returncode == 3
    assert f"the data dir {in_the_way} (FLARE_DATA_DIR) can't be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_demo_sample_that_does_not_exist_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    result = flare("demo", "--sample", str(tmp_path / "nope.jsonl"))

    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_never_empties_the_redis_the_team_uses(
    tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    redis_client.set("a-case-of-the-team", "still here")
    sample = _lines(tmp_path / "sample.jsonl", _mention("1"), _mention("2", "@acme thank you!"))

    result = flare(
        "demo",
        "--sample",
        str(sample),
        env={"FLARE_REDIS_URL": redis_server.url, "FLARE_DATA_DIR": str(tmp_path / "data")},
    )

    assert result.returncode == 0, result.stderr
    assert redis_client.get("a-case-of-the-team") == b"still here"
    assert (tmp_path / "data" / "demo" / "redis.log").exists()  # it ran on its own server


def test_replay_keeps_lines_it_cannot_read_as_dead_letters_and_takes_the_rest(
    tmp_path: Path,
) -> None:
    mentions = _lines(
        tmp_path / "mixed.jsonl",
        _mention("1"),
        "[" * 50_000,  # deeper than Python's JSON reader goes
        '{"data": {"id": "2", "text": "@acme", "created_at": "2026-11-20T09:00:00Z", '
        '"author_id": "7"}, "includes": {"users": 5}}',
        b'{"id": "caf\xe9"}',  # Latin-1, not UTF-8
        _mention("3"),
    )
    env = {"FLARE_DATA_DIR": str(tmp_path / "data")}

    result = flare("replay", str(mentions), env=env)
    letters = flare("dlq", "list", env={**env, "COLUMNS": "200"})

    assert result.returncode == 0
    assert "2 mentions read, 2 queued for triage" in result.stdout
    assert "mixed.jsonl:2: not JSON: nested too deeply" in result.stderr
    assert "mixed.jsonl:3: " in result.stderr  # a shape the reader did not foresee
    assert "mixed.jsonl:4: not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert "3 dead letters" in letters.stdout


def test_replay_of_a_file_none_of_whose_lines_reads_fails(tmp_path: Path) -> None:
    garbage = _lines(tmp_path / "[red]garbage.jsonl", "nope", '{"valid": "json, not a mention"}')

    result = flare("replay", str(garbage), env={"FLARE_DATA_DIR": str(tmp_path / "data")})

    assert result.returncode == 1
    assert "[red]garbage.jsonl:1: not JSON" in result.stderr  # the name as it is, not as markup
    assert "2 dead letters" in result.stdout


def test_dead_letter_commands_say_plainly_when_there_is_nothing(tmp_path: Path) -> None:
    env = {"FLARE_DATA_DIR": str(tmp_path / "data")}

    shown = flare("dlq", "show", "42", env=env)
    replayed = flare("dlq", "replay", env=env)

    assert shown.returncode == 1
    assert "no dead letter 42: `flare dlq list` shows the ids" in shown.stderr
    assert replayed.returncode == 0
    assert replayed.stdout.strip() == "no dead letters to replay"


def test_dead_letters_still_unreadable_on_replay_fail_the_replay(tmp_path: Path) -> None:
    env = {"FLARE_DATA_DIR": str(tmp_path / "data")}
    flare("replay", str(_lines(tmp_path / "bad.jsonl", "nope")), env=env)

    result = flare("dlq", "replay", env=env)

    assert result.returncode == 1
    assert "1: still unreadable: not JSON" in result.stderr
    assert "0 replayed (0 queued), 1 still dead" in result.stdout


def test_listen_with_nothing_configured_says_what_to_set_and_stops(tmp_path: Path) -> None:
    result = flare(
        "listen",
        "--port",
        str(free_port()),
        "--host",
        "127.0.0.1",
        env={"FLARE_DATA_DIR": str(tmp_path / "data")},
    )

    assert result.returncode == 2
    assert "stream    skipped: FLARE_X__BEARER_TOKEN is not set" in result.stdout
    assert "nothing to listen to: set FLARE_X__BEARER_TOKEN" in result.stdout


def test_listen_says_at_once_when_its_redis_cannot_be_reached() -> None:
    result = flare(
        "listen",
        "--port",
        str(free_port()),
        env={
            "FLARE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "FLARE_INTAKE__WEBHOOK_SECRET": "s3cret",
        },
    )

    assert result.returncode == 3
    assert "Redis can't be reached" in result.stderr


def test_bot_names_the_slack_setting_it_lacks() -> None:
    result = flare("bot", env={"FLARE_SLACK__BOT_TOKEN": "xoxb-1"})

    assert result.returncode == 2
    assert "`flare bot` needs FLARE_SLACK__SIGNING_SECRET" in result.stderr


def test_bot_serves_teams_alone_when_slack_is_not_set_up(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_TEAMS__APP_ID="00000000-0000-4000-8000-00000000f1a2",
        FLARE_TEAMS__APP_SECRET="secret",
        FLARE_TEAMS__OPENID_METADATA_URL=f"http://127.0.0.1:{free_port()}/none",
    )
    bot = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "bot", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        eventually(lambda: _answers(f"{url}/healthz"), within=30)
        refused = requests.post(f"{url}/api/messages", json={"type": "invoke"}, timeout=10)
        assert refused.status_code == 401  # up, and nobody gets in without the Connector's token
    finally:
        bot.terminate()
        bot.wait(timeout=20)


def _answers(url: str) -> bool:
    """Up: /healthz answers, ok or naming what it misses (no worker runs in this test)."""
    try:
        return requests.get(url, timeout=2).status_code in (200, 503)
    except requests.RequestException:
        return False


def test_a_playbook_that_is_not_utf8_is_refused_without_a_traceback(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yaml"
    playbook.write_bytes(b"version: 1\n# caf\xe9\n")
    env = {"FLARE_PLAYBOOK": str(playbook), "FLARE_DATA_DIR": str(tmp_path / "data")}

    worker = flare("worker", "--burst", env=env)
    check = flare("rules", "check", env=env)

    assert worker.returncode == 2
    assert "not UTF-8" in worker.stderr and "FLARE_PLAYBOOK" in worker.stderr
    assert "Traceback" not in worker.stderr
    assert check.returncode == 1
    assert f"{playbook}:2: (file): not UTF-8" in check.stderr


def _big_file(tmp_path: Path, count: int) -> Path:
    return _lines(tmp_path / "big.jsonl", *(_mention(str(n)) for n in range(count)))


def _with_stderr_on_a_terminal(
    *args: str, env: dict[str, str], out: Path
) -> tuple[int, str, bytes]:
    """Run `flare ARGS` with stderr on a pseudo-terminal and stdout into `out`; its exit status,
    its stdout, and all it drew on the terminal."""
    primary, secondary = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    full_env.update({"TERM": "xterm", "COLUMNS": "120", **env})
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-c", "from cli.main import main; main()", *args],
            stdout=stdout,
            stderr=secondary,
            env=full_env,
        )
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the other end closed: the command has ended
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    return process.wait(timeout=60), out.read_text(), drawn


def test_triage_shows_progress_on_a_terminal_and_keeps_stdout_pure_json(tmp_path: Path) -> None:
    big = _big_file(tmp_path, 3000)
    args = ("triage", str(big), "--brand", "acme", "--now", "2026-11-20T09:30:00Z")

    status, stdout, drawn = _with_stderr_on_a_terminal(*args, env={}, out=tmp_path / "out")
    piped = flare(*args)

    assert status == 0
    assert b"Reading big.jsonl" in drawn and b"Deciding" in drawn
    assert [json.loads(line)["id"] for line in stdout.splitlines()] == [str(n) for n in range(3000)]
    assert piped.stdout == stdout
    assert piped.stderr == ""


def test_replay_shows_progress_on_a_terminal_and_nothing_extra_when_piped(tmp_path: Path) -> None:
    big = _big_file(tmp_path, 2000)

    status, stdout, drawn = _with_stderr_on_a_terminal(
        "replay", str(big), env={"FLARE_DATA_DIR": str(tmp_path / "one")}, out=tmp_path / "out"
    )
    piped = flare("replay", str(big), env={"FLARE_DATA_DIR": str(tmp_path / "two")})

    assert status == 0
    assert b"Replaying big.jsonl" in drawn
    assert "2000 mentions read, 2000 queued for triage" in stdout
    assert piped.stdout == stdout
    assert piped.stderr == ""


def test_bot_serves_this_machine_only_unless_flare_host_says_otherwise(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_SLACK__BOT_TOKEN="xoxb-test",
        FLARE_SLACK__SIGNING_SECRET="s",
        FLARE_SLACK__API_URL=f"http://127.0.0.1:{free_port()}/api/",
    )
    port = free_port()
    bot = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "bot", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert bot.stderr is not None
        said = ""
        while "Slack over HTTP" not in said and bot.poll() is None:
            said = bot.stderr.readline()
    finally:
        bot.terminate()
        bot.wait(timeout=10)

    assert f"Slack over HTTP at http://127.0.0.1:{port}/slack/events" in said
    compose = (Path(__file__).parents[2] / "docker-compose.yml").read_text()
    assert "FLARE_HOST: 0.0.0.0" in compose  # the containers are reached through their ports


def test_a_playbook_duration_too_long_to_add_to_a_date_stops_start_up_with_status_2(
    tmp_path: Path,
) -> None:
    for written in ("99999999999w", "450000w"):
        playbook = tmp_path / "playbook.yaml"
        playbook.write_text(f"version: 1\nresponse_targets:\n  P4: {written}\n")

        result = flare(
            "worker",
            "--burst",
            env={"FLARE_PLAYBOOK": str(playbook), "FLARE_DATA_DIR": str(tmp_path / "data")},
        )

        assert result.returncode == 2, written
        assert f"{playbook}:3: response_targets.P4: must be at most 366d" in result.stderr
        assert "Traceback" not in result.stderr


def test_dlq_show_writes_control_characters_out_instead_of_sending_them_to_the_terminal(
    tmp_path: Path,
) -> None:
    env = {"FLARE_DATA_DIR": str(tmp_path / "data")}
    hostile = b'{"id": "1", "text": "\x1b]0;pwned\x07\x1b[2J\x1b[1A\rhidden\x9b"}'
    flare("replay", str(_lines(tmp_path / "bad.jsonl", hostile)), env=env)

    shown = flare("dlq", "show", "1", env=env)

    assert shown.returncode == 0
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "\r" not in shown.stdout
    assert "\x9b" not in shown.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in shown.stdout


def test_replay_of_a_csv_by_mistake_stops_early_and_says_it_is_a_csv(tmp_path: Path) -> None:
    rows = [f"{n},@acme my refund,2026-11-20" for n in range(2_000)]
    export = _lines(tmp_path / "export.csv", "id,text,created_at", *rows)
    env = {"FLARE_DATA_DIR": str(tmp_path / "data")}

    result = flare("replay", str(export), env=env)
    again = flare("replay", str(export), env=env)
    letters = flare("dlq", "list", env={**env, "COLUMNS": "200"})

    assert result.returncode == again.returncode == 1
    assert "export.csv: its first lines are all unreadable, so the rest was not read" in (
        result.stderr
    )
    assert "this looks like CSV, not JSON lines" in result.stderr
    assert "0 mentions read, 0 queued for triage, 0 already seen, 10 dead letters" in result.stdout
    assert letters.stdout.startswith("10 dead letters")  # not 20: the same lines, kept once


# the operator's first week -------------------------------------------------------------------
def test_version_says_which_flare_this_is() -> None:
    result = flare("--version")

    assert result.returncode == 0 and result.stdout.startswith("flare ")


def test_dash_h_is_help_on_every_command() -> None:
    for command in ([], ["worker"], ["dlq"], ["dlq", "list"], ["rules", "check"], ["doctor"]):
        result = flare(*command, "-h")

        assert result.returncode == 0, command
        assert "Usage: " in result.stdout and "[OPTIONS]" in result.stdout, command


def test_a_misspelt_setting_stops_every_command_naming_it(tmp_path: Path) -> None:
    result = flare("config", env={"FLARE_SLACK__ALERT_CHANNEL": "#care"})

    assert result.returncode == 2
    assert "FLARE_SLACK__ALERT_CHANNEL: no such setting; did you mean " in result.stderr
    assert "FLARE_SLACK__ALERTS_CHANNEL" in result.stderr


def test_an_empty_channel_stops_start_up_naming_it(tmp_path: Path) -> None:
    result = flare("worker", "--burst", env={"FLARE_SLACK__ALERTS_CHANNEL": ""})

    assert result.returncode == 2
    assert "FLARE_SLACK__ALERTS_CHANNEL is empty" in result.stderr


def test_a_dot_env_file_in_the_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FLARE_SLACK__ALERTS_CHANNEL=#from-dot-env\n")

    result = flare("config", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "#from-dot-env" in result.stdout


def test_an_app_token_given_as_the_bot_token_is_refused_with_the_reason() -> None:
    result = flare("config", env={"FLARE_SLACK__BOT_TOKEN": "xapp-1-A0-secret"})

    assert result.returncode == 2
    assert "FLARE_SLACK__BOT_TOKEN: this is an app-level token" in result.stderr
    assert "secret" not in result.stderr


def test_socket_mode_that_cannot_reach_slack_ends_in_one_line_and_says_who_may_act(
    tmp_path: Path,
) -> None:
    result = flare(
        "bot",
        env={
            "FLARE_DATA_DIR": str(tmp_path / "data"),
            "FLARE_PORT": str(free_port()),
            "FLARE_SLACK__BOT_TOKEN": "xoxb-1",
            "FLARE_SLACK__SIGNING_SECRET": "s",
            "FLARE_SLACK__APP_TOKEN": "xapp-1-A0-1",
            "FLARE_SLACK__API_URL": f"http://127.0.0.1:{free_port()}/api/",
            "FLARE_SLACK__AGENTS": "U0JO",
        },
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "Slack Socket Mode cannot connect" in errors[0]
    assert "Reply and DM on X as the brand: U0JO" in result.stderr
    assert "Approve VIP, P1 and P2 replies: nobody" in result.stderr


def test_json_logs_are_one_object_a_line(tmp_path: Path) -> None:
    result = flare(
        "--log-level",
        "info",
        "worker",
        "--burst",
        env={"FLARE_DATA_DIR": str(tmp_path / "data"), "FLARE_LOG_FORMAT": "json"},
    )

    assert result.returncode == 0, result.stderr
    logged = [json.loads(line) for line in result.stderr.splitlines()]  # every line
    assert logged and all({"time", "level", "logger", "message"} <= set(e) for e in logged)
    assert any(e["message"].startswith("Flare worker on ") for e in logged)


def test_a_worker_whose_redis_is_down_says_so_in_a_line_a_lane_and_no_traceback(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(FLARE_DATA_DIR=str(tmp_path / "data"), FLARE_REDIS_URL="redis://127.0.0.1:1/0")
    worker = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # until `flare worker` says it starts the lane again
            lines.append(line)
            if "starting it again" in line:
                break
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    text = "".join(lines)
    assert "Redis can't be reached" in text and "Traceback" not in text


def test_demo_options_that_the_chosen_demo_would_ignore_are_refused() -> None:
    with_web = flare("demo", "--web", "--slack")
    without = flare("demo", "--speed", "2")

    assert with_web.returncode == 2 and "--slack cannot go with it" in with_web.stderr
    assert without.returncode == 2 and "add --web" in without.stderr
