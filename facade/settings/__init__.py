"""Settings: one frozen value object, read from the environment at one entry point.

`Settings.from_env(environ)` reports every bad value in one `ConfigError`, naming the variable and
never its value. Secrets are wrapped in `Secret`, whose repr is masked.
"""

import dataclasses
import enum
import logging
import pathlib
import re
import tomllib
import types
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from facade.errors import ConfigError
from facade.settings.values import Secret, ValueReader
from facade.upstream.config import DEFAULT_POLL_ANSWERS, DEFAULT_POLL_JOBS

DEFAULT_BASE_URL: Final = "https://smsc.ru"
DEFAULT_UPSTREAM_FMT: Final = 3
DEFAULT_DATA_DIR: Final = ".facade"
DEFAULT_LOG_LEVEL: Final = "INFO"
# Idempotency records (facade.upstream.idempotency): kept this long, as Stripe keeps its keys.
DEFAULT_IDEMPOTENCY_TTL_HOURS: Final = 24.0
MAX_IDEMPOTENCY_TTL_HOURS: Final = 24.0 * 365
# A job creation whose answer was lost and that SMSC's list lacks this long after it began is
# taken as never made: longer than a request can travel (the transport's deadline is 30 s).
DEFAULT_IDEMPOTENCY_SETTLE_SECONDS: Final = 60.0
# Seconds a cached read stays fresh, per SMSC command: the one table of TTLs. At SMSC's budget of
# 2 identical requests a minute (1 on jobs.php) a shorter TTL could not be refreshed anyway.
CACHE_TTLS: Final[Mapping[str, float]] = {
    "templates.get": 300.0,
    "jobs.get_all": 60.0,
    "jobs.get": 60.0,
    "phones.get": 120.0,
    "phones.get_group": 120.0,
    "phones.get_black": 300.0,
    "get.get_answers": 30.0,
    # A message's status changes while it travels: as often as status.php's budget allows.
    "status.get": 30.0,
    "balance.get": 60.0,
    "send.cost": 300.0,
    "downloads.get_list": 60.0,
    # Files are never cached (SmscClient.download_file): REST's file GET says max-age=0.
    "downloads.get_file": 0.0,
}
# The account configured by SMSC_LOGIN/SMSC_PASSWORD or SMSC_APIKEY, and the one tokens get by default.
DEFAULT_ACCOUNT: Final = "default"
ACCOUNT_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
# Sandbox mode's emulator account (DESIGN.md, "Operational details").
SANDBOX_LOGIN: Final = "demo"
SANDBOX_PASSWORD: Final = "demo"  # noqa: S105 - the emulator's public demo account


class LogFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SmscAccount:
    """Where and as whom the facade talks to SMSC."""

    base_url: str
    backup_urls: tuple[str, ...]
    login: Secret | None = None
    password: Secret | None = None
    apikey: Secret | None = None
    # SMSC's callbacks: the secret path segment of `POST /smsc/callback/{key}` that names this
    # account, and the secret of the checksum SMSC adds (`md5`/`sha1`), each when configured.
    callback_key: Secret | None = None
    callback_secret: Secret | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the service reads from the environment.

    `accounts` names the SMSC accounts: `default` from SMSC_LOGIN/SMSC_PASSWORD or SMSC_APIKEY,
    the others from FACADE_ACCOUNTS_FILE. None at all is sandbox mode. GraphiQL and introspection
    default to on in sandbox mode and off otherwise; GraphQL queries over GET are off unless
    FACADE_GRAPHQL_GET turns them on.
    """

    accounts: Mapping[str, SmscAccount] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({})
    )
    upstream_fmt: int = DEFAULT_UPSTREAM_FMT
    data_dir: pathlib.Path = pathlib.Path(DEFAULT_DATA_DIR)
    log_level: str = DEFAULT_LOG_LEVEL
    log_format: LogFormat = LogFormat.TEXT
    cors_origins: tuple[str, ...] = ()
    graphiql: bool = True
    introspection: bool = True
    graphql_get: bool = False
    shutdown_timeout: float = 20.0  # seconds in-flight requests get after SIGTERM
    idempotency_ttl: float = DEFAULT_IDEMPOTENCY_TTL_HOURS * 3600.0  # seconds a record is kept
    idempotency_settle_after: float = DEFAULT_IDEMPOTENCY_SETTLE_SECONDS
    # Live updates: seconds between polls, never less than SMSC's budget allows (the defaults).
    poll_answers_seconds: float = DEFAULT_POLL_ANSWERS
    poll_jobs_seconds: float = DEFAULT_POLL_JOBS
    # Scale-out: Redis shared by the replicas (its URL may hold a password: a secret), and how
    # many replicas there are at most, which divides SMSC's limits when Redis is unreachable.
    redis_url: Secret | None = None
    replicas: int = 1
    # Persisted GraphQL documents (facade/graphql/persisted.py): a manifest, and whether only
    # its documents may run (the production allow-list).
    persisted_documents: pathlib.Path | None = None
    persisted_only: bool = False
    # The service's public base URL (FACADE_PUBLIC_URL): the only source of the absolute URLs it
    # writes; without it they are relative. Never the request's Host.
    public_url: str | None = None

    @property
    def sandbox(self) -> bool:
        """No SMSC credentials configured: the embedded emulator serves as SMSC."""
        return not self.accounts

    @property
    def account(self) -> SmscAccount | None:
        """The default account (SMSC_LOGIN/SMSC_PASSWORD or SMSC_APIKEY), if configured."""
        return self.accounts.get(DEFAULT_ACCOUNT)

    @property
    def account_names(self) -> tuple[str, ...]:
        """The accounts a client token may be bound to (sandbox mode: the emulator's one)."""
        return tuple(self.accounts) or (DEFAULT_ACCOUNT,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        reader = _Reader(environ)
        accounts = reader.accounts()
        sandbox = not accounts
        settings = cls(
            accounts=types.MappingProxyType(accounts),
            upstream_fmt=int(reader.choice("FACADE_UPSTREAM_FMT", ("0", "1", "2", "3"), "3")),
            data_dir=pathlib.Path(environ.get("FACADE_DATA_DIR") or DEFAULT_DATA_DIR),
            log_level=reader.log_level(),
            log_format=LogFormat(reader.choice("FACADE_LOG_FORMAT", ("text", "json"), "text")),
            cors_origins=reader.origins(),
            graphiql=reader.flag("FACADE_GRAPHIQL", default=sandbox),
            introspection=reader.flag("FACADE_INTROSPECTION", default=sandbox),
            graphql_get=reader.flag("FACADE_GRAPHQL_GET", default=False),
            shutdown_timeout=reader.seconds("FACADE_SHUTDOWN_SECONDS", 20.0, maximum=600.0),
            idempotency_ttl=reader.hours(
                "FACADE_IDEMPOTENCY_TTL_HOURS",
                DEFAULT_IDEMPOTENCY_TTL_HOURS,
                maximum=MAX_IDEMPOTENCY_TTL_HOURS,
            )
            * 3600.0,
            idempotency_settle_after=reader.seconds(
                "FACADE_IDEMPOTENCY_SETTLE_SECONDS",
                DEFAULT_IDEMPOTENCY_SETTLE_SECONDS,
                maximum=3600.0,
            ),
            poll_answers_seconds=reader.seconds(
                "FACADE_POLL_ANSWERS_SECONDS",
                DEFAULT_POLL_ANSWERS,
                minimum=DEFAULT_POLL_ANSWERS,
                maximum=3600.0,
            ),
            poll_jobs_seconds=reader.seconds(
                "FACADE_POLL_JOBS_SECONDS",
                DEFAULT_POLL_JOBS,
                minimum=DEFAULT_POLL_JOBS,
                maximum=3600.0,
            ),
            redis_url=reader.redis_url(),
            replicas=reader.count("FACADE_REPLICAS", 1, maximum=64),
            persisted_documents=reader.manifest("FACADE_PERSISTED_DOCUMENTS"),
            persisted_only=reader.flag("FACADE_PERSISTED_ONLY", default=False),
            public_url=reader.public_url("FACADE_PUBLIC_URL"),
        )
        if settings.persisted_only and settings.persisted_documents is None:
            reader.problems.append("FACADE_PERSISTED_ONLY needs FACADE_PERSISTED_DOCUMENTS")
        if reader.problems:
            raise ConfigError(reader.problems)
        return settings


def default_backup_urls(base_url: str) -> tuple[str, ...]:
    """SMSC's backup host is the `www2.` variant of the main one (smsc-api-notes.md §1.1)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if not host or host.startswith("www2.") or host in {"localhost", "127.0.0.1", "::1"}:
        return ()
    bare = host.removeprefix("www.")
    netloc = f"www2.{bare}" + (f":{parts.port}" if parts.port else "")
    return (urlunsplit((parts.scheme, netloc, parts.path, "", "")),)


_ENV_NAMES: Final = {
    "login": "SMSC_LOGIN",
    "password": "SMSC_PASSWORD",
    "apikey": "SMSC_APIKEY",
    "base_url": "SMSC_BASE_URL",
    "backup_urls": "SMSC_BACKUP_URLS",
    "callback_key": "FACADE_SMSC_CALLBACK_KEY",
    "callback_secret": "FACADE_SMSC_CALLBACK_SECRET",
}
# A callback key is a long secret in a URL path: at least 32 URL-safe characters.
CALLBACK_KEY: Final = re.compile(r"[A-Za-z0-9_-]{32,256}")
_CALLBACK_SECRETS: Final = ("callback_key", "callback_secret")


class _Reader(ValueReader):
    """The SMSC accounts: from SMSC_* variables and FACADE_ACCOUNTS_FILE."""

    def accounts(self) -> dict[str, SmscAccount]:
        accounts: dict[str, SmscAccount] = {}
        default = self.account()
        if default is not None:
            accounts[DEFAULT_ACCOUNT] = default
        path = self.environ.get("FACADE_ACCOUNTS_FILE")
        if path:
            for name, account in self.accounts_file(path).items():
                if name in accounts:
                    self.problems.append(
                        f"FACADE_ACCOUNTS_FILE: account {name!r} is also configured by SMSC_* "
                        "variables; rename it"
                    )
                else:
                    accounts[name] = account
        keys = [a.callback_key.reveal() for a in accounts.values() if a.callback_key is not None]
        if len(keys) != len(set(keys)):
            self.problems.append("two accounts share a callback key; give each its own")
        return accounts

    def accounts_file(self, path: str) -> dict[str, SmscAccount]:
        """`[accounts.NAME]` tables; credentials as `{ env = "VAR" }` or `{ file = "PATH" }`."""
        try:
            with pathlib.Path(path).open("rb") as file:
                document = tomllib.load(file)
        except OSError as exc:
            self.problems.append(f"FACADE_ACCOUNTS_FILE: cannot read the file ({exc.strerror})")
            return {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            # tomllib's messages name a position and never quote the document.
            reason = str(exc) if isinstance(exc, tomllib.TOMLDecodeError) else "not UTF-8"
            self.problems.append(f"FACADE_ACCOUNTS_FILE: not valid TOML ({reason})")
            return {}
        unknown = sorted(set(document) - {"accounts"})
        if unknown:
            self.problems.append(f"FACADE_ACCOUNTS_FILE: unknown top-level keys {unknown}")
        tables = document.get("accounts", {})
        if not isinstance(tables, dict) or not tables:
            self.problems.append("FACADE_ACCOUNTS_FILE: expected one or more [accounts.NAME]")
            return {}
        accounts: dict[str, SmscAccount] = {}
        for name, table in tables.items():
            where = f"FACADE_ACCOUNTS_FILE: accounts.{name}"
            if not ACCOUNT_NAME.fullmatch(name):
                self.problems.append(
                    f"FACADE_ACCOUNTS_FILE: account names are 1-32 of a-z, 0-9, _ and - "
                    f"(got one of {len(name)} characters)"
                )
                continue
            if not isinstance(table, dict):
                self.problems.append(f"{where}: expected a table")
                continue
            account = self.file_account(where, table)
            if account is not None:
                accounts[name] = account
        return accounts

    def file_account(self, where: str, table: dict[str, Any]) -> SmscAccount | None:
        known = {"login", "password", "apikey", "base_url", "backup_urls", *_CALLBACK_SECRETS}
        unknown = sorted(set(table) - known)
        if unknown:
            self.problems.append(f"{where}: unknown keys {unknown}")
        secrets = {
            key: self.reference(f"{where}.{key}", table[key])
            for key in ("login", "password", "apikey", *_CALLBACK_SECRETS)
            if key in table
        }
        base_url = table.get("base_url", DEFAULT_BASE_URL)
        backup_urls = table.get("backup_urls", [])
        if not isinstance(base_url, str):
            self.problems.append(f"{where}.base_url: expected a string")
            return None
        if not isinstance(backup_urls, list) or not all(isinstance(u, str) for u in backup_urls):
            self.problems.append(f"{where}.backup_urls: expected a list of strings")
            return None
        return self.make_account(
            where,
            login=secrets.get("login"),
            password=secrets.get("password"),
            apikey=secrets.get("apikey"),
            base_url=base_url,
            backup_urls=backup_urls,
            callback_key=secrets.get("callback_key"),
            callback_secret=secrets.get("callback_secret"),
        )

    def reference(self, where: str, value: object) -> Secret | None:
        """A credential by reference: `{ env = "VAR" }` or `{ file = "PATH" }`, never inline."""
        if isinstance(value, str):
            self.problems.append(
                f'{where}: credentials are never written inline; use {{ env = "VAR" }} or '
                '{ file = "PATH" }'
            )
            return None
        if not isinstance(value, dict) or len(value) != 1 or not (set(value) & {"env", "file"}):
            self.problems.append(f'{where}: expected {{ env = "VAR" }} or {{ file = "PATH" }}')
            return None
        ((kind, target),) = value.items()
        if not isinstance(target, str) or not target:
            self.problems.append(f"{where}.{kind}: expected a non-empty string")
            return None
        if kind == "file":
            return self.secret_file(f"{where}.file", target)
        secret = self.environ.get(target)
        if not secret:
            self.problems.append(f"{where}: the variable {target} is not set")
            return None
        return Secret(secret)

    def account(self) -> SmscAccount | None:
        """The default account, from SMSC_* variables."""
        login = self.secret("SMSC_LOGIN")
        password = self.secret("SMSC_PASSWORD")
        apikey = self.secret("SMSC_APIKEY")
        if login is None and password is None and apikey is None:
            # Still checked: a typo in them should not wait for the day credentials are set.
            self.url("SMSC_BASE_URL", self.environ.get("SMSC_BASE_URL") or DEFAULT_BASE_URL)
            for raw in filter(str.strip, (self.environ.get("SMSC_BACKUP_URLS") or "").split(",")):
                self.url("SMSC_BACKUP_URLS", raw)
            for variable in ("FACADE_SMSC_CALLBACK_KEY", "FACADE_SMSC_CALLBACK_SECRET"):
                if self.environ.get(variable):
                    self.problems.append(
                        f"{variable} is set without SMSC credentials (sandbox mode makes its own)"
                    )
            return None
        return self.make_account(
            "SMSC",
            login=login,
            password=password,
            apikey=apikey,
            base_url=self.environ.get("SMSC_BASE_URL") or DEFAULT_BASE_URL,
            backup_urls=(self.environ.get("SMSC_BACKUP_URLS") or "").split(","),
            names=_ENV_NAMES,
            callback_key=self.secret("FACADE_SMSC_CALLBACK_KEY"),
            callback_secret=self.secret("FACADE_SMSC_CALLBACK_SECRET"),
        )

    def make_account(
        self,
        where: str,
        *,
        login: Secret | None,
        password: Secret | None,
        apikey: Secret | None,
        base_url: str,
        backup_urls: Iterable[str],
        names: Mapping[str, str] | None = None,
        callback_key: Secret | None = None,
        callback_secret: Secret | None = None,
    ) -> SmscAccount | None:
        """`where` prefixes problems (`FACADE_ACCOUNTS_FILE: accounts.m`); `names` gives the
        variables of the SMSC_* account instead."""
        prefix, _, table = where.rpartition(": ")
        name = dict(names or {key: f"{table}.{key}" for key in _ENV_NAMES})
        lead = f"{prefix}: " if names is None and prefix else ""
        url = self.url(lead + name["base_url"], base_url)
        backups = [
            backup
            for raw in backup_urls
            if raw.strip() and (backup := self.url(lead + name["backup_urls"], raw)) is not None
        ]
        if apikey is not None and (login is not None or password is not None):
            self.problems.append(
                f"{lead}{name['apikey']} and {name['login']}/{name['password']} are both set; "
                "set one"
            )
        elif apikey is None and (login is None or password is None):
            missing = name["password"] if login is not None else name["login"]
            self.problems.append(
                f"{lead}{missing} is missing ({name['login']} and {name['password']} go together)"
            )
        if callback_key is not None and not CALLBACK_KEY.fullmatch(callback_key.reveal()):
            self.problems.append(
                f"{lead}{name['callback_key']}: expected 32-256 of A-Z, a-z, 0-9, _ and - "
                "(a long random secret: it is the callback URL's only protection)"
            )
            callback_key = None
        if callback_secret is not None and callback_key is None:
            self.problems.append(
                f"{lead}{name['callback_secret']} is set without {name['callback_key']}"
            )
        if url is None:
            return None
        return SmscAccount(
            base_url=url,
            backup_urls=tuple(backups) or default_backup_urls(url),
            login=login,
            password=password,
            apikey=apikey,
            callback_key=callback_key,
            callback_secret=callback_secret,
        )

    def log_level(self) -> str:
        value = (self.environ.get("FACADE_LOG_LEVEL") or DEFAULT_LOG_LEVEL).strip().upper()
        if value not in logging.getLevelNamesMapping():
            self.problems.append(
                "FACADE_LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
            )
            return DEFAULT_LOG_LEVEL
        return value
