"""A tiny SMTP server on 127.0.0.1 for the referral e-mail tests (asyncio streams; aiosmtpd is not installed):
enough of RFC 5321 for `smtplib` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), every message kept parsed.
`fail_next` makes the next conversations answer 451 to DATA (a server that fails for a while)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class SmtpServer:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    refused: tuple[str, ...] = ()  # recipients answered "550 no such user" (a permanent refusal)
    _server: asyncio.Server | None = None

    async def __aenter__(self) -> SmtpServer:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        sender, recipients = "", []
        await say("220 localhost test SMTP")
        try:
            while line := await reader.readline():
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                argument = line.decode(errors="replace").strip()[len(verb) :].strip()
                if verb in ("EHLO", "HELO"):
                    await say("250 localhost")
                elif verb == "MAIL":
                    sender, recipients = argument.partition(":")[2].strip("<> "), []
                    await say("250 OK")
                elif verb == "RCPT":
                    recipient = argument.partition(":")[2].strip("<> ")
                    if recipient in self.refused:
                        await say("550 no such user")
                        continue
                    recipients.append(recipient)
                    await say("250 OK")
                elif verb == "DATA":
                    await say("354 end with <CRLF>.<CRLF>")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    if self.fail_next:
                        self.fail_next -= 1
                        await say("451 try again later")
                        continue
                    raw = data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
                    parsed = message_from_bytes(raw, policy=policy.default)
                    assert isinstance(parsed, EmailMessage)
                    self.received.append(Received(sender, recipients, parsed))
                    await say("250 queued")
                elif verb == "QUIT":
                    await say("221 bye")
                    break
                else:  # RSET, NOOP and anything else
                    await say("250 OK")
        finally:
            writer.close()
