"""The web demo's story: the sample told in four acts, found by the playbook's readers."""

from __future__ import annotations

from datetime import UTC, datetime

from cli.demo import sample_path
from cli.story import Act, Story, acts
from rules.mention import Mention, Source
from rules.normalize import read_payload
from rules.playbook import load_playbook


def sample() -> list[Mention]:
    lines = sample_path().read_bytes().splitlines()
    return [m for line in lines if line.strip() for m in read_payload(line, Source.REPLAY)[0]]


def post(n: int) -> Mention:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return Mention.model_validate(
        {"id": str(n), "text": f"post {n}", "created_at": when, "author": {"id": "a"}}
    )


def test_the_sample_is_the_queue_then_a_vip_then_a_legal_threat_then_the_outage() -> None:
    mentions = sample()

    told = acts(mentions, load_playbook())

    assert [a.title for a in told] == [
        "The normal queue",
        "A VIP",
        "A legal threat",
        "The outage spike",
    ]
    queue, (vip,), (legal,), flood = (a.mentions for a in told)
    assert vip.author.username == "celebrity_chef"  # of high reach: the first such post
    assert "lawyer" in legal.text
    assert sum(len(a.mentions) for a in told) == len(mentions)  # every post told, once
    assert max(m.created_at for m in queue) < min(m.created_at for m in flood)
    assert sum("app" in m.text.lower() for m in flood) >= 20


def test_the_story_tells_each_post_once_in_order_and_says_where_it_is() -> None:
    told: list[str] = []
    two = [Act("One", "first", (post(1), post(2)), 0), Act("Two", "then", (post(3),), 0)]
    story = Story(two, lambda m: told.append(m.id), pause=0.01).start()
    assert story._thread is not None
    story._thread.join(5)

    assert told == ["1", "2", "3"]
    assert story.status() == {
        "acts": [
            {"title": "One", "says": "first", "posts": 2},
            {"title": "Two", "says": "then", "posts": 1},
        ],
        "act": 2,
        "posts": 3,
        "done": True,
    }


def test_a_stopped_story_tells_nothing_more() -> None:
    told: list[str] = []
    slow = [Act("One", "first", (post(1), post(2)), 5.0)]
    story = Story(slow, lambda m: told.append(m.id)).start()
    story.stop()
    assert story._thread is not None
    story._thread.join(5)

    assert told == ["1"] and not story.status()["done"]
