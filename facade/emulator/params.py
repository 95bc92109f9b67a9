"""Turning a request's raw query string and form body into SMSC parameters, `fmt` and `charset`.

docs/smsc-wire.md, "Requests": the percent-encoded bytes are decoded per the request's own
`charset` (windows-1251 by default), so `charset` is found first, in ASCII, and then everything is
decoded with it. Names such as `fl[1]` are literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, unquote_to_bytes

from facade.emulator.assumptions import CHARSETS, DEFAULT_CHARSET, PARAMETERS_ERROR
from facade.emulator.command import CommandError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

CREDENTIALS: Final = ("login", "psw", "apikey")
FORMATS: Final = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}
# Bytes outside printable ASCII are percent-encoded before parsing, so that they are decoded
# with the request's charset like every percent-encoded byte.
_RAW_BYTES: Final = re.compile(rb"[^\x21-\x7e]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A request's parameters; `error` is set when `fmt` or `charset` itself is invalid.

    `fmt` and `charset` are then what the error envelope is answered in: fmt 0 for a bad fmt,
    windows-1251 for a bad charset (docs/smsc-wire.md, "Requests").
    """

    params: dict[str, str]
    fmt: int
    charset: str
    credentials_in_query: bool
    error: CommandError | None = None


def _escape_raw(raw: bytes) -> str:
    return _RAW_BYTES.sub(lambda match: b"%%%02X" % match[0][0], raw).decode("ascii")


def _raw_value(raw: bytes, name: bytes) -> bytes | None:
    """The last value of `name` in a urlencoded string, undecoded (charset is ASCII)."""
    found = None
    for piece in raw.split(b"&"):
        key, _, value = piece.partition(b"=")
        if unquote_to_bytes(key.replace(b"+", b" ")) == name:
            found = unquote_to_bytes(value.replace(b"+", b" "))
    return found


def _parse(raw: bytes, charset: str) -> dict[str, str]:
    pairs = parse_qsl(_escape_raw(raw), keep_blank_values=True, encoding=charset, errors="replace")
    return dict(pairs)


def decode_request(query: bytes, body: bytes) -> Decoded:
    """Merge query string and form body (the body wins on a repeated name) and read fmt/charset."""
    raw_charset = _raw_value(body, b"charset")
    if raw_charset is None:
        raw_charset = _raw_value(query, b"charset")
    charset_name = (raw_charset or b"").decode("ascii", errors="replace").lower()
    charset = charset_name or DEFAULT_CHARSET
    error = None
    if charset not in CHARSETS:
        charset, error = DEFAULT_CHARSET, CommandError(PARAMETERS_ERROR)
    query_params = _parse(query, charset)
    params = query_params | _parse(body, charset)
    fmt = FORMATS.get(params.get("fmt", ""))
    if fmt is None:
        fmt, error = 0, CommandError(PARAMETERS_ERROR)
    return Decoded(
        params=params,
        fmt=fmt,
        charset=charset,
        credentials_in_query=any(name in query_params for name in CREDENTIALS),
        error=error,
    )


def command_flags(params: Mapping[str, str], commands: Collection[str]) -> list[str]:
    """The command flags present: a flag counts unless its value is empty or `0` (PHP `empty`)."""
    return [name for name in commands if params.get(name, "") not in ("", "0")]


def select_command(params: dict[str, str], commands: Collection[str]) -> str:
    """Exactly one command flag per request, else error 1 (docs/smsc-wire.md, "Requests")."""
    flags = command_flags(params, commands)
    if len(flags) != 1:
        raise CommandError(PARAMETERS_ERROR)
    return flags[0]
