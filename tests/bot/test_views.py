"""The /flare answers and the Home tab, rendered from cases stored in a real Redis."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import redis

from bot import views
from flare.incidents import Incident, Incidents
from flare.queries import Queries
from flare.store import Store
from rules.decision import Priority
from tests.builders import NOON, decision, mention


def _case(
    store: Store,
    id: str,
    priority: Priority = Priority.P3,
    due_in: float = 30,
    text: str = "@acme my order never arrived",
    **extra: Any,
) -> str:
    m = mention(id, text, **extra)
    store.save(m, decision(m, priority=priority, due=NOON + timedelta(minutes=due_in)))
    return m.id


def _texts(blocks: list[dict[str, Any]]) -> str:
    """Every string a person could read in the blocks, joined."""
    return json.dumps(blocks, ensure_ascii=False)


def _status(client: redis.Redis) -> list[dict[str, Any]]:
    q = Queries(client)
    return views.status_blocks(
        q.open_by_priority(), q.due_soon(NOON), q.breached(NOON), q.incidents(), NOON
    )


def test_status_counts_open_cases_per_priority(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    _case(store, "a", Priority.P1)
    _case(store, "b", Priority.P3)
    store.claim(_case(store, "c", Priority.P3), "U0AGENT1")

    blocks = _status(redis_client)

    assert blocks[0]["text"]["text"] == "Flare · 3 cases open · 12:00 UTC"
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert fields == [
        "🔴 *P1*: 1 open",
        "🟠 *P2*: 0 open",
        "🟡 *P3*: 2 open, 1 claimed",
        "🟢 *P4*: 0 open",
    ]


def test_status_lists_overdue_then_due_soon_with_their_targets(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    _case(store, "late", Priority.P2, due_in=-20)
    _case(store, "soon", Priority.P1, due_in=5)
    _case(store, "later", Priority.P4, due_in=120)

    text = _texts(_status(redis_client))

    assert "*Overdue (1)*" in text and "*20 min overdue* (target 11:40 UTC)" in text
    assert "*Due soon (1)*" in text and "respond by 12:05 UTC (in 5 min)" in text
    assert text.index("Overdue") < text.index("Due soon")
    assert "14:00" not in text  # outside the window: only counted, not listed


def test_status_with_nothing_pressing_says_so(redis_client: redis.Redis) -> None:
    _case(Store(redis_client), "later", due_in=120)

    assert "Nothing overdue, nothing due soon" in _texts(_status(redis_client))


def test_outside_text_cannot_ping_the_channel_or_hide_a_link(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    _case(
        store, "evil", due_in=-1, text="<!channel> refund me <https://evil.example|acme.com> & now"
    )

    text = _texts(_status(redis_client))

    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; refund me &lt;https://evil.example|acme.com&gt; &amp; now" in text


def test_a_case_line_shows_author_reach_and_claim(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    store.claim(
        _case(store, "big", Priority.P1, due_in=10, username="bigvoice", followers=12_300),
        "U0AGENT1",
    )
    case = store.get("big")
    assert case is not None

    line = views.case_line(case, NOON)["text"]["text"]

    assert line.startswith(
        "🔴 *P1* · <https://x.com/bigvoice/status/big|@bigvoice> (12.3K followers)"
    )
    assert line.endswith("respond by 12:10 UTC (in 10 min) · claimed by <@U0AGENT1>")


def test_a_long_overdue_list_stops_at_ten_and_says_how_many_more(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    for n in range(80):
        _case(store, f"late-{n:02d}", due_in=-1 - n)

    blocks = _status(redis_client)

    assert len(blocks) <= views.MESSAGE_BLOCKS
    assert "…and 70 more cases" in _texts(blocks)
    assert "late-79" in _texts(blocks)  # the most overdue is shown first
    assert "late-00" not in _texts(blocks)


def test_mine_lists_held_cases_within_the_message_limit(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    for n in range(60):
        store.claim(_case(store, f"held-{n:02d}", due_in=n), "U0ME")

    blocks = views.mine_blocks(Queries(redis_client).claimed_by("U0ME"), NOON)

    assert blocks[0]["text"]["text"] == "Your cases (60)"
    assert len(blocks) == views.MESSAGE_BLOCKS
    assert blocks[-1]["elements"][0]["text"] == "…and 12 more cases"


def test_mine_with_no_claims_says_how_to_get_one() -> None:
    assert "You hold no cases" in _texts(views.mine_blocks([], NOON))


def test_crisis_shows_each_open_incident_with_size_and_age(redis_client: redis.Redis) -> None:
    for case_id in ("a", "b", "c"):
        Incidents(redis_client).join("app <!here> outage", case_id, NOON - timedelta(minutes=42))

    blocks = views.crisis_blocks(Queries(redis_client).incidents(), NOON)

    assert blocks[0]["text"]["text"] == "Open incidents (1)"
    assert blocks[1]["text"]["text"] == (
        "🚨 *app &lt;!here&gt; outage* · 3 complaints · open 42 min (since 11:18 UTC)"
    )


def test_crisis_with_many_incidents_stays_within_the_message_limit() -> None:
    many = [Incident(f"topic-{n}", NOON, 2_500, ()) for n in range(70)]

    blocks = views.crisis_blocks(many, NOON)

    assert len(blocks) <= views.MESSAGE_BLOCKS
    assert "2.5K complaints" in _texts(blocks)
    assert "…and 23 more incidents" in _texts(blocks)


def test_crisis_with_no_incidents_says_so() -> None:
    assert views.crisis_blocks([], NOON) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "No open incidents."}}
    ]


def test_help_names_every_subcommand_and_an_unknown_one_escaped() -> None:
    blocks = views.help_blocks(unknown="<!everyone>")

    assert blocks[0]["text"]["text"] == "Unknown subcommand `&lt;!everyone&gt;`."
    for name in ("status", "mine", "crisis", "help"):
        assert f"`/flare {name}`" in blocks[1]["text"]["text"]
    assert "Unknown" not in _texts(views.help_blocks())


def test_home_shows_my_cases_then_the_queue_by_priority(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    store.claim(_case(store, "mine", Priority.P2), "U0ME")
    _case(store, "urgent", Priority.P1)
    _case(store, "routine", Priority.P4)
    q = Queries(redis_client)

    view = views.home_view("U0ME", q.claimed_by("U0ME"), q.open_by_priority(), NOON)

    assert view["type"] == "home"
    text = _texts(view["blocks"])
    assert "*Your cases (1)*" in text and "*Queue (3 cases open)*" in text
    order = [text.index(s) for s in ("status/mine", "*Queue", "🔴 *P1* · 1", "🟢 *P4* · 1")]
    assert order == sorted(order)
    assert "🟡 *P3*" not in text  # an empty priority is left out


def test_home_with_a_huge_queue_stays_within_the_view_limit(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    for n in range(200):
        _case(store, f"c{n:03d}", list(Priority)[n % 4], due_in=n)
    for n in range(30):
        store.claim(f"c{n:03d}", "U0ME")
    q = Queries(redis_client)

    view = views.home_view("U0ME", q.claimed_by("U0ME"), q.open_by_priority(), NOON)

    assert len(view["blocks"]) <= views.VIEW_BLOCKS
    text = _texts(view["blocks"])
    assert "…and 10 more cases" in text  # 30 held, 20 shown
    assert "…and 38 more cases" in text  # 50 per priority, 12 shown


def test_an_empty_home_says_the_queue_is_empty() -> None:
    view = views.home_view("U0ME", [], {p: [] for p in Priority}, NOON)

    assert "The queue is empty." in _texts(view["blocks"])
    assert len(view["blocks"]) <= views.VIEW_BLOCKS


def test_formatting_marks_in_a_post_are_shown_as_written_not_applied(
    redis_client: redis.Redis,
) -> None:
    store = Store(redis_client)
    _case(store, "marks", text="@acme *bold* _italic_ ~struck~ `code` <!channel> & more")
    q = Queries(redis_client)

    shown = _texts(views.home_view("U0AGENT1", [], q.open_by_priority(), NOON)["blocks"])

    assert "*bold*" not in shown and "_italic_" not in shown and "~struck~" not in shown
    assert "`code`" not in shown and "<!channel>" not in shown
    assert "∗bold∗" in shown and "&lt;!channel&gt; &amp; more" in shown
