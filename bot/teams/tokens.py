"""Who may post to /api/messages: the Bot Connector, proved by the JWT it signs for this bot.

The token is checked as the Bot Framework's authentication spec says: RS256, signed by a key
the OpenID metadata document lists, issued by the Bot Framework, for this app id, not
expired (five minutes' leeway for clocks), and naming the serviceUrl of the activity it
carries (a token naming none is refused too), so a token cannot send Flare's answers to a
server of someone else's choosing.
"""

from __future__ import annotations

import threading
from typing import Any

import jwt
import requests

LEEWAY = 300


class Unauthorized(Exception):
    """The request is not from the Bot Connector (or not for this bot): answer 401."""


class Tokens:
    def __init__(
        self,
        app_id: str,
        openid_metadata_url: str,
        issuer: str = "https://api.botframework.com",
        timeout: float = 10.0,
    ) -> None:
        self.audiences = [app_id, f"api://{app_id}", f"api://botid-{app_id}"]
        self.metadata_url = openid_metadata_url
        self.issuer = issuer
        self.timeout = timeout
        self._keys: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def check(self, authorization: str, service_url: str) -> dict[str, Any]:
        """The token's claims, if `authorization` ("Bearer …") holds a good token for an
        activity from `service_url`; `Unauthorized` otherwise."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        try:
            key = self._signing_keys().get_signing_key_from_jwt(token.strip())
            claims: dict[str, Any] = jwt.decode(
                token.strip(),
                key.key,
                algorithms=["RS256"],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, requests.RequestException, ValueError) as exc:
            raise Unauthorized(str(exc)) from exc
        named = str(claims.get("serviceurl") or claims.get("serviceUrl") or "")
        if not named or named.rstrip("/") != service_url.rstrip("/"):
            raise Unauthorized("the token names no serviceUrl, or another one")
        return claims

    def _signing_keys(self) -> jwt.PyJWKClient:
        """The key set the metadata document points at; fetched once, refetched by PyJWT when
        a token names a key it has not seen (the Bot Connector rolls its keys)."""
        with self._lock:
            if self._keys is None:
                answer = requests.get(self.metadata_url, timeout=self.timeout)
                answer.raise_for_status()
                jwks_uri = str(answer.json()["jwks_uri"])
                self._keys = jwt.PyJWKClient(jwks_uri, cache_keys=True, timeout=int(self.timeout))
            return self._keys
