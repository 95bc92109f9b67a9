"""Injected faults: slow answers, gateway errors, dropped connections, hung requests, and SMSC
refusing the credentials for a while.

None of these but `auth` is SMSC's own behaviour; they stand for what sits between a client and
SMSC (nginx, the network). smsc-api-notes.md §1.5: peers treat any non-200 status as a transport
failure.

- `latency`: the answer is delayed by `seconds` (the injected sleep).
- `status`: an nginx-style HTML page with that HTTP status; SMSC never sees the request.
- `reset`: the connection drops. Through `httpx.ASGITransport` the client call raises
  `ConnectionDroppedError` (the app's exception, re-raised by the transport); through uvicorn the
  status line and headers arrive, then the connection closes and httpx raises
  `RemoteProtocolError` (uvicorn closes a connection whose response has started).
- `hang`: the answer waits `HANG_SECONDS` on the injected sleep; a client timeout ends it.
- `reset_after`: SMSC does what it was asked, then the connection drops before the answer
  arrives (a write whose outcome the client cannot know).
- `latency_after`: SMSC does what it was asked, then the answer is delayed by `seconds`.
- `auth`: SMSC refuses the credentials (error 2, `authorise error`) as if they were wrong (a
  password changed, an address outside the account's allow-list: smsc-api-notes.md §1.6, code 2),
  and the error counts towards the address block like any other (5 in 30 minutes: error 4); the
  credentials work again once the fault is used up (`times`) or cleared.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

from starlette.responses import Response

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

FaultKind = Literal["latency", "status", "reset", "hang", "reset_after", "latency_after", "auth"]
FAULT_KINDS: Final = frozenset(get_args(FaultKind))


class ConnectionDroppedError(ConnectionResetError):
    """Raised by a `reset` fault to drop the connection without a complete response."""


@dataclass(slots=True)
class Fault:
    """One fault; `path` (e.g. `/sys/jobs.php` or `jobs.php`) and `command` narrow it down,
    `times` limits how many requests it hits (None: until cleared)."""

    kind: FaultKind
    path: str | None = None
    command: str | None = None
    seconds: float = 0.0
    status: int = 502
    times: int | None = None

    def matches(self, endpoint: str, command: str | None) -> bool:
        if self.path is not None and self.path.rsplit("/", 1)[-1] != endpoint:
            return False
        return self.command is None or self.command == command

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fault_from_json(data: object) -> Fault:
    """Validate a `POST /__emulator__/faults` body; `ValueError` says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    unknown = set(data) - {"kind", "path", "command", "seconds", "status", "times"}
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}")
    path, command = data.get("path"), data.get("command")
    for value in (path, command):
        if value is not None and not isinstance(value, str):
            raise ValueError("path and command must be strings")
    seconds = data.get("seconds", 0.0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError("seconds must be a non-negative number")
    status = data.get("status", 502)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError("status must be an HTTP error status (400-599)")
    times = data.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer")
    return Fault(
        kind=cast("FaultKind", kind),
        path=path,
        command=command,
        seconds=float(seconds),
        status=status,
        times=times,
    )


@dataclass(slots=True)
class FaultBook:
    """The active faults; the first one matching a request applies and uses up one of its times."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, endpoint: str, command: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(endpoint, command):
                if fault.times is not None:
                    fault.times -= 1
                    if not fault.times:
                        self.faults.remove(fault)
                return fault
        return None


def gateway_page(status: int, url: str) -> str:
    """An nginx-like error page that echoes the request URL (credentials and all)."""
    try:
        title = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        title = str(status)
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n"
        f"<p>{html.escape(url)}</p>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


class DroppedConnection(Response):
    """A response that starts answering and then drops the connection."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                # No content-length: the body is left unfinished (chunked) when the link drops.
                "headers": [(b"content-type", b"text/plain; charset=windows-1251")],
            }
        )
        raise ConnectionDroppedError("emulator fault: connection reset")
