"""What a request to SMSC is addressed to, and what came back: endpoints, formats, raw replies."""

import dataclasses
import enum

from facade.errors import UpstreamProtocolError

# smsc-api-notes.md §1.4: SMSC knows these three; the facade always asks for utf-8.
CHARSETS = ("utf-8", "windows-1251", "koi8-r")
DEFAULT_CHARSET = "utf-8"


class Endpoint(enum.StrEnum):
    """One PHP script per area of SMSC's API."""

    TEMPLATES = "templates"
    JOBS = "jobs"
    PHONES = "phones"
    GET = "get"
    DOWNLOADS = "downloads"
    SEND = "send"
    STATUS = "status"
    BALANCE = "balance"

    @property
    def path(self) -> str:
        return f"/sys/{self.value}.php"


class Fmt(enum.IntEnum):
    """SMSC's `fmt`: the response format."""

    TEXT = 0
    CSV = 1
    XML = 2
    JSON = 3


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A body SMSC sent for one command, with what was asked for (the headers are unreliable)."""

    body: bytes
    endpoint: Endpoint
    command: str
    fmt: Fmt
    charset: str = DEFAULT_CHARSET
    content_type: str | None = None
    content_disposition: str | None = None

    def text(self) -> str:
        """The body decoded by the charset that was requested, not the one the header names."""
        try:
            return self.body.decode(self.charset)
        except (UnicodeDecodeError, LookupError) as exc:
            raise self.protocol_error(f"not valid {self.charset}") from exc

    def protocol_error(self, reason: str) -> UpstreamProtocolError:
        return UpstreamProtocolError(
            reason,
            endpoint=f"{self.endpoint.path}?{self.command}",
            fmt=int(self.fmt),
            body=self.body,
        )


# SMSC's identical requests a minute per command, beyond which it answers error 9
# (smsc-api-notes.md §1.6; smsc-messages-notes.md §7): 3 for every read and change, 1 on jobs.php
# and for a send, 5 cost requests, 10 balance requests (any, identical or not: the facade sends
# only one kind).
SMSC_IDENTICAL_LIMIT = 3
_IDENTICAL_LIMITS: dict[tuple["Endpoint", str | None], int] = {
    (Endpoint.JOBS, None): 1,
    (Endpoint.SEND, "send"): 1,
    (Endpoint.SEND, "cost"): 5,
    (Endpoint.BALANCE, None): 10,
}


def identical_limit(endpoint: Endpoint, command: str) -> int:
    """How many identical `command`s on `endpoint` SMSC takes a minute."""
    found = _IDENTICAL_LIMITS.get((endpoint, command))
    if found is None:
        found = _IDENTICAL_LIMITS.get((endpoint, None), SMSC_IDENTICAL_LIMIT)
    return found
