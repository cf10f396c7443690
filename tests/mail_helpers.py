"""A real SMTP server on this machine (aiosmtpd) that keeps what it is sent, for notices."""

import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: each message with the recipients of its envelope."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=default)))
        return "250 Message accepted"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serving(app, received: Inbox) -> Controller:
    """Start a server that keeps messages in `received`, and point the application at it."""
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port, MAIL_STARTTLS=False,
                      MAIL_FROM="notices@clinic.test", NOTICE_RECIPIENTS="")
    return controller


def body_of(message: EmailMessage) -> str:
    """The text as written (SMTP carries its lines with CRLF)."""
    return message.get_content().replace("\r\n", "\n")
