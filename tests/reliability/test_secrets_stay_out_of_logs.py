"""Secrets never reach a log or a screen: every token, signing secret and password a run was
given is looked for in all that its processes printed.

Real processes: `flare config`, and `flare worker` working a post into a card and a page against
the stand-in Slack, the fake pager and the fake SMTP server, with a Redis URL that carries a
password it cannot use.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import redis
import yaml

from cli import wiring
from cli.standin import SlackStandIn
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.playbook import default_playbook_path
from tests.builders import mention
from tests.fakes.pager import FakePager
from tests.fakes.smtp import PASSWORD as SMTP_LOGIN
from tests.fakes.smtp import FakeSmtp
from tests.reliability.processes import flare_env, start_flare, stop
from tests.waiting import eventually
from workers.intake import Intake

SECRETS = {
    "FLARE_SLACK__BOT_TOKEN": "xoxb-0000-secret-bot-token",
    "FLARE_SLACK__SIGNING_SECRET": "signing-secret-never-shown",
    "FLARE_SLACK__APP_TOKEN": "xapp-1-secret-app-token",
    "FLARE_X__BEARER_TOKEN": "x-bearer-secret-token",
    "FLARE_PAGER__ROUTING_KEY": "pager-routing-secret",
    "FLARE_INTAKE__WEBHOOK_SECRET": "webhook-secret-never-shown",
}
SMTP_PASSWORD = "smtp-password-never-shown"
REDIS_PASSWORD = "redis-password-never-shown"


def leaked(text: str) -> list[str]:
    return [s for s in (*SECRETS.values(), SMTP_PASSWORD, REDIS_PASSWORD) if s in text]


def test_flare_config_shows_no_secret_and_no_password(tmp_path: Path) -> None:
    env = flare_env(
        **SECRETS,
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:6399/0",
        FLARE_SMTP__URL=f"smtp://pages:{SMTP_PASSWORD}@127.0.0.1:2525",
    )
    shown = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "config"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert shown.returncode == 0, shown.stderr
    assert leaked(shown.stdout + shown.stderr) == []
    assert "FLARE_SLACK__BOT_TOKEN" in shown.stdout  # shown as set, not as itself


def test_a_worker_that_cannot_reach_its_redis_does_not_print_the_password(tmp_path: Path) -> None:
    env = flare_env(
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0",  # nobody listens there
    )
    log = tmp_path / "worker.log"
    worker = start_flare(["worker"], env, log)
    time.sleep(8)  # it starts, its lanes fail to connect and are started again
    stop(worker)

    assert "Flare worker on redis://" in log.read_text()
    assert leaked(log.read_text()) == []


def test_a_worker_run_that_cards_and_pages_logs_no_secret(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_pager: FakePager,
    fake_smtp: FakeSmtp,
) -> None:
    plan = yaml.safe_load(default_playbook_path().read_text())
    chain = [{"name": "Ana", "slack": "U0ANA", "email": "ana@example.com"}]
    plan["crisis"] = {"ack_within": "1m", "contacts": {"outage": chain}}
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(yaml.safe_dump(plan))
    fake_pager.routing_key = SECRETS["FLARE_PAGER__ROUTING_KEY"]
    env = flare_env(
        **{k: v for k, v in SECRETS.items() if k != "FLARE_SLACK__APP_TOKEN"},
        FLARE_REDIS_URL=redis_server.url,
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_PLAYBOOK=str(playbook),
        FLARE_BRAND__HANDLES="acme",
        FLARE_SLACK__API_URL=fake_slack.base_url,
        FLARE_SLACK__ALERTS_CHANNEL="C0ALERTS",
        FLARE_SLACK__PR_CHANNEL="C0PR",
        FLARE_PAGER__EVENTS_URL=fake_pager.events_url,
        FLARE_SMTP__URL=fake_smtp.url(),
    )
    log = tmp_path / "worker.log"
    worker = start_flare(["worker"], env, log)
    try:
        Intake(redis_client).take([mention(id="7001", text="@acme my lawyer will hear of this")])
        settings = Settings(
            redis_url=redis_server.url, data_dir=tmp_path / "data", playbook=playbook
        )
        wiring.build_runtime(settings, redis_client).paging.open("outage", cause="a test")
        eventually(lambda: fake_slack.calls_to("chat.postMessage"), within=30)
        eventually(lambda: fake_pager.events, within=30)
    finally:
        stop(worker)

    assert leaked(log.read_text()) == [] and SMTP_LOGIN not in log.read_text()
    assert all(c.token == SECRETS["FLARE_SLACK__BOT_TOKEN"] for c in fake_slack.calls)
