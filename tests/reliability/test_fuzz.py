"""Fuzzed doors: whatever Hypothesis makes of a webhook body, a Slack interaction, an X payload
or a playbook, Flare answers with a clear 4xx or error and never a 5xx, a crash or a traceback.

The fixed garbage of test_garbage.py covers the shapes a person thinks of; these cover the ones
nobody does. The servers are started once per test and take every example.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import redis
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.action_ids import ActionId
from rules.mention import Source
from rules.normalize import read_payload
from rules.playbook import PlaybookError, default_playbook_path, parse_playbook
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import signed_headers
from tests.reliability.test_garbage import _hook_headers, events, intake

__all__ = ["events", "intake"]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
times = st.datetimes().map(lambda d: d.isoformat() + "Z") | st.text(max_size=30) | scalars
mentions = st.fixed_dictionaries(
    {"id": st.text(max_size=20) | scalars, "text": st.text(max_size=200) | scalars},
    optional={
        "created_at": times,
        "author": st.fixed_dictionaries(
            {"id": st.text(max_size=12) | scalars},
            optional={"username": st.text(max_size=20), "followers": scalars},
        )
        | json_values,
        "metrics": st.dictionaries(st.sampled_from(["likes", "reposts", "quotes"]), scalars),
        "lang": st.text(max_size=5) | scalars,
        "references": json_values,
    },
)
x_payloads = st.fixed_dictionaries(
    {
        "data": st.fixed_dictionaries(
            {"id": scalars, "text": scalars},
            optional={
                "created_at": times,
                "author_id": scalars,
                "public_metrics": st.dictionaries(st.text(max_size=12), scalars),
                "entities": json_values,
                "referenced_tweets": json_values,
            },
        )
        | json_values
    },
    optional={"includes": json_values, "matching_rules": json_values},
)


@FUZZ
@given(body=mentions | json_values)
def test_a_signed_webhook_body_of_any_shape_gets_an_answer_never_a_server_error(
    intake: str, redis_client: redis.Redis, body: Any
) -> None:
    raw = json.dumps(body).encode()

    answer = requests.post(intake, data=raw, headers=_hook_headers(raw, "signed"), timeout=10)

    assert answer.status_code < 500, (body, answer.status_code, answer.text)


@FUZZ
@given(payload=x_payloads | json_values)
def test_an_x_payload_of_any_shape_is_read_or_refused_with_a_reason(payload: Any) -> None:
    found, error = read_payload(json.dumps(payload).encode(), Source.X_STREAM)  # never raises

    assert error is None or (error.strip() and not found)
    assert all(m.id and m.created_at.year >= 2006 for m in found)


interactions = st.fixed_dictionaries(
    {"type": st.sampled_from(["block_actions", "view_submission", "shortcut", "nonsense"])},
    optional={
        "user": st.fixed_dictionaries({"id": st.text(max_size=12) | scalars}) | json_values,
        "actions": st.lists(
            st.fixed_dictionaries(
                {
                    "action_id": st.sampled_from([a.value for a in ActionId])
                    | st.text(max_size=20),
                    "value": json_values.map(json.dumps) | st.text(max_size=60) | scalars,
                },
                optional={"block_id": st.text(max_size=20)},
            ),
            max_size=2,
        ),
        "view": json_values,
        "trigger_id": st.text(max_size=12),
        "container": json_values,
        "channel": json_values,
        "message": json_values,
    },
)


@FUZZ
@given(payload=interactions)
def test_a_signed_slack_interaction_of_any_shape_never_gets_a_server_error(
    events: str, payload: dict[str, Any]
) -> None:
    body = urlencode({"payload": json.dumps(payload)})

    answer = requests.post(
        events, data=body, headers=signed_headers(SIGNING_SECRET, body), timeout=10
    )

    assert answer.status_code < 500, (payload, answer.status_code, answer.text)


DEFAULT = yaml.safe_load(default_playbook_path().read_text())


@FUZZ
@given(section=st.sampled_from(sorted(DEFAULT)), value=json_values)
def test_a_playbook_with_any_section_replaced_is_loaded_or_refused_by_name(
    section: str, value: Any
) -> None:
    text = yaml.safe_dump({**DEFAULT, section: value})

    try:
        parse_playbook(text, "fuzzed.yaml")
    except PlaybookError as refused:
        assert str(refused).startswith("fuzzed.yaml"), refused
