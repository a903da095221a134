"""One logging setup: text or JSON lines, each naming what it is about, secrets never shown."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from flare import logs

log = logging.getLogger("flare.test")


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    logs.setup("WARNING")  # back to stderr, as every process starts


def test_json_lines_carry_the_case_the_mention_and_the_job(out: io.StringIO) -> None:
    logs.setup("INFO", "json", stream=out)

    with logs.about(case="1001", mention="1001", job="notify_case"):
        log.info("card posted in %s", "C0ALERTS")
    log.info("between jobs")

    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "card posted in C0ALERTS" and first["level"] == "INFO"
    assert (first["case"], first["mention"], first["job"]) == ("1001", "1001", "notify_case")
    assert "case" not in second and first["logger"] == "flare.test"


def test_an_error_with_its_traceback_is_still_one_json_line(out: io.StringIO) -> None:
    logs.setup("INFO", "json", stream=out)

    try:
        raise ValueError("bad")
    except ValueError:
        log.exception("it failed")

    [line] = out.getvalue().splitlines()
    assert "ValueError: bad" in json.loads(line)["error"]


def test_text_lines_name_what_they_are_about(out: io.StringIO) -> None:
    logs.setup("INFO", "text", stream=out)

    with logs.about(case="1001", job="post_reply"):
        log.info("reply sent")

    assert (
        out.getvalue().rstrip().endswith("INFO flare.test: reply sent [case=1001 job=post_reply]")
    )


def test_secrets_and_url_passwords_are_masked_in_every_line(out: io.StringIO) -> None:
    logs.setup("INFO", "json", secrets=["xoxb-1-very-secret"], stream=out)

    log.warning("token xoxb-1-very-secret refused by redis://:hunter22@db:6379/0")

    said = out.getvalue()
    assert "very-secret" not in said and "hunter22" not in said
    assert "redis://:********@db:6379/0" in said


def test_the_level_holds_and_a_second_setup_replaces_the_first(out: io.StringIO) -> None:
    logs.setup("INFO", "text", stream=io.StringIO())
    logs.setup("WARNING", "text", stream=out)

    log.info("not shown")
    log.warning("shown")

    assert out.getvalue().count("\n") == 1 and "shown" in out.getvalue()
    assert sum(h.get_name() == "flare" for h in logging.getLogger().handlers) == 1
