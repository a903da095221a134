"""A fake SMTP server on 127.0.0.1 (aiosmtpd): takes mail, checks logins, records each message."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from flare.settings import SmtpSettings

USER = "flare"
PASSWORD = "s3cret"


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope, who logged in, the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str | None
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content()).replace("\r\n", "\n").strip()


@dataclass
class FakeSmtp:
    """Start with `start()`; `settings()` log in as USER with PASSWORD, `settings(password=…)`
    with another one (refused)."""

    users: dict[str, str] = field(default_factory=lambda: {USER: PASSWORD})
    received: list[Received] = field(default_factory=list)
    _controller: Controller | None = None

    @property
    def port(self) -> int:
        assert self._controller is not None, "start() the fake first"
        return int(self._controller.port)

    def url(self, user: str | None = USER, password: str = PASSWORD) -> str:
        login = f"{user}:{password}@" if user else ""
        return f"smtp://{login}127.0.0.1:{self.port}"

    def settings(self, user: str | None = USER, password: str = PASSWORD) -> SmtpSettings:
        return SmtpSettings(url=self.url(user, password), sender="flare@acme.example", timeout=5)

    def start(self) -> FakeSmtp:
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=_free_port(),
            authenticator=self._authenticate,
            auth_require_tls=False,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        if self.users.get(user) != password:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=user)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data if session.authenticated else None
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), login, message))
        return "250 OK: queued"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fake_smtp() -> Iterator[FakeSmtp]:
    """A running fake SMTP server; `fake_smtp.settings()` reach it and log in."""
    fake = FakeSmtp().start()
    yield fake
    fake.stop()
