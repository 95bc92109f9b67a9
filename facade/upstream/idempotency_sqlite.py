"""Idempotency records in one SQLite file, `idempotency.sqlite3` under the data directory.

The records outlive everything but the disk: WAL and `synchronous = FULL`, so a claim is on disk
before the request it guards is sent, and neither a restart nor the loss of Redis (whose data a
restart, a flush, a failover or an eviction may take) can make a used key look new. Replicas share
the file the way they share the token store: one data directory on one host's volume. A store
made with a `lease` gives each claim `Record.leased_until`, so that a replica takes another's run
for alive until its lease ends; without one, only this process's runs are alive (one replica).
Each file has a random `store_id`, which replicas compare to find out that they do not share it.

Statements run in a worker thread, one at a time, so that a commit's fsync never holds up the
event loop; SQLite's failures there are `StoreUnavailable`. The directory is made 0700 and the
file 0600.
"""

import contextlib
import os
import pathlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Final, Self, TypeVar

import anyio.to_thread

from facade.errors import ConfigError
from facade.upstream.idempotency import Record, State, StoreUnavailable

T = TypeVar("T")

SCHEMA_VERSION: Final = 2
_SCHEMA_V1: Final = (
    # key: SHA-256 of (account, client, idempotency key); response: the API's stored answer.
    """CREATE TABLE records (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL,
        owner TEXT NOT NULL,
        marker TEXT,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        response BLOB
    ) STRICT""",
    "CREATE INDEX records_by_expiry ON records (expires_at)",
)
# Version 2: leases (replicas sharing the file), and the file's own random id.
_SCHEMA_V2: Final = (
    "ALTER TABLE records ADD COLUMN leased_until REAL",
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
)
_MIGRATIONS: Final = {0: _SCHEMA_V1 + _SCHEMA_V2, 1: _SCHEMA_V2}
# Every statement spelled out: no SQL is built from strings. An expired record is replaced as if
# absent; a live one is left alone (and read back).
_CLAIM: Final = """INSERT INTO records
    (key, fingerprint, state, owner, marker, created_at, expires_at, response, leased_until)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, state = excluded.state,
        owner = excluded.owner, marker = excluded.marker, created_at = excluded.created_at,
        expires_at = excluded.expires_at, response = excluded.response,
        leased_until = excluded.leased_until
    WHERE records.expires_at <= excluded.created_at"""
_SELECT: Final = """SELECT key, fingerprint, state, owner, marker, created_at, expires_at, response,
    leased_until FROM records WHERE key = ?"""
_UPDATE: Final = """UPDATE records SET state = ?, response = ?
    WHERE key = ? AND state = ? AND owner = ?"""
_RELEASE: Final = "DELETE FROM records WHERE key = ? AND owner = ? AND state = ?"
_SWEEP: Final = "DELETE FROM records WHERE expires_at <= ?"
_STORE_ID: Final = "SELECT value FROM meta WHERE name = 'store_id'"
_NEW_STORE_ID: Final = "INSERT INTO meta (name, value) VALUES ('store_id', ?)"

_Row = tuple[str, str, str, str, str | None, float, float, bytes | None, float | None]


class SqliteIdempotencyStore:
    """`IdempotencyStore` on SQLite; safe between threads and between processes."""

    FILE_NAME: Final = "idempotency.sqlite3"

    def __init__(
        self,
        path: pathlib.Path,
        *,
        lease: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lease is not None and lease <= 0:
            raise ValueError("lease must be positive")
        self.path = path
        self._lease = lease
        self._clock = clock
        self._lock = threading.Lock()
        try:
            _create_private(path)
        except OSError as exc:
            raise ConfigError(
                [f"{path}: cannot create the idempotency store ({exc.strerror})"]
            ) from exc
        # Autocommit (isolation_level=None): each statement is its own transaction.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._migrate()
            self._sweep()
            (self.store_id,) = self._db.execute(_STORE_ID).fetchone()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ConfigError([f"{path}: cannot open the idempotency store ({exc})"]) from exc
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def in_dir(
        cls,
        data_dir: pathlib.Path,
        *,
        lease: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Self:
        return cls(data_dir / cls.FILE_NAME, lease=lease, clock=clock)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    async def aclose(self) -> None:
        self.close()

    async def claim(self, record: Record) -> Record | None:
        return await self._call(self._claim, record)

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        def update() -> bool:
            with self._transaction() as db:
                cursor = db.execute(_UPDATE, (state.value, response, key, *expected))
                return cursor.rowcount == 1

        return await self._call(update)

    async def release(self, key: str, owner: str) -> bool:
        def release() -> bool:
            with self._transaction() as db:
                cursor = db.execute(_RELEASE, (key, owner, State.IN_PROGRESS.value))
                return cursor.rowcount == 1

        return await self._call(release)

    async def sweep(self) -> int:
        return await self._call(self._sweep)

    async def get(self, key: str) -> Record | None:
        """The live record of `key`, if any (for tests and operators)."""

        def get() -> Record | None:
            with self._lock:
                row: _Row | None = self._db.execute(_SELECT, (key,)).fetchone()
            if row is None or row[6] <= self._clock():
                return None
            return _record(row)

        return await self._call(get)

    def _claim(self, record: Record) -> Record | None:
        leased_until = record.leased_until
        if leased_until is None and self._lease is not None:
            leased_until = record.created_at + self._lease
        values = (
            record.key,
            record.fingerprint,
            record.state.value,
            record.owner,
            record.marker,
            record.created_at,
            record.expires_at,
            record.response,
            leased_until,
        )
        with self._transaction() as db:
            if db.execute(_CLAIM, values).rowcount == 1:
                return None
            row: _Row = db.execute(_SELECT, (record.key,)).fetchone()
        return _record(row)

    def _sweep(self) -> int:
        with self._transaction() as db:
            return db.execute(_SWEEP, (self._clock(),)).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        # Not abandoned on cancellation: a statement that started finishes, and is waited for.
        try:
            return await anyio.to_thread.run_sync(function, *args)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the idempotency store failed: {type(exc).__name__}") from exc

    def _migrate(self) -> None:
        with self._transaction() as db:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version == SCHEMA_VERSION:
                return
            if version not in _MIGRATIONS:
                raise sqlite3.DatabaseError(f"unknown schema version {version}")
            for statement in _MIGRATIONS[version]:
                db.execute(statement)
            db.execute(_NEW_STORE_ID, (secrets.token_hex(16),))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _record(row: _Row) -> Record:
    key, fingerprint, state, owner, marker, created_at, expires_at, response, leased_until = row
    return Record(
        key=key,
        fingerprint=fingerprint,
        state=State(state),
        owner=owner,
        marker=marker,
        created_at=created_at,
        expires_at=expires_at,
        response=response,
        leased_until=leased_until,
    )


def _create_private(path: pathlib.Path) -> None:
    """The directory 0700 and the file 0600 when this creates them (chmod: the umask may differ)."""
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    path.chmod(0o600)
