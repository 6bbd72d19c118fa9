"""A real SMTP server (aiosmtpd) on loopback that records what it accepts.

It can be told to answer a recipient with a temporary (451) or permanent (550) error,
like a greylisting or a strict mail server would.
"""

import email
import socket
import threading
from collections import Counter, defaultdict
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SinkHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Message] = []
        self.temporary_failures: Counter[str] = Counter()
        self.permanent_failures: set[str] = set()
        self.refusals: dict[str, list[str]] = defaultdict(list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.permanent_failures:
                self.refusals[address].append("550")
                return "550 5.1.1 Mailbox does not exist"
            if self.temporary_failures[address] > 0:
                self.temporary_failures[address] -= 1
                self.refusals[address].append("451")
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def received_by(self) -> Counter[str]:
        """Distinct Message-IDs each recipient received (what a mailbox would show)."""
        with self.lock:
            seen = {(m["To"], m["Message-ID"]) for m in self.messages}
        return Counter(to for to, _id in seen)


class SmtpSink:
    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
