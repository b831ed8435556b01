"""The e-mails of warm referrals (docs/referrals.md): a small durable queue (`referral_email`), filled in the
referral's own transaction and sent after it commits by this task, never by an update. Standard library
`smtplib` in a worker thread (`asyncio.to_thread`): the event loop never waits for an SMTP server. A failure
is retried with a growing pause (30 s doubling to 1 hour, for about a day), then given up (logged); a row is
marked sent once. The password is never logged (nor any address or content: ids only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from bot.core.clock import utcnow
from bot.core.referral_partner import BOT_LINK
from bot.settings import Settings
from bot.storage import Store
from bot.storage.referrals import QueuedEmail

log = logging.getLogger(__name__)

FIRST_RETRY = 30.0  # seconds
LONGEST_RETRY = 3600.0
GIVE_UP_AFTER = 30  # attempts: about a day with the pauses above
IDLE_LOOK = 30.0  # a look at the queue this often, even without a wake-up (another process may have queued)
TIMEOUT = 30.0  # seconds for one SMTP conversation


class Mailer:
    """Sends the queued referral e-mails; `run` is one of the bot's tasks."""

    def __init__(
        self, store: Store, settings: Settings, *, idle: float = IDLE_LOOK, bot_username: str | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.idle = idle
        self.bot_username = bot_username
        self._wake = asyncio.Event()
        store.email_queued = self.wake  # called after a commit that queued an e-mail

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:  # a database error must not end the task: the next look tries again
                log.exception("referral e-mails: the queue could not be read")
            await self._wait()

    async def _wait(self) -> None:
        pause = self.idle
        try:
            following = await self.store.next_email_at()
        except Exception:
            following = None
        if following is not None:
            pause = max(0.05, min(pause, (following - utcnow()).total_seconds()))
        try:
            async with asyncio.timeout(pause):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def send_due(self) -> int:
        """Send every e-mail due now; returns how many went."""
        sent = 0
        for email in await self.store.due_emails(now=utcnow()):
            try:
                await asyncio.to_thread(self._send, email)
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                attempts = email.attempts + 1
                pause = min(LONGEST_RETRY, FIRST_RETRY * 2 ** (attempts - 1))
                give_up = attempts >= GIVE_UP_AFTER or _refused(exc)
                log.warning(
                    "referral e-mail %s: attempt %s failed (%s)%s",
                    email.id,
                    attempts,
                    type(exc).__name__,
                    ", given up" if give_up else f", next in {pause:.0f} s",
                )
                await self.store.email_retry(
                    email_id=email.id, next_at=utcnow() + dt.timedelta(seconds=pause), give_up=give_up
                )
                continue
            await self.store.email_sent(email_id=email.id, at=utcnow())
            log.info("referral e-mail %s sent", email.id)
            sent += 1
        return sent

    def _send(self, email: QueuedEmail) -> None:
        """One e-mail, in a worker thread."""
        settings = self.settings
        assert settings.smtp_host is not None
        assert settings.smtp_sender is not None
        message = EmailMessage()
        message["From"] = settings.smtp_sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
        # The reply links open the bot: its address is known here, not in the core that wrote the e-mail.
        link = f"https://t.me/{self.bot_username}?start=" if self.bot_username else "/start "
        message.set_content(email.body.replace(BOT_LINK, link))
        connect: smtplib.SMTP
        if settings.smtp_implicit_tls:  # port 465: TLS from the first byte
            connect = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            connect = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
        with connect as smtp:
            if settings.smtp_starttls and not settings.smtp_implicit_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)


def _refused(error: BaseException) -> bool:
    """The server refused this e-mail for good (an unknown address, a sender not allowed, a 5xx answer):
    sending it again would be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
