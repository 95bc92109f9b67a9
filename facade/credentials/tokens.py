"""The client-token store: issues tokens, keeps only their SHA-256 digests in SQLite, verifies them.

`verify` is on every request's path, so it answers from an in-memory index and goes back to the
database only when another connection (the `facade token` command) has committed a change.
"""

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import os
import pathlib
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Self

from facade.credentials.scopes import Principal, Scope, effective
from facade.credentials.token_format import TOKEN_BYTES, TOKEN_PATTERN, TOKEN_PREFIX
from facade.errors import AuthError, ConfigError, InputError

NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_LIVE_PER_NAME: Final = 2  # the one in use and its replacement, during a rotation
MAX_EXPIRES_DAYS: Final = 3650.0
SCHEMA_VERSION: Final = 1
# One message for unknown, revoked and expired tokens: a caller learns nothing about which.
AUTH_FAILED: Final = "The bearer token is unknown, revoked or expired."

_DAY: Final = 86400.0
# Every statement spelled out: no SQL is built from strings.
_COUNT_LIVE: Final = """SELECT count(*) FROM tokens WHERE name = :name
    AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)"""
_SELECT_LIVE: Final = """SELECT key_id, name, scopes, account, created_at, expires_at, revoked_at
    FROM tokens WHERE name = :name AND (:key_id IS NULL OR key_id = :key_id)
    AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now) ORDER BY created_at"""
_SELECT_ALL: Final = """SELECT key_id, name, scopes, account, created_at, expires_at, revoked_at
    FROM tokens ORDER BY name, created_at, key_id"""
_SELECT_INDEX: Final = """SELECT digest, key_id, name, scopes, account, created_at, expires_at,
    revoked_at FROM tokens WHERE revoked_at IS NULL"""
_INSERT: Final = """INSERT INTO tokens
    (digest, key_id, name, scopes, account, created_at, expires_at, revoked_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
_REVOKE: Final = "UPDATE tokens SET revoked_at = ? WHERE key_id = ?"
_SCHEMA: Final = (
    # digest: SHA-256 of the whole token; the only trace of the token the file holds.
    """CREATE TABLE tokens (
        key_id TEXT PRIMARY KEY,
        digest BLOB NOT NULL UNIQUE,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        account TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL,
        revoked_at REAL
    ) STRICT""",
    "CREATE INDEX tokens_by_name ON tokens (name, created_at)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
_Row = tuple[str, str, str, str, float, float | None, float | None]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TokenRecord:
    """What the store knows about one token: never the token itself."""

    key_id: str  # random and public ("k_" + 12 hex), unrelated to the token
    name: str
    scopes: frozenset[Scope]  # as granted, with the scopes each one includes
    account: str
    created_at: float  # unix seconds
    expires_at: float | None
    revoked_at: float | None

    def status(self, now: float) -> str:
        """`live`, `expired` or `revoked` (a revoked token stays revoked once it also expires)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "live"

    @property
    def scope_names(self) -> list[str]:
        """The scopes in the order they include each other (`read`, `write`, `admin`)."""
        return [scope.value for scope in Scope if scope in self.scopes]


@dataclasses.dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once, never stored
    record: TokenRecord


