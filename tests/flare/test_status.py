"""Where a case stands, said once for every surface: Slack and Teams render the same lines."""

from __future__ import annotations

from datetime import timedelta

import redis

from bot.mrkdwn import say as slack_say
from bot.teams.markdown import say as teams_say
from flare.case import Case, CaseState
from flare.status import status_lines
from flare.store import Store
from flare.words import plain
from tests.builders import NOON, decision, mention


def a_case(redis_client: redis.Redis, **changes: object) -> Case:
    m = mention()
    store = Store(redis_client)
    store.save(m, decision(m), NOON)
    case = store.get(m.id)
    assert case is not None
    return case.model_copy(update=changes)


def test_a_claimed_case_names_its_holder_and_its_target(redis_client: redis.Redis) -> None:
    case = a_case(redis_client, state=CaseState.CLAIMED, claimed_by="U0JO")

    lines = [plain(line) for line in status_lines(case, NOON + timedelta(minutes=5))]

    assert lines[0].startswith("Claimed by @U0JO")
    assert lines[-1].startswith("Respond by 12:")


def test_overdue_stands_out_on_both_surfaces(redis_client: redis.Redis) -> None:
    case = a_case(redis_client)
    [line] = status_lines(case, NOON + timedelta(hours=5))

    assert "*" in slack_say(line) and "overdue*" in slack_say(line)
    assert "overdue**" in teams_say(line, lambda user: user)


def test_a_close_reason_from_a_person_is_escaped_on_both_surfaces(
    redis_client: redis.Redis,
) -> None:
    case = a_case(
        redis_client, state=CaseState.IGNORED, closed_by="U0JO", close_reason="<!here> *x*"
    )
    [line] = status_lines(case, NOON)

    assert "<!here>" not in slack_say(line)
    assert "*x*" not in teams_say(line, lambda user: user)
