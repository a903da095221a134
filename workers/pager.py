"""Outbound pages: PagerDuty Events API v2 events keyed by the incident, so one alert follows it.

The shape and limits below were checked against PagerDuty's developer docs (Events API v2,
"Send an Alert Event" and "Overview", github.com/PagerDuty/developer-docs):
- POST JSON to the enqueue URL: `routing_key`, `event_action` (trigger, acknowledge, resolve),
  `dedup_key` (at most 255 characters); a trigger also carries `payload` with `summary` (at most
  1024 characters), `source`, `severity` (critical, error, warning, info) and optional
  `custom_details`, and may carry `links`, each `{href, text}`.
- Acknowledge and resolve need only the routing key and the dedup key of the trigger.
- 202 means accepted; 400 is a bad event (do not retry); 429 and 5xx, and network errors, may be
  retried after a while.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import requests

from flare.settings import PagerSettings

SEVERITIES = ("critical", "error", "warning", "info")
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255


class PagerError(RuntimeError):
    """An event PagerDuty did not accept; `retryable` says whether sending it again can help."""

    def __init__(self, message: str, *, status: int | None, retryable: bool) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status, or None when no answer came (network error, timeout)."""
        self.retryable = retryable


class Pager:
    """Sends trigger, acknowledge and resolve events; does nothing while it is not enabled."""

    def __init__(self, settings: PagerSettings, session: requests.Session | None = None) -> None:
        self._url = settings.events_url
        key = settings.routing_key
        self._routing_key = key.get_secret_value() if key is not None else ""
        self._timeout = settings.timeout
        self._session = session or requests.Session()

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def trigger(
        self,
        dedup_key: str,
        summary: str,
        *,
        source: str,
        severity: str = "critical",
        details: dict[str, str] | None = None,
        links: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Open the alert for `dedup_key`, or add to it if open. `links` are (href, text)."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        if len(summary) > MAX_SUMMARY:
            summary = summary[: MAX_SUMMARY - 1] + "…"
        payload: dict[str, Any] = {"summary": summary, "source": source, "severity": severity}
        if details:
            payload["custom_details"] = dict(details)
        event: dict[str, Any] = {"payload": payload}
        if links:
            event["links"] = [{"href": href, "text": text} for href, text in links]
        self._send("trigger", dedup_key, event)

    def acknowledge(self, dedup_key: str) -> None:
        """Someone has it: PagerDuty stops notifying for the alert."""
        self._send("acknowledge", dedup_key, {})

    def resolve(self, dedup_key: str) -> None:
        """It is over: the alert closes; a later trigger with the same key opens a new one."""
        self._send("resolve", dedup_key, {})

    def _send(self, action: str, dedup_key: str, extra: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if not dedup_key or len(dedup_key) > MAX_DEDUP_KEY:
            raise ValueError(f"a dedup key has 1 to {MAX_DEDUP_KEY} characters")
        event = {
            "routing_key": self._routing_key,
            "event_action": action,
            "dedup_key": dedup_key,
            **extra,
        }
        try:
            answer = self._session.post(self._url, json=event, timeout=self._timeout)
        except requests.RequestException as exc:
            raise PagerError(
                f"{action} {dedup_key}: no answer: {type(exc).__name__}",
                status=None,
                retryable=True,
            ) from exc
        if 200 <= answer.status_code < 300:
            return
        status = answer.status_code
        raise PagerError(
            f"{action} {dedup_key}: HTTP {status}: {_why(answer)}",
            status=status,
            retryable=status == 429 or status >= 500,
        )


def _why(answer: requests.Response) -> str:
    """PagerDuty's own words for a refusal: its message and errors, else the start of the body."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason
    if not isinstance(body, dict):
        return str(body)[:200]
    errors = body.get("errors") or []
    return "; ".join(str(part) for part in [body.get("message", ""), *errors] if part)[:500]