class TokenStore:
    """Client tokens in one SQLite file; safe to share between threads and between processes."""

    FILE_NAME: Final = "tokens.sqlite3"

    def __init__(self, path: pathlib.Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        # digest -> (the digest as stored, its record): live and expired tokens, not revoked ones.
        self._index: dict[bytes, tuple[bytes, TokenRecord]] = {}
        self._by_key: dict[str, TokenRecord] = {}  # the same records, by key id
        self._data_version = -1
        try:
            _create_private(path)
        except OSError as exc:
            raise ConfigError([f"{path}: cannot create the token store ({exc.strerror})"]) from exc
        # Autocommit (isolation_level=None): transactions are explicit, BEGIN IMMEDIATE for writes.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            # WAL: verify never waits for `facade token` writing. SQLite gives the -wal and -shm
            # files the database file's mode (0600).
            self._db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ConfigError([f"{path}: cannot open the token store ({exc})"]) from exc
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def in_dir(cls, data_dir: pathlib.Path, *, clock: Callable[[], float] = time.time) -> Self:
        return cls(data_dir / cls.FILE_NAME, clock=clock)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def issue(
        self,
        name: str,
        *,
        scopes: Iterable[Scope],
        account: str,
        expires_days: float | None = None,
    ) -> IssuedToken:
        """A new token for client `name`; at most two are live per name, so rotation is possible."""
        _check_name(name)
        granted = effective(_scopes(scopes))
        if not granted:
            raise InputError("scopes", "give at least one of read, write, admin")
        if not account:
            raise InputError("account", "must not be empty")
        if expires_days is not None and not 0 < expires_days <= MAX_EXPIRES_DAYS:
            raise InputError(
                "expires", f"expected more than 0 and at most {MAX_EXPIRES_DAYS:.0f} days"
            )
        token = TOKEN_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode(
            "ascii"
        ).rstrip("=")
        with self._writing():
            now = self._clock()
            (live,) = self._db.execute(_COUNT_LIVE, {"name": name, "now": now}).fetchone()
            if live >= MAX_LIVE_PER_NAME:
                raise InputError(
                    "name",
                    f"{name} already has two live tokens; revoke one first "
                    "(facade token revoke NAME --key KEY_ID)",
                )
            record = TokenRecord(
                key_id=self._new_key_id(),
                name=name,
                scopes=granted,
                account=account,
                created_at=now,
                expires_at=None if expires_days is None else now + expires_days * _DAY,
                revoked_at=None,
            )
            self._db.execute(_INSERT, (_digest(token), *_row(record)))
        return IssuedToken(token, record)

    def records(self) -> list[TokenRecord]:
        """Every token ever issued, revoked and expired ones included, by name then age."""
        with self._lock:
            rows = self._db.execute(_SELECT_ALL).fetchall()
        return [_record(row) for row in rows]

    def revoke(self, name: str, *, key_id: str | None = None) -> list[TokenRecord]:
        """Revoke the live tokens of `name` (only `key_id`, if given); returns those revoked now."""
        _check_name(name)
        with self._writing():
            now = self._clock()
            params = {"name": name, "key_id": key_id, "now": now}
            live = [_record(row) for row in self._db.execute(_SELECT_LIVE, params)]
            self._db.executemany(_REVOKE, [(now, record.key_id) for record in live])
        return [dataclasses.replace(record, revoked_at=now) for record in live]

    def verify(self, token: str) -> Principal:
        """The principal `token` stands for; AuthError, with the one message, if it stands for none."""
        if not TOKEN_PATTERN.fullmatch(token):
            raise AuthError(AUTH_FAILED)
        # A fast hash is right here: the token carries 256 random bits, so there is nothing to
        # guess and nothing a slow password hash (bcrypt, scrypt) would protect.
        digest = _digest(token)
        with self._lock:
            self._refresh()
            stored, record = self._index.get(digest, (b"", None))
        # The lookup finds the candidate; the comparison that decides runs in constant time.
        if record is None or not hmac.compare_digest(stored, digest):
            raise AuthError(AUTH_FAILED)
        if record.status(self._clock()) != "live":
            raise AuthError(AUTH_FAILED)
        return Principal(
            name=record.name, account=record.account, scopes=record.scopes, key_id=record.key_id
        )

    def is_live(self, key_id: str) -> bool:
        """Whether the token `key_id` names still verifies: neither revoked (here or by another
        process) nor expired. Connections opened with a token ask this while they stay open."""
        with self._lock:
            self._refresh()
            record = self._by_key.get(key_id)
        return record is not None and record.status(self._clock()) == "live"

    def _refresh(self) -> None:
        """Reload the index if another connection committed since it was loaded."""
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._load()

    def _load(self) -> None:
        # Both reads in one transaction, so the version names exactly the rows loaded.
        self._db.execute("BEGIN")
        try:
            (version,) = self._db.execute("PRAGMA data_version").fetchone()
            rows = self._db.execute(_SELECT_INDEX).fetchall()
        finally:
            self._db.execute("COMMIT")
        self._index = {row[0]: (row[0], _record(row[1:])) for row in rows}
        self._by_key = {record.key_id: record for _, record in self._index.values()}
        self._data_version = version

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction, under the lock; BEGIN IMMEDIATE takes the write lock up front,
        so two writers never deadlock upgrading read locks."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            # data_version does not move for this connection's own commits: reload explicitly.
            self._load()

    def _new_key_id(self) -> str:
        while True:
            key_id = "k_" + secrets.token_hex(6)
            if not self._db.execute("SELECT 1 FROM tokens WHERE key_id = ?", (key_id,)).fetchone():
                return key_id

    def _migrate(self) -> None:
        with self._writing():
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    [
                        f"{self.path}: the token store has schema version {version}; this facade "
                        f"knows versions up to {SCHEMA_VERSION} (upgrade the facade)"
                    ]
                )
            if version == 0:
                for statement in _SCHEMA:
                    self._db.execute(statement)


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


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii")).digest()


def _check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            "name",
            "expected 1-64 of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
        )


def _scopes(scopes: Iterable[Scope | str]) -> list[Scope]:
    try:
        return [Scope(scope) for scope in scopes]
    except ValueError as exc:
        raise InputError("scopes", "expected read, write or admin") from exc


def _row(record: TokenRecord) -> _Row:
    return (
        record.key_id,
        record.name,
        ",".join(record.scope_names),
        record.account,
        record.created_at,
        record.expires_at,
        record.revoked_at,
    )


def _record(row: _Row) -> TokenRecord:
    key_id, name, scopes, account, created_at, expires_at, revoked_at = row
    return TokenRecord(
        key_id=key_id,
        name=name,
        scopes=frozenset(Scope(scope) for scope in scopes.split(",")),
        account=account,
        created_at=created_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
