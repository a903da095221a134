"""`flare crisis oncall` reads the plan; `flare crisis drill` opens a drill for the workers."""

from __future__ import annotations

from pathlib import Path

import yaml

from flare.redis_server import EmbeddedRedis
from rules.playbook import default_playbook_path
from tests.cli.test_main import flare


def test_oncall_lists_each_chain_in_order_with_its_times() -> None:
    result = flare("crisis", "oncall", "safety", env={"COLUMNS": "120"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.index("Safety lead") < result.stdout.index("PR on call")
    assert "phone +1 555 0100" in result.stdout and "5 min" in result.stdout
    assert "runs 2 time(s); 4 page(s) at most" in result.stdout


def test_a_drill_opens_an_incident_of_its_own_for_the_workers_to_page(
    tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    env = {"FLARE_REDIS_URL": redis_server.url, "FLARE_DATA_DIR": str(tmp_path)}

    first = flare("crisis", "drill", "legal", env=env)
    again = flare("crisis", "drill", "legal", env=env)

    assert first.returncode == 0, first.stderr
    assert "Drill legal-drill opened: Legal counsel is paged first" in first.stdout
    assert again.returncode == 1 and "A drill on legal is running already." in again.stderr


def test_a_drill_of_a_plan_that_names_nobody_is_refused(
    tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["crisis"] = {"contacts": {}}
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(yaml.safe_dump(plan))
    env = {"FLARE_REDIS_URL": redis_server.url, "FLARE_PLAYBOOK": str(playbook)}

    result = flare("crisis", "drill", "outage", env=env)

    assert result.returncode == 1
    assert "The playbook names nobody to page for outage." in result.stderr


def test_oncall_for_a_topic_without_a_chain_says_the_default_answers_it() -> None:
    result = flare("crisis", "oncall", "billing", env={"COLUMNS": "120"})

    assert result.returncode == 0, result.stderr
    assert "billing: no chain of its own, the default's" in result.stdout
