"""A day on the real surfaces: what agents did reaches the report, /metrics and the digest as the
audit holds it."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import matplotlib.image
from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry

from bot.action_ids import ActionId
from flare import metrics
from flare.audit import Audit
from flare.chart import PNG_SIGNATURE
from flare.report import gather
from tests.fakes.x_api import fake_x
from tests.session import Session
from tests.test_agent_workflow import AGENT, COMPLAINT, flare, start_flare
from tests.waiting import eventually
from workers import digest

__all__ = ["fake_x", "flare", "start_flare"]  # the agent workflow's fixtures, as they are


def test_a_day_of_clicks_is_what_the_report_the_metrics_and_the_digest_say(flare: Session) -> None:
    answered = flare.someone_posts(COMPLAINT)
    jo = flare.agent(AGENT)
    jo.clicks(ActionId.CLAIM, answered)
    assert jo.submits(jo.opens(ActionId.REPLY, answered), draft="Hi, refund sent today.") == {}
    flare.work()
    flare.someone_posts("@acme where is my parcel? ordered 2 weeks ago", author="505")
    flare.time_passes(minutes=31)  # the parcel case reaches its target unanswered
    now = datetime.now(UTC)

    report = gather(flare.redis, now - timedelta(hours=1), now + timedelta(hours=1))

    held = [e for e in Audit(flare.redis).recent(100) if report.since <= e.at <= report.until]
    assert {w: sum(t.values()) for w, t in report.volume.items()} == Counter(e.what for e in held)
    assert report.breach_total == 1
    assert report.answered == 1 and report.share_inside == 1.0
    assert report.handled == {AGENT: 1}
    registry = CollectorRegistry()
    metrics.install(flare.redis, flare.clock, registry)
    scraped = generate_latest(registry).decode()
    assert "flare_first_response_seconds_count 1.0" in scraped
    assert "flare_breaches_total 1.0" in scraped
    assert "flare_cards_posted_total 2.0" in scraped

    day = digest.next_day(now, flare.settings).isoformat()
    # the cards just took the channel's send slot: the digest waits for the next one
    file_id = eventually(lambda: (got := digest.daily_digest(day)) != "deferred" and got)

    data = flare.slack.files[file_id]["data"]
    assert data.startswith(PNG_SIGNATURE)
    assert matplotlib.image.imread(io.BytesIO(data), format="png").ndim == 3
    assert flare.slack.files[file_id]["channel"] == "C0ALERTS"
