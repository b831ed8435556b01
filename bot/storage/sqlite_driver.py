"""SQLAlchemy's aiosqlite dialect, with one trip to the connection's thread per statement.

aiosqlite runs each SQLite connection in a thread of its own; every call crosses to it and back (a queue, a
future, a wake-up of the event loop). SQLAlchemy's adapter makes four such trips for one statement: open a
cursor, execute, fetch the rows, close the cursor. Here one function does all four in the thread, and the
adapter keeps what it returned (description, rows, rowcount, lastrowid): the same SQL, the same transactions
and the same errors, for a quarter of the crossings (measured with `python -m tools.bench_load`).

Transactions begin with `BEGIN IMMEDIATE` (SQLite's write lock taken at once: see `engine._begin_immediate`),
sent in the same trip as the transaction's first statement rather than as a statement of its own through
SQLAlchemy: one trip and one statement fewer per transaction. A transaction with no statement begins
nothing, and its commit or rollback has nothing to end.

`Store.open` uses it for `sqlite+aiosqlite` URLs (registered as the driver `sqlite+aiguilleur`); server-side
cursors (`stream`) keep SQLAlchemy's own (a pending BEGIN is sent before one is opened).
"""

from __future__ import annotations

import collections
import sqlite3
import threading
from typing import Any, cast

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

DRIVER = "aiguilleur"

_Result = tuple[Any, list[Any], int, int | None]
BEGIN = "BEGIN IMMEDIATE"


def _begin(connection: sqlite3.Connection) -> None:
    connection.execute(BEGIN).close()


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Result:
    """In the connection's thread: a statement executed, its rows fetched, its cursor closed."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _after_begin(connection: sqlite3.Connection, operation: str, function_and_parameters: Any) -> _Result:
    """`BEGIN IMMEDIATE`, then the transaction's first statement, in one trip."""
    function, parameters = function_and_parameters
    _begin(connection)
    result: _Result = function(connection, operation, parameters)
    return result


def _counted(adapted: OneTripConnection, function: Any, *args: Any) -> _Result:
    """In the connection's thread: `function`, then one more statement finished there (see `rollback`)."""
    try:
        result: _Result = function(*args)
        return result
    finally:
        adapted.finished += 1  # written by this thread only, as `sent` by the event loop's: no update lost


def _executemany(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that holds one statement's results, fetched in the same trip as its execution."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor opened in the thread: nothing to await
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # SQLAlchemy's close() skips a cursor never opened
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # None before an INSERT, as sqlite3 says

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _run(self, function: Any, operation: Any, parameters: Any) -> None:
        adapt_connection = cast(OneTripConnection, self._adapt_connection)
        async with adapt_connection._execute_mutex:
            aiosqlite_connection = self._connection
            begin, adapt_connection.begin_pending = adapt_connection.begin_pending, False
            adapt_connection.sent += 1
            try:
                result: _Result = await aiosqlite_connection._execute(
                    _counted,
                    adapt_connection,
                    _after_begin if begin else function,
                    aiosqlite_connection._conn,
                    operation,
                    (function, parameters) if begin else parameters,
                )
            except ValueError:  # closed: never queued, so never finished in the thread
                adapt_connection.sent -= 1
                raise
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._run(_execute, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run(_executemany, operation, seq_of_parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _async_soft_close(self) -> None:
        return None  # closed in the thread already

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """`begin_pending`: a transaction was begun and no statement has been sent in it yet. `sent - finished`:
    the statements queued for the connection's thread and not finished there (one of a task cancelled while
    it waited may still run)."""

    __slots__ = ("begin_pending", "finished", "sent")
    begin_pending: bool
    finished: int
    sent: int
    _cursor_cls = OneTripCursor

    def begin_immediate(self) -> None:
        self.begin_pending = True

    def cursor(self, server_side: bool = False) -> Any:
        """A server-side cursor (`stream`) is SQLAlchemy's own, which knows nothing of a pending BEGIN: it is
        sent first, in a trip of its own, so a streamed statement is never outside its transaction."""
        if server_side and self.begin_pending:
            self.begin_pending = False
            try:
                await_(self._connection._execute(_begin, self._connection._conn))
            except Exception as error:
                self._handle_exception(error)
        return super().cursor(server_side)

    def _terminate_force_close(self) -> None:
        """How SQLAlchemy ends a connection it lost track of (one garbage-collected while checked out, when a
        task was cancelled in the middle). aiosqlite's `stop()` makes a future on `asyncio.get_event_loop()`,
        which outside a running loop can be a loop already closed: the connection's thread then dies on "Event
        loop is closed" as it answers. Called from a thread with no event loop, `stop()` makes no future, and
        the connection's thread just closes the SQLite connection and ends."""
        stopper = threading.Thread(target=self._connection.stop, name="aiosqlite-stop")
        stopper.start()
        stopper.join()

    def commit(self) -> None:
        if self.begin_pending:  # nothing was sent: nothing was begun
            self.begin_pending = False
            return
        super().commit()

    def rollback(self) -> None:
        """SQLAlchemy rolls back every connection it takes back, after a commit too: with no transaction open
        and no statement on its way that could open one, there is nothing to roll back, and no trip is made
        (sqlite3's own `rollback()` does nothing then either). A statement still on its way (its task was
        cancelled) gets the rollback queued behind it, as before."""
        if self.begin_pending:
            self.begin_pending = False
            return
        if self.sent == self.finished and not self._in_transaction():
            return
        super().rollback()

    def _in_transaction(self) -> bool:
        connection = self._connection._connection  # None once closed: then aiosqlite's own path decides
        return connection is None or connection.in_transaction


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = super().connect(*arg, **kw)
        adapted = OneTripConnection(self, connection._connection)
        adapted.begin_pending = False
        adapted.sent = adapted.finished = 0
        return adapted


class OneTripDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True

    def do_begin(self, dbapi_connection: Any) -> None:
        """`BEGIN IMMEDIATE` goes with the transaction's first statement (see the module's docstring)."""
        dbapi_connection.begin_immediate()

    @classmethod
    def import_dbapi(cls) -> OneTripDBAPI:
        return OneTripDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "OneTripDialect")
