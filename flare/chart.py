"""The digest's chart: a report drawn as a PNG with matplotlib's Agg backend (no display)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

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
    """Two panels: actions per hour, stacked by action; and each priority's first-response
    times (median and 90th percentile) against its target."""
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
    step = max(1, len(slots) // 8)
    volume.set_xticks(range(0, len(slots), step), [f"{h:%H}:00" for h in slots][::step])
    volume.set_xlim(-0.6, len(slots) - 0.4)
    volume.set_ylabel("actions")
    volume.set_title(
        f"Actions per hour, {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC"
    )
    if any(bottom):
        volume.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    else:
        volume.text(0.5, 0.5, "no actions in the window", ha="center", transform=volume.transAxes)
    _against_target(times, report)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _against_target(axes: Any, report: Report) -> None:
    """Median and 90th percentile of each priority's first responses, as a share of its target
    (so a 15-minute P1 and a 4-hour P4 read on one scale), each bar labelled in minutes."""
    from matplotlib.ticker import PercentFormatter

    priorities = [p for p, t in report.first_response.items() if t.target_minutes]
    axes.set_title("First response against target, by priority")
    axes.set_xlabel("share of the response target (bars labelled in minutes)")
    if not priorities:
        axes.text(
            0.5, 0.5, "no first responses in the window", ha="center", transform=axes.transAxes
        )
        axes.set_yticks([])
        return
    for offset, label, pick in (
        (0.2, "median", lambda t: t.p50_minutes),
        (-0.2, "90th percentile", lambda t: t.p90_minutes),
    ):
        minutes = [pick(report.first_response[p]) or 0.0 for p in priorities]
        shares = [
            m / (report.first_response[p].target_minutes or 1)
            for m, p in zip(minutes, priorities, strict=True)
        ]
        bars = axes.barh(
            [y + offset for y in range(len(priorities))], shares, height=0.4, label=label
        )
        axes.bar_label(bars, labels=[f"{m:.0f} min" for m in minutes], padding=3, fontsize="small")
    axes.axvline(1.0, color="black", linewidth=2, label="target")
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_yticks(range(len(priorities)), [_share(report, p) for p in priorities])
    axes.set_xlim(0, max(1.25, axes.get_xlim()[1] * 1.1))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")


def _share(report: Report, priority: str) -> str:
    timing = report.first_response[priority]
    share = timing.share_inside
    inside = "" if share is None else f" {share:.0%} in time"
    return f"{priority} ({timing.answered}){inside}"
