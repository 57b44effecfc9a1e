"""A local SMTP sink (aiosmtpd on loopback) that counts what it accepts, and its own ceiling in messages/s."""

import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from bench.server import free_port


@dataclass
class Counter:
    messages: int = 0
    size: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    recipients: set[str] = field(default_factory=set)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        self.first_at = self.first_at or now
        self.messages, self.size, self.last_at = self.messages + 1, self.size + len(envelope.content), now
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


class Sink:
    def __init__(self) -> None:
        self.counter = Counter()
        self.port = free_port()
        self.controller = Controller(self.counter, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "Sink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def reset(self) -> None:
        self.counter = Counter()
        self.controller.handler = self.counter


def ceiling(port: int, messages: int = 300) -> float:
    """Messages/s the sink takes with one connection per message, as Django's EmailMessage.send() does."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "bench@example.com", "sink@example.com", "ceiling"
    message.set_content("A trivial message.")
    started = time.perf_counter()
    for _ in range(messages):
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message)
    return messages / (time.perf_counter() - started)
