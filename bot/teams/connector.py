"""The one client of the Bot Connector REST API: post, update and reply, and open a personal chat.

Synchronous (the RQ jobs are), with the bot's token from Entra's client-credentials grant,
cached until shortly before it expires. A throttle or a passing outage (429, 412, 502, 504)
raises `TeamsError` with how long to hold off; the job that called schedules itself again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

BOT_SCOPE = "https://api.botframework.com/.default"
RETRIED = frozenset({412, 429, 502, 504})
_EARLY = 300  # seconds before its expiry a token is renewed


class TeamsError(Exception):
    """The Bot Connector refused or failed a call; `retry_after` is set when trying again
    later may work (seconds to wait), None when it will not (e.g. 403 MessageWritesBlocked)."""

    def __init__(self, status: int, code: str, retry_after: float | None = None) -> None:
        super().__init__(f"Teams answered {status}: {code}")
        self.status = status
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    """Where a message went: its conversation and its activity id."""

    conversation: str
    id: str


class Connector:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        tenant_id: str = "",
        login_url: str = "https://login.microsoftonline.com",
        timeout: float = 10.0,
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self.tenant_id = tenant_id
        self._token_url = f"{login_url.rstrip('/')}/{tenant_id or 'botframework.com'}"
        self._token_url += "/oauth2/v2.0/token"
        self.timeout = timeout
        self._http = requests.Session()
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    # the bot's own token ------------------------------------------------------------------
    def token(self) -> str:
        with self._lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            answer = self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.app_id,
                    "client_secret": self._secret,
                    "scope": BOT_SCOPE,
                },
                timeout=self.timeout,
            )
            if answer.status_code != 200:  # a wrong secret is not retried; an outage is
                retry = _later(answer) if answer.status_code in RETRIED | {500, 503} else None
                raise TeamsError(answer.status_code, "token: " + answer.text[:200], retry)
            body = answer.json()
            lasts = max(60, int(body.get("expires_in", 3600)) - _EARLY)
            self._token = (str(body["access_token"]), time.monotonic() + lasts)
            return self._token[0]

    # messages ---------------------------------------------------------------------------
    def send(self, service_url: str, conversation: str, activity: dict[str, Any]) -> Sent:
        """A new message in the conversation (a channel, a chat, or a thread: `thread_of`)."""
        body = self._call("POST", _activities(service_url, conversation), activity)
        return Sent(conversation, str(body.get("id", "")))

    def update(
        self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace a message Flare sent, e.g. a card redrawn for everyone."""
        url = f"{_activities(service_url, conversation)}/{quote(activity_id, safe='')}"
        self._call("PUT", url, {**activity, "id": activity_id})

    def personal_chat(self, service_url: str, user: str) -> str:
        """The conversation id of the bot's one-to-one chat with `user` (opened if need be)."""
        body = self._call(
            "POST",
            f"{service_url.rstrip('/')}/v3/conversations",
            {
                "isGroup": False,
                "bot": {"id": self.app_id},
                "members": [{"id": user}],
                "tenantId": self.tenant_id,
                "channelData": {"tenant": {"id": self.tenant_id}},
            },
        )
        return str(body["id"])

    def _call(self, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = self._http.request(
                method,
                url,
                json=body,
                headers={"Authorization": f"Bearer {self.token()}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TeamsError(0, f"unreachable: {exc}", 5.0) from exc
        if answer.status_code == 401:
            with self._lock:
                self._token = None  # revoked or rolled: the retry asks for a new one
        if answer.status_code >= 300:
            code = _code(answer)
            retry = _later(answer) if answer.status_code in RETRIED else None
            raise TeamsError(answer.status_code, code, retry)
        return answer.json() if answer.content else {}


def thread_of(channel: str, message_id: str) -> str:
    """The conversation id of a channel message's thread: a reply there is a reply to it."""
    return f"{channel};messageid={message_id}"


def _activities(service_url: str, conversation: str) -> str:
    return f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation, safe='')}/activities"


def _later(answer: requests.Response) -> float:
    """Seconds to hold off: Retry-After when Teams gives one, else a short default."""
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return 2.0


def _code(answer: requests.Response) -> str:
    try:
        error = answer.json().get("error") or {}
        return str(error.get("code") or answer.reason)
    except ValueError:
        return str(answer.reason)
