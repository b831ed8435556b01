"""Fault injection: errors, late answers and lost requests, one-off or at random."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.botapi.common import same_chat
from tests.support.botapi.state import DoubleState


@dataclass
class Fault:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


@dataclass
class Delay:
    method: str
    seconds: float
    remaining: int
    then_accept: bool


@dataclass
class RandomRule:
    """A ``fail_randomly``/``time_out_randomly`` rule, shared by the methods it was set for (one
    random generator, so a seeded run is reproducible for a given order of calls)."""

    rate: float
    rng: random.Random
    codes: tuple[int, ...] = ()
    retry_after: int = 1
    seconds: float = 0.0


def default_description(error_code: int, retry_after: int | None) -> str:
    """The server's wording for the common error codes."""
    defaults = {
        400: "Bad Request",
        403: "Forbidden",
        429: f"Too Many Requests: retry after {retry_after or 1}",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }
    return defaults.get(error_code, f"Error {error_code}")


class FaultsMixin(DoubleState):
    """Public fault-injection methods of ``BotApiDouble`` and the bookkeeping behind them."""

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (only those for ``chat_id`` if given)
        with an error instead of executing them: nothing is stored or queued.

        ``retry_after`` adds ``parameters.retry_after`` (PTB raises ``RetryAfter``); 400 gives
        ``BadRequest``, 403 ``Forbidden``, 5xx ``NetworkError``."""
        with self._lock:
            self._faults.append(
                Fault(
                    method=self._method_name(method),
                    error_code=error_code,
                    description=description or default_description(error_code, retry_after),
                    retry_after=retry_after,
                    remaining=times,
                    chat_id=chat_id,
                )
            )

    def delay_next(self, method: str, seconds: float, times: int = 1, then_accept: bool = True) -> None:
        """Make the next ``times`` calls of ``method`` answer ``seconds`` late.

        With ``then_accept`` (default) the call is executed at once (the message is stored,
        the update confirmed...) and only the response is late: a client timing out meanwhile
        sees ``TimedOut`` although Telegram did act, the classic duplicate-send trap. Without
        it, nothing is executed and the connection is closed without an answer after the
        delay (a request lost in transit)."""
        with self._lock:
            self._delays.append(
                Delay(
                    method=self._method_name(method),
                    seconds=seconds,
                    remaining=times,
                    then_accept=then_accept,
                )
            )

    def fail_randomly(
        self,
        methods: Iterable[str],
        rate: float,
        *,
        codes: Iterable[int] = (429, 500, 502),
        retry_after: int = 1,
        seed: int | None = None,
    ) -> None:
        """From now on, answer a fraction ``rate`` (0..1) of the calls of ``methods`` with an
        error drawn from ``codes`` instead of executing them (nothing stored or queued; the
        call's ``fault`` records the code). A 429 carries ``parameters.retry_after``.

        Replaces any earlier random-fault rule of these methods; ``rate`` 0 removes it, and
        ``stop_failing()`` removes every rule. ``seed`` makes the draws reproducible. Faults
        queued with ``fail_next`` come first."""
        names = self._rule_methods(methods, rate)
        chosen = tuple(codes)
        if rate > 0 and not chosen:
            raise ValueError("fail_randomly needs at least one error code")
        rule = RandomRule(rate=rate, rng=random.Random(seed), codes=chosen, retry_after=retry_after)
        with self._lock:
            for name in names:
                if rate > 0:
                    self._random_faults[name] = rule
                else:
                    self._random_faults.pop(name, None)

    def time_out_randomly(
        self, methods: Iterable[str], rate: float, seconds: float, *, seed: int | None = None
    ) -> None:
        """From now on, answer a fraction ``rate`` (0..1) of the calls of ``methods``
        ``seconds`` late, like ``delay_next(then_accept=True)``: the call IS executed (the
        message stored...) and the call's ``late`` is set, so a client with a shorter timeout
        sees ``TimedOut`` although the message exists.

        Replaces any earlier random-timeout rule of these methods; ``rate`` 0 removes it, and
        ``stop_failing()`` removes every rule. A call answered by an injected fault is never
        also late; ``delay_next`` delays come first."""
        names = self._rule_methods(methods, rate)
        rule = RandomRule(rate=rate, rng=random.Random(seed), seconds=seconds)
        with self._lock:
            for name in names:
                if rate > 0:
                    self._random_timeouts[name] = rule
                else:
                    self._random_timeouts.pop(name, None)

    def stop_failing(self) -> None:
        """Remove every injected fault: random rules, and pending ``fail_next``/``delay_next``."""
        with self._lock:
            self._random_faults.clear()
            self._random_timeouts.clear()
            self._faults.clear()
            self._delays.clear()

    # ---- internals -----------------------------------------------------------------------------

    def _method_name(self, method: str) -> str:
        return self._canonical.get(method.lower(), method)

    def _rule_methods(self, methods: Iterable[str], rate: float) -> list[str]:
        if isinstance(methods, str):
            raise TypeError("methods must be a collection of method names, not one string")
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be between 0 and 1, not {rate!r}")
        return [self._method_name(method) for method in methods]

    def _take_delay(self, method: str) -> Delay | None:
        with self._lock:
            for delay in self._delays:
                if delay.method == method:
                    delay.remaining -= 1
                    if delay.remaining <= 0:
                        self._delays.remove(delay)
                    return delay
        return None

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        """The fault answering this call, if any: a queued ``fail_next`` one first, else a random
        draw. Must be called with the lock held."""
        for fault in self._faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and not same_chat(params.get("chat_id"), fault.chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        rule = self._random_faults.get(method)
        if rule is None or rule.rng.random() >= rule.rate:
            return None
        code = rule.rng.choice(rule.codes)
        retry_after = rule.retry_after if code == 429 else None
        return Fault(method, code, default_description(code, retry_after), retry_after, 1, None)

    def _roll_timeout(self, method: str) -> float | None:
        """Seconds to hold the answer back by, if a ``time_out_randomly`` draw says so."""
        with self._lock:
            rule = self._random_timeouts.get(method)
            if rule is None or rule.rng.random() >= rule.rate:
                return None
            return rule.seconds
