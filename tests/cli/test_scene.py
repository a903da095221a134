"""What the demo's page shows one person, from the stand-in Slack's record."""

from __future__ import annotations

from cli.scene import NOTES_KEPT, dm_channel, scene


def test_channels_come_first_in_their_order_and_threads_sit_under_their_message() -> None:
    messages = [
        (("#pr-escalations", "2.000002"), {"text": "incident"}),
        (("#social-care", "1.000001"), {"text": "card"}),
        (("#social-care", "3.000003"), {"text": "Claimed", "thread_ts": "1.000001"}),
        (("#ops", "4.000004"), {"text": "elsewhere"}),
    ]

    shown = scene("U0DEMOAGENT", messages, [], [])

    assert [c["name"] for c in shown["channels"]] == ["#social-care", "#pr-escalations", "#ops"]
    (card,) = shown["channels"][0]["messages"]
    assert [r["text"] for r in card["replies"]] == ["Claimed"]


def test_a_person_sees_their_own_dms_and_notes_only_the_newest_few() -> None:
    messages = [((dm_channel("U0DEMOPR"), "1.000001"), {"text": "Paged"})]
    notes = [{"user": "U0DEMOPR", "channel": "C1", "text": f"note {n}"} for n in range(20)]
    notes.append({"user": "U0DEMOAGENT", "channel": "C1", "text": "for the agent"})

    pr = scene("U0DEMOPR", messages, notes, [])
    agent = scene("U0DEMOAGENT", messages, notes, [])

    assert [m["text"] for m in pr["dm"]["messages"]] == ["Paged"]
    assert [n["text"] for n in pr["notes"]][-1] == "note 19"
    assert len(pr["notes"]) == NOTES_KEPT
    assert agent["dm"]["messages"] == [] and [n["text"] for n in agent["notes"]] == [
        "for the agent"
    ]
    assert agent["dms_waiting"] == {"D0DEMOPR": 1}
