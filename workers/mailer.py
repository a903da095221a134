"""Pages by email over SMTP: TLS whenever the server offers it, never a password in clear."""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flare.settings import SmtpSettings


class MailError(RuntimeError):
    """A message the server did not take; `retryable` says whether sending it again can help."""

    def __init__(self, message: str, *, code: int | None = None, retryable: bool) -> None:
        super().__init__(message)
        self.code = code
        """The SMTP reply code, or None when the server could not be reached."""
        self.retryable = retryable


class Mailer:
    """Sends one plain-text message per call; does nothing while it is not enabled."""

    def __init__(self, settings: SmtpSettings, tls: ssl.SSLContext | None = None) -> None:
        self._settings = settings
        self._tls = tls or ssl.create_default_context()

    @property
    def enabled(self) -> bool:
        return self._settings.enabled

    def send(self, to: str, subject: str, body: str) -> None:
        """Send `body` to `to`. Raises MailError, retryable on 4xx replies and network errors."""
        if not self.enabled:
            return
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = to
        message["Subject"] = " ".join(subject.split())  # outside text may carry line breaks
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self._settings.sender.rpartition("@")[2] or None)
        message.set_content(body)
        try:
            self._deliver(message)
        except MailError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(
                f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                code=exc.smtp_code,
                retryable=False,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"the server cannot do this: {exc}", retryable=False) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            code, why = next(iter(exc.recipients.values()))
            raise MailError(
                f"{to} refused: {code} {_text(why)}", code=code, retryable=400 <= code < 500
            ) from exc
        except smtplib.SMTPResponseException as exc:
            code = exc.smtp_code
            raise MailError(
                f"{code} {_text(exc.smtp_error)}", code=code, retryable=400 <= code < 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"no answer: {type(exc).__name__}: {exc}", retryable=True) from exc

    def check(self) -> None:
        """Connect and sign in as a page would, sending nothing (`flare doctor`). Raises
        MailError, or smtplib's and the socket's own errors."""
        self._deliver(None)

    def _deliver(self, message: EmailMessage | None) -> None:
        """Connect, secure, sign in, then send `message` (None: stop after signing in)."""
        server = self._settings.server
        timeout = self._settings.timeout
        smtp: smtplib.SMTP
        if server.ssl:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=self._tls)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            secure = server.ssl
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls(context=self._tls)
                smtp.ehlo()
                secure = True
            if server.user:
                if not secure and not _on_this_machine(server.host):
                    raise MailError(
                        f"{server.host} offers no STARTTLS: the password is not sent in clear "
                        "(use smtps://, or a server that offers STARTTLS)",
                        retryable=False,
                    )
                smtp.login(server.user, server.password)
            if message is not None:
                smtp.send_message(message)


def _on_this_machine(host: str) -> bool:
    """A loopback address: a password sent there in clear never crosses a network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
