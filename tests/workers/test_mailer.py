"""Pages by email: the real smtplib client delivers to the fake SMTP server, and says why not."""

from __future__ import annotations

import smtplib

import pytest

from flare.settings import SmtpSettings
from tests.fakes.smtp import USER, FakeSmtp
from workers.mailer import Mailer, MailError


def test_a_page_arrives_with_its_subject_and_body(fake_smtp: FakeSmtp) -> None:
    Mailer(fake_smtp.settings()).send(
        "legal@acme.example", "Crisis: legal threat", "Acknowledge in Slack.\nIncident 42."
    )

    [mail] = fake_smtp.received
    assert (mail.mail_from, mail.rcpt_tos) == ("flare@acme.example", ("legal@acme.example",))
    assert mail.subject == "Crisis: legal threat"
    assert mail.body == "Acknowledge in Slack.\nIncident 42."
    assert mail.message["To"] == "legal@acme.example"
    assert mail.message["Message-ID"]


def test_a_subject_with_line_breaks_arrives_on_one_line(fake_smtp: FakeSmtp) -> None:
    Mailer(fake_smtp.settings()).send("pr@acme.example", "Crisis:\r\nBcc: all@acme.example", "B")

    [mail] = fake_smtp.received
    assert mail.subject == "Crisis: Bcc: all@acme.example"
    assert mail.rcpt_tos == ("pr@acme.example",)


def test_the_mailer_logs_in_as_the_url_says(fake_smtp: FakeSmtp) -> None:
    Mailer(fake_smtp.settings()).send("pr@acme.example", "Crisis", "Body")

    assert fake_smtp.received[0].login == USER


def test_a_server_without_login_takes_mail_from_a_url_without_a_user(fake_smtp: FakeSmtp) -> None:
    Mailer(fake_smtp.settings(user=None)).send("pr@acme.example", "Crisis", "Body")

    assert fake_smtp.received[0].login is None


def test_a_refused_login_is_a_mail_error_not_worth_retrying(fake_smtp: FakeSmtp) -> None:
    with pytest.raises(MailError) as exc:
        Mailer(fake_smtp.settings(password="wrong")).send("pr@acme.example", "Crisis", "Body")

    assert (exc.value.code, exc.value.retryable) == (535, False)
    assert "login refused" in str(exc.value)
    assert fake_smtp.received == []


def test_a_server_that_cannot_be_reached_is_worth_retrying(fake_smtp: FakeSmtp) -> None:
    settings = fake_smtp.settings()
    fake_smtp.stop()

    with pytest.raises(MailError) as exc:
        Mailer(settings).send("pr@acme.example", "Crisis", "Body")

    assert exc.value.retryable


def test_without_a_url_the_mailer_is_off_and_sends_nothing(fake_smtp: FakeSmtp) -> None:
    mailer = Mailer(SmtpSettings())

    mailer.send("pr@acme.example", "Crisis", "Body")

    assert not mailer.enabled
    assert fake_smtp.received == []


def test_a_check_signs_in_as_a_page_would_and_sends_nothing(fake_smtp: FakeSmtp) -> None:
    Mailer(fake_smtp.settings()).check()

    with pytest.raises(smtplib.SMTPAuthenticationError):
        Mailer(fake_smtp.settings(password="wrong")).check()
    assert fake_smtp.received == []
