"""The digest's chart: a report drawn as a PNG with matplotlib's Agg backend (no display)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from flare.report import Report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# One colour per audited action that the chart stacks; the rest are drawn as "other".
SHOWN = ("claim", "reply", "dm", "escalate", "resolve", "ignore", "overdue")


def hours(report: Report) -> list[datetime]:
    """Each hour of the window, from its first whole hour to its last."""
    first = report.since.replace(minute=0, second=0, microsecond=0)
    count = int((report.until - first).total_seconds() // 3600) + 1
    return [first + timedelta(hours=h) for h in range(count)]


def png(report: Report) -> bytes:
    """Two panels: actions per hour, stacked by action; and first-response minutes per
    priority (median and 90th percentile) beside the priority's target."""
    import matplotlib

    matplotlib.use("Agg")  # draw to memory: no display on a worker
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6.5), dpi=100, layout="constrained")
    volume, times = fig.subplots(2, 1, height_ratios=(3, 2))
    slots = hours(report)
    labels = [h.strftime("%Y-%m-%dT%H") for h in slots]
    bottom = [0] * len(slots)
    actions = [a for a in SHOWN if any(a in report.by_hour.get(k, {}) for k in labels)]
    other = [sum(n for w, n in report.by_hour.get(k, {}).items() if w not in SHOWN) for k in labels]
    for action, counts in [
        *((a, [report.by_hour.get(k, {}).get(a, 0) for k in labels]) for a in actions),
        ("other", other),
    ]:
        if not any(counts):
            continue
        volume.bar(range(len(slots)), counts, bottom=bottom, label=action, width=0.85)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, len(slots) // 12)
    volume.set_xticks(range(0, len(slots), step), [h.strftime("%d %H:00") for h in slots][::step])
    volume.set_ylabel("actions")
    volume.set_title(
        f"Flare: actions per hour (UTC), {report.since:%Y-%m-%d %H:%M} to {report.until:%H:%M}"
    )
    if any(bottom):
        volume.legend(loc="upper left", ncols=4, fontsize="small")
    else:
        volume.text(0.5, 0.5, "no actions in the window", ha="center", transform=volume.transAxes)
    priorities = list(report.first_response)
    if priorities:
        at = range(len(priorities))
        p50 = [report.first_response[p].p50_minutes or 0 for p in priorities]
        p90 = [report.first_response[p].p90_minutes or 0 for p in priorities]
        times.barh([y + 0.2 for y in at], p50, height=0.4, label="median")
        times.barh([y - 0.2 for y in at], p90, height=0.4, label="90th percentile")
        for y, p in zip(at, priorities, strict=True):
            target = report.first_response[p].target_minutes
            if target is not None:
                times.vlines(target, y - 0.45, y + 0.45, colors="black", linewidth=2)
        times.plot([], [], color="black", linewidth=2, label="target")
        times.set_yticks(list(at), [_share(report, p) for p in priorities])
        times.legend(loc="lower right", fontsize="small")
    else:
        times.text(
            0.5, 0.5, "no first responses in the window", ha="center", transform=times.transAxes
        )
        times.set_yticks([])
    times.set_xlabel("minutes to first response")
    times.set_title("First response against target, by priority")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _share(report: Report, priority: str) -> str:
    timing = report.first_response[priority]
    share = timing.share_inside
    inside = "" if share is None else f" {share:.0%} in time"
    return f"{priority} ({timing.answered}){inside}"
