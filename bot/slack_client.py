"""The one wrapper around slack_sdk's WebClient, with errors a caller can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

# Slack's error strings for its own trouble, not the call's: the same call may work later.
_PASSING = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


# Slack's error strings that no retry can cure: the token, the channel or the app's place in it
# must change first. Each with what a person does about it ({channel}: the channel concerned).
_ADVICE = {
    "channel_not_found": (
        "no channel {channel} that the app can see: check FLARE_SLACK__ALERTS_CHANNEL and "
        "FLARE_SLACK__PR_CHANNEL (a channel id such as C0123ABCD, or #name), and invite the "
        "app to a private channel"
    ),
    "not_in_channel": "invite the app to {channel} (/invite @Flare in the channel)",
    "is_archived": "{channel} is archived: unarchive it, or name another channel",
    "restricted_action": "the workspace does not let the app post in {channel}: ask an admin",
    "missing_scope": (
        "the app lacks a scope: add it (slack-app-manifest.yml lists them) and reinstall the app"
    ),
    "invalid_auth": (
        "FLARE_SLACK__BOT_TOKEN is not valid: copy the Bot User OAuth Token (xoxb-…) again "
        "from OAuth & Permissions"
    ),
    "not_authed": "FLARE_SLACK__BOT_TOKEN is not set",
    "account_inactive": (
        "the app's token belongs to a deactivated user or an uninstalled app: reinstall the "
        "app and set the new FLARE_SLACK__BOT_TOKEN"
    ),
    "token_revoked": "the token was revoked: reinstall the app and set the new token",
    "token_expired": "the token expired: reinstall the app (or turn off token rotation)",
    "no_permission": "the app may not do this in {channel}: check its scopes and the channel",
    "team_access_not_granted": "the app is not installed in this workspace: install it",
}


def advice(code: str, channel: str = "") -> str:
    """What to do about a Slack error no retry can cure; empty for any other error."""
    said = _ADVICE.get(code, "")
    return said.format(channel=channel or "the channel")


class SlackError(RuntimeError):
    """Slack refused a call; `code` is Slack's error string (e.g. channel_not_found), or
    "unreachable" when no answer came at all. `channel` is the channel the call was for."""

    def __init__(
        self,
        method: str,
        code: str,
        retry_after: float | None = None,
        status: int = 200,
        channel: str = "",
    ) -> None:
        where = f" in {channel}" if channel else ""
        super().__init__(f"Slack {method}{where} failed: {code}")
        self.method = method
        self.code = code
        self.retry_after = retry_after
        self.status = status
        self.channel = channel

    @property
    def permanent(self) -> bool:
        """No retry can cure it: a person must change a setting or the workspace first."""
        return self.code in _ADVICE

    @property
    def advice(self) -> str:
        return advice(self.code, self.channel)

    @property
    def passing(self) -> bool:
        """Slack is down, slow or busy rather than refusing this call: try again later, however
        long it takes, and the call may work."""
        return (
            self.retry_after is not None
            or self.status >= 500
            or self.code in _PASSING
            or self.code.startswith("unreachable")
        )


POST_EVENT = "flare_post"  # Slack message metadata: the one post of a job, by the job's id


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


class SlackClient:
    """Every call Flare makes to Slack's Web API goes through here.

    Nothing sleeps here: a 429 comes back at once as a SlackError with its `retry_after`, so a
    listener still answers within three seconds and the workers' send budget holds the channel.
    """

    def __init__(self, token: str, base_url: str) -> None:
        # no retry of its own: slack_sdk would resend a post whose connection dropped after Slack
        # took it; Flare's jobs retry, and look for a card before they post it again
        self.web = WebClient(token=token, base_url=base_url, retry_handlers=[])

    def _call(self, method: str, *, form: bool = False, **kwargs: Any) -> dict[str, Any]:
        channel = str(kwargs.get("channel") or "")
        try:
            if form:  # read methods take form fields, not JSON bodies
                response = self.web.api_call(method, params=kwargs)
            else:
                response = self.web.api_call(method, json=kwargs)
        except SlackApiError as exc:
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            code = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            status = exc.response.status_code if exc.response is not None else 200
            raise SlackError(
                method, str(code), float(retry) if retry else None, status, channel
            ) from exc
        except (OSError, ValueError) as exc:  # refused, reset, timed out, not JSON: no answer
            why = f"unreachable ({type(exc).__name__})"
            raise SlackError(method, why, status=503, channel=channel) from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def post_card(
        self,
        channel: str,
        blocks: list[dict[str, Any]],
        text: str,
        metadata: dict[str, Any] | None = None,
    ) -> Posted:
        """A message with blocks; `metadata` (Slack's message metadata: event_type and
        event_payload) lets `find_posted` recognise it later."""
        extra: dict[str, Any] = {"metadata": metadata} if metadata else {}
        data = self._call(
            "chat.postMessage",
            channel=channel,
            blocks=blocks,
            text=text,
            unfurl_links=False,
            **extra,
        )
        return Posted(str(data["channel"]), str(data["ts"]))

    def find_posted(
        self,
        channel: str,
        event_type: str,
        payload: dict[str, str],
        oldest: float,
        thread_ts: str | None = None,
    ) -> Posted | None:
        """The message since `oldest` (in the thread of `thread_ts`, if given) whose metadata
        has this event type and payload, if Slack has one: a post whose answer never came back
        may have gone through."""
        since = {"oldest": f"{oldest:.6f}", "limit": 200, "include_all_metadata": "true"}
        if thread_ts:
            data = self._call(
                "conversations.replies", form=True, channel=channel, ts=thread_ts, **since
            )
        else:
            data = self._call("conversations.history", form=True, channel=channel, **since)
        for message in data.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == event_type and all(
                (meta.get("event_payload") or {}).get(k) == v for k, v in payload.items()
            ):
                return Posted(channel, str(message.get("ts")))
        return None

    def open_dm(self, user: str) -> str:
        """The id of the app's direct-message conversation with a user (opened if need be)."""
        channel = self._call("conversations.open", users=user).get("channel") or {}
        return str(channel.get("id") or "")

    def post_text(self, channel: str, text: str, metadata: dict[str, Any] | None = None) -> Posted:
        """A plain message (mrkdwn) in a channel, or in a DM when `channel` is a user id."""
        extra: dict[str, Any] = {"metadata": metadata} if metadata else {}
        data = self._call(
            "chat.postMessage", channel=channel, text=text, unfurl_links=False, **extra
        )
        return Posted(str(data.get("channel") or channel), str(data.get("ts") or ""))

    def update_card(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        self._call("chat.update", channel=channel, ts=ts, blocks=blocks, text=text)

    def post_ephemeral(self, channel: str, user: str, text: str) -> None:
        self._call("chat.postEphemeral", channel=channel, user=user, text=text)

    def post_in_thread(
        self,
        channel: str,
        ts: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Posted:
        """A message under the card at (channel, ts); `text` is the fallback when there are
        `blocks`."""
        args: dict[str, Any] = {"channel": channel, "thread_ts": ts, "text": text}
        if blocks:
            args["blocks"] = blocks
        if metadata:
            args["metadata"] = metadata
        data = self._call("chat.postMessage", unfurl_links=False, **args)
        return Posted(str(data.get("channel") or channel), str(data.get("ts") or ""))

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal; the trigger id is good for three seconds after the click."""
        return dict(self._call("views.open", trigger_id=trigger_id, view=view).get("view") or {})

    def update_view(self, view_id: str, view: dict[str, Any], hash: str | None = None) -> None:
        args: dict[str, Any] = {"view_id": view_id, "view": view}
        if hash:
            args["hash"] = hash
        self._call("views.update", **args)

    def publish_home(self, user: str, view: dict[str, Any]) -> None:
        self._call("views.publish", user_id=user, view=view)

    def upload_file(
        self, channel_id: str, data: bytes, filename: str, title: str, thread_ts: str | None = None
    ) -> str:
        """Share a file in a channel (by id, as Slack's answer to a post names it), through
        Slack's external upload: files.getUploadURLExternal, the bytes to the URL it gives,
        files.completeUploadExternal. Returns the file's id."""
        try:
            response = self.web.files_upload_v2(
                channel=channel_id,
                content=data,
                filename=filename,
                title=title,
                thread_ts=thread_ts,
            )
        except SlackApiError as exc:
            code = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            status = exc.response.status_code if exc.response is not None else 200
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            raise SlackError(
                "files_upload_v2", str(code), float(retry) if retry else None, status
            ) from exc
        except SlackRequestError as exc:  # the upload URL did not take the bytes
            raise SlackError("files_upload_v2", "upload_failed", status=503) from exc
        except (OSError, ValueError) as exc:
            raise SlackError(
                "files_upload_v2", f"unreachable ({type(exc).__name__})", status=503
            ) from exc
        file = (response.data.get("file") if isinstance(response.data, dict) else None) or {}
        return str(file.get("id") or "")

    def whoami(self) -> dict[str, Any]:
        """auth.test: the workspace and the bot user this token belongs to."""
        return self._call("auth.test")

    def socket_url(self) -> str:
        """apps.connections.open (with an app-level token): where Socket Mode would connect."""
        return str(self._call("apps.connections.open").get("url") or "")

    def channel(self, channel: str) -> dict[str, Any]:
        """A channel by id, or by #name among those the app can list: its id, name and whether
        the app is a member (is_member). SlackError channel_not_found if there is none."""
        if not channel.startswith("#"):
            found = self._call("conversations.info", form=True, channel=channel).get("channel")
            return dict(found or {})
        cursor = ""
        while True:
            page = {"cursor": cursor} if cursor else {}
            data = self._call(
                "conversations.list",
                form=True,
                types="public_channel,private_channel",
                exclude_archived="true",
                limit=1000,
                **page,
            )
            for listed in data.get("channels") or []:
                if listed.get("name") == channel[1:]:
                    return dict(listed)
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                raise SlackError("conversations.list", "channel_not_found", channel=channel)

    def real_name(self, user: str) -> str:
        profile = (self._call("users.info", form=True, user=user).get("user") or {}).get(
            "profile"
        ) or {}
        return str(profile.get("real_name") or profile.get("display_name") or "")
