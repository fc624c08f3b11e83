"""Writing from a request that has been reading.

SQLite in WAL mode cannot turn a read transaction into a write once another connection has
written since the read began: it fails at once ("database is locked") rather than waiting. A
request that reads and then writes (a session's last-seen time, a recorded read, a statistics
snapshot) first ends its read and opens a transaction that takes the write lock up front
(BEGIN IMMEDIATE), which waits its turn. On PostgreSQL this is an ordinary new transaction.
"""

from __future__ import annotations

from sqlmodel import Session


def begin_write(session: Session) -> None:
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
