"""The SMTP URL and what a send tells: plain relay, STARTTLS insisted on
before credentials, and a server that is not there."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from conftest import free_port

from collector.mail import smtp


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://localhost", smtp.Server("smtp", "localhost", 25, None, None)),
        (
            "smtp://nps%40example.com:p%3Ass@mail.example.com:587",
            smtp.Server("smtp", "mail.example.com", 587, "nps@example.com", "p:ss"),
        ),
        ("smtps://u:p@mail.example.com", smtp.Server("smtps", "mail.example.com", 465, "u", "p")),
    ],
)
def test_parse_url(url, server):
    assert smtp.parse_url(url) == server


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_a_wrong_url_is_refused(url):
    with pytest.raises(ValueError):
        smtp.parse_url(url)


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "nps@example.com", "ann@example.com", "Hello"
    msg.set_content("A line\n.\nthat starts with a dot, and æøå")
    return msg


def test_a_plain_relay_takes_the_message_as_written(mail_server):
    with smtp.Connection(mail_server.url) as link:
        link.send(message())
        link.send(message())  # the same session, again
    first, second = mail_server.wait_for(2)
    assert first.get_content().replace("\r\n", "\n") == "A line\n.\nthat starts with a dot, and æøå\n"
    assert mail_server.envelopes[0] == ("nps@example.com", ["ann@example.com"])


def test_credentials_are_never_sent_to_a_server_without_starttls(mail_server):
    with smtp.Connection(f"smtp://ann:secret@127.0.0.1:{mail_server.port}") as link:
        with pytest.raises(smtp.Unsent) as refused:
            link.send(message())
    assert refused.value.permanent and "STARTTLS" in str(refused.value)
    assert mail_server.messages == []


def test_a_server_that_is_not_there_is_unsent_not_uncertain():
    with smtp.Connection(f"smtp://127.0.0.1:{free_port()}", timeout=5) as link:
        with pytest.raises(smtp.Unsent) as refused:
            link.send(message())
    assert not refused.value.permanent
