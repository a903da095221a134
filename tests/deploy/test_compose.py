"""docker-compose.yml: every command and health check is one Flare runs, and nothing loops."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.worker import STOP_GRACE
from tests.cli.test_main import flare
from tests.deploy.flare_commands import command_error, option_value, setting_names

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"
FLARE_SERVICES = ("listen", "worker", "bot")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def _seconds(duration: str) -> int:
    return sum(
        int(n) * {"h": 3600, "m": 60, "s": 1}[unit]
        for n, unit in re.findall(r"(\d+)([hms])", duration)
    )


def test_every_process_has_a_health_check(services: dict[str, Any]) -> None:
    assert set(FLARE_SERVICES) <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), name


def test_each_command_and_health_check_is_a_flare_command_line_that_parses(
    services: dict[str, Any],
) -> None:
    for name in FLARE_SERVICES:
        service = services[name]
        check = service["healthcheck"]["test"]
        assert check[:2] == ["CMD", "flare"], name
        assert command_error(service["command"]) is None, name
        assert command_error(check[2:]) is None, name


def test_an_http_health_check_asks_the_port_its_process_serves_and_publishes(
    services: dict[str, Any],
) -> None:
    for name in ("listen", "bot"):
        command, check = services[name]["command"], services[name]["healthcheck"]["test"]
        port = option_value(command, "--port")
        assert port is not None and option_value(check, "--port") == port, name
        assert f"{port}:{port}" in services[name]["ports"], name
    assert "--worker" in services["worker"]["healthcheck"]["test"]


def test_a_process_that_cannot_start_is_started_again_a_few_times_not_forever(
    services: dict[str, Any], tmp_path: Path
) -> None:
    unconfigured = flare(*services["listen"]["command"], env={"FLARE_DATA_DIR": str(tmp_path)})

    for name in FLARE_SERVICES:
        policy = services[name]["restart"]
        assert re.fullmatch(r"on-failure:\d+", policy), name
        assert int(policy.split(":")[1]) <= 10, name
    assert unconfigured.returncode == 2  # non-zero, so the limit above applies
    assert "nothing to listen to: set FLARE_X__BEARER_TOKEN" in unconfigured.stdout


def test_the_environment_names_real_settings(services: dict[str, Any]) -> None:
    known = setting_names()
    for name in FLARE_SERVICES:
        assert set(services[name]["environment"]) <= known, name


def test_a_stopping_worker_has_time_to_finish_the_job_in_hand(services: dict[str, Any]) -> None:
    assert _seconds(services["worker"]["stop_grace_period"]) > STOP_GRACE
