"""Settings: one frozen value object, read from the environment at one entry point.

`Settings.from_env(environ)` reports every bad value in one `ConfigError`, naming the variable and
never its value. Secrets are wrapped in `Secret`, whose repr is masked.
"""

import dataclasses
import enum
import logging
import pathlib
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from facade.errors import ConfigError

DEFAULT_BASE_URL: Final = "https://smsc.ru"
DEFAULT_UPSTREAM_FMT: Final = 3
DEFAULT_DATA_DIR: Final = ".facade"
DEFAULT_LOG_LEVEL: Final = "INFO"
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
    "downloads.get_list": 60.0,
    # Files are never cached (SmscClient.download_file): REST's file GET says max-age=0.
    "downloads.get_file": 0.0,
}
# Sandbox mode's emulator account (DESIGN.md, "Operational details").
SANDBOX_LOGIN: Final = "demo"
SANDBOX_PASSWORD: Final = "demo"  # noqa: S105 - the emulator's public demo account


class Secret:
    """A string that does not show itself in reprs, logs or tracebacks (cf. starlette Secret)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


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


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    account: SmscAccount | None
    upstream_fmt: int = DEFAULT_UPSTREAM_FMT
    data_dir: pathlib.Path = pathlib.Path(DEFAULT_DATA_DIR)
    log_level: str = DEFAULT_LOG_LEVEL
    log_format: LogFormat = LogFormat.TEXT
    cors_origins: tuple[str, ...] = ()
    graphiql: bool = True

    @property
    def sandbox(self) -> bool:
        """No SMSC credentials configured: the embedded emulator serves as SMSC."""
        return self.account is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        reader = _Reader(environ)
        account = reader.account()
        settings = cls(
            account=account,
            upstream_fmt=int(reader.choice("FACADE_UPSTREAM_FMT", ("0", "1", "2", "3"), "3")),
            data_dir=pathlib.Path(environ.get("FACADE_DATA_DIR") or DEFAULT_DATA_DIR),
            log_level=reader.log_level(),
            log_format=LogFormat(reader.choice("FACADE_LOG_FORMAT", ("text", "json"), "text")),
            cors_origins=reader.origins(),
            graphiql=reader.flag("FACADE_GRAPHIQL", default=True),
        )
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


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class _Reader:
    """Reads variables, collecting a problem for each bad one instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def secret(self, name: str) -> Secret | None:
        value = self.environ.get(name)
        path = self.environ.get(f"{name}_FILE")
        if value and path:
            self.problems.append(f"{name} and {name}_FILE are both set; set one")
            return None
        if path:
            try:
                value = pathlib.Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                self.problems.append(f"{name}_FILE: cannot read the file ({exc.strerror})")
                return None
            if not value:
                self.problems.append(f"{name}_FILE: the file is empty")
                return None
        return Secret(value) if value else None

    def url(self, name: str, value: str) -> str | None:
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            self.problems.append(f"{name}: expected an http(s) URL with a host")
            return None
        if parts.username or parts.password or parts.query:
            self.problems.append(f"{name}: must not carry credentials or a query string")
            return None
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    def account(self) -> SmscAccount | None:
        login = self.secret("SMSC_LOGIN")
        password = self.secret("SMSC_PASSWORD")
        apikey = self.secret("SMSC_APIKEY")
        base_url = self.url("SMSC_BASE_URL", self.environ.get("SMSC_BASE_URL") or DEFAULT_BASE_URL)
        backups: list[str] = []
        for raw in filter(None, (self.environ.get("SMSC_BACKUP_URLS") or "").split(",")):
            url = self.url("SMSC_BACKUP_URLS", raw)
            if url:
                backups.append(url)
        if login is None and password is None and apikey is None:
            return None
        if apikey is not None and (login is not None or password is not None):
            self.problems.append("SMSC_APIKEY and SMSC_LOGIN/SMSC_PASSWORD are both set; set one")
        elif apikey is None and (login is None or password is None):
            missing = "SMSC_PASSWORD" if login is not None else "SMSC_LOGIN"
            self.problems.append(f"{missing} is missing (SMSC_LOGIN and SMSC_PASSWORD go together)")
        if base_url is None:
            return None
        return SmscAccount(
            base_url=base_url,
            backup_urls=tuple(backups) or default_backup_urls(base_url),
            login=login,
            password=password,
            apikey=apikey,
        )

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = (self.environ.get(name) or default).strip().lower()
        if value not in allowed:
            self.problems.append(f"{name}: expected one of {', '.join(allowed)}")
            return default
        return value

    def flag(self, name: str, *, default: bool) -> bool:
        value = (self.environ.get(name) or "").strip().lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.problems.append(f"{name}: expected true or false")
        return default

    def log_level(self) -> str:
        value = (self.environ.get("FACADE_LOG_LEVEL") or DEFAULT_LOG_LEVEL).strip().upper()
        if value not in logging.getLevelNamesMapping():
            self.problems.append(
                "FACADE_LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
            )
            return DEFAULT_LOG_LEVEL
        return value

    def origins(self) -> tuple[str, ...]:
        origins = []
        for raw in filter(
            None, (o.strip() for o in self.environ.get("FACADE_CORS_ORIGINS", "").split(","))
        ):
            url = self.url("FACADE_CORS_ORIGINS", raw)
            if url:
                origins.append(url)
        return tuple(origins)
