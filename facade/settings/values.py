"""Reading environment variables: each bad one becomes a problem, reported with all the others.

Values are named, never shown: a problem says which variable is wrong and why, not what it holds.
"""

import pathlib
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from facade.graphql.persisted import PersistedDocuments

# What a URL written into `Link: <...>` and JSON may hold as it is: visible ASCII, minus the
# characters RFC 3986 never allows unencoded (`<` and `>` would end the header's reference).
_URL_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F)) - set('<>"\\^`{|}')
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


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


class ValueReader:
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
            return self.secret_file(f"{name}_FILE", path)
        return Secret(value) if value else None

    def secret_file(self, where: str, path: str) -> Secret | None:
        try:
            value = pathlib.Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            self.problems.append(f"{where}: cannot read the file ({reason})")
            return None
        if not value:
            self.problems.append(f"{where}: the file is empty")
            return None
        return Secret(value)

    def redis_url(self) -> Secret | None:
        """FACADE_REDIS_URL (or _FILE): `redis://`, `rediss://` or `unix://`; kept secret, since
        the URL may carry Redis' password."""
        url = self.secret("FACADE_REDIS_URL")
        if url is None:
            return None
        parts = urlsplit(url.reveal().strip())
        if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
            self.problems.append("FACADE_REDIS_URL: expected a redis://, rediss:// or unix:// URL")
            return None
        return Secret(url.reveal().strip())

    def manifest(self, name: str) -> pathlib.Path | None:
        """A persisted-documents manifest that loads (every problem reported now, not later)."""
        value = self.environ.get(name)
        if not value:
            return None
        path = pathlib.Path(value)
        try:
            PersistedDocuments.from_file(path)
        except ValueError as exc:
            self.problems.append(f"{name}: {exc}")
        return path

    def count(self, name: str, default: int, *, maximum: int) -> int:
        raw = (self.environ.get(name) or "").strip()
        if not raw:
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            self.problems.append(f"{name}: expected a whole number from 1 to {maximum}")
            return default
        return int(raw)

    def url(self, name: str, value: str) -> str | None:
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            self.problems.append(f"{name}: expected an http(s) URL with a host")
            return None
        if parts.username or parts.password or parts.query:
            self.problems.append(f"{name}: must not carry credentials or a query string")
            return None
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    def public_url(self, name: str) -> str | None:
        """The service's public base URL: `http(s)://host[:port][/prefix]`, nothing else (no
        credentials, query or fragment); the trailing slash dropped."""
        raw = (self.environ.get(name) or "").strip()
        if not raw:
            return None
        problem = f"{name}: expected an absolute http(s) URL, such as https://sms.example.com"
        if not set(raw) <= _URL_CHARACTERS:
            self.problems.append(f"{problem}, of visible ASCII characters")
            return None
        try:
            parts = urlsplit(raw)
            _ = parts.port  # a port out of range raises
        except ValueError:
            self.problems.append(problem)
            return None
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            self.problems.append(problem)
            return None
        if parts.username is not None or parts.password is not None:
            self.problems.append(f"{name}: must not carry credentials")
            return None
        if parts.query or parts.fragment or raw.endswith(("?", "#")):
            self.problems.append(f"{name}: must not carry a query string or a fragment")
            return None
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = (self.environ.get(name) or default).strip().lower()
        if value not in allowed:
            self.problems.append(f"{name}: expected one of {', '.join(allowed)}")
            return default
        return value

    def seconds(self, name: str, default: float, *, maximum: float, minimum: float = 0.0) -> float:
        raw = (self.environ.get(name) or "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not (value > 0 and minimum <= value <= maximum):
            low = f"at least {minimum:g}" if minimum else "more than 0"
            self.problems.append(f"{name}: expected seconds, {low} and at most {maximum:g}")
            return default
        return value

    def hours(self, name: str, default: float, *, maximum: float) -> float:
        raw = (self.environ.get(name) or "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value <= maximum:
            self.problems.append(f"{name}: expected hours, more than 0 and at most {maximum:g}")
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

    def origins(self) -> tuple[str, ...]:
        origins = []
        for raw in filter(
            None, (o.strip() for o in self.environ.get("FACADE_CORS_ORIGINS", "").split(","))
        ):
            url = self.url("FACADE_CORS_ORIGINS", raw)
            if url:
                origins.append(url)
        return tuple(origins)
