"""Every text form an SMSC secret can take, and the `Redactor` that masks them all in one pass.

A secret leaves the facade URL-encoded in a form body, in the charset the request names (utf-8,
windows-1251 or koi8-r, smsc-api-notes.md §1.4), or as the MD5 SMSC accepts for `psw` (§1.3). It
can come back in an echo of that body, in JSON as PHP writes it (`\\/`, `\\uXXXX`), in HTML, in HTTP
Basic, or in a Python repr. Those forms are listed by `secret_forms`; percent-encoding varies with
the encoder (which characters it leaves alone, the case of its hex), so a `Redactor` also matches a
value with any of its characters encoded in any of those ways.
"""

import base64
import hashlib
import html
import json
import re
import urllib.parse
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Self

from facade.smsc.wire import CHARSETS

if TYPE_CHECKING:
    from facade.smsc.commands import Credentials

__all__ = ["DEFAULT_MASK", "MIN_FORM_LENGTH", "Redactor", "pair_forms", "secret_forms"]

DEFAULT_MASK: Final = "[REDACTED]"
# Shorter forms would shred ordinary text ("abc" is in every alphabet). A value this short is still
# masked in its long encodings (MD5, base64, percent-encoded), never as itself.
MIN_FORM_LENGTH: Final = 4

_PERCENT_HEX = re.compile(r"%[0-9A-F]{2}")
_SCOPED_FLAGS: Final = (
    (re.IGNORECASE, "i"),
    (re.MULTILINE, "m"),
    (re.DOTALL, "s"),
    (re.VERBOSE, "x"),
)


def secret_forms(value: str) -> frozenset[str]:
    """`value` as it could appear in text: raw; percent-encoded (`quote`, `quote_plus`, either hex
    case) and MD5 (lower and upper hex) of each charset SMSC knows that can encode it; base64
    (standard and URL-safe, with and without padding) of its UTF-8; JSON-escaped (ASCII-only or
    not, `/` escaped as PHP does or not); HTML-escaped; and its str and UTF-8 bytes reprs.
    """
    if not value:
        return frozenset()
    forms = {value, html.escape(value), repr(value)[1:-1], repr(_utf8(value))[2:-1]}
    for ensure_ascii in (True, False):
        escaped = json.dumps(value, ensure_ascii=ensure_ascii)[1:-1]
        forms |= {escaped, escaped.replace("/", "\\/")}
    for raw in _encodings(value):
        for quoted in (urllib.parse.quote(raw, safe=""), urllib.parse.quote_plus(raw, safe="")):
            forms |= {quoted, _PERCENT_HEX.sub(lambda hex_: hex_[0].lower(), quoted)}
        digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
        forms |= {digest, digest.upper()}
    return frozenset(forms | _base64_forms(_utf8(value)))


def pair_forms(login: str, password: str) -> frozenset[str]:
    """`login:password` in base64 (both alphabets, with and without padding): HTTP Basic."""
    return _base64_forms(_utf8(f"{login}:{password}"))


class Redactor:
    """Replaces every form of every secret, and every match of `patterns`, with `mask`.

    `secrets` are values, expanded by `secret_forms`; `forms` are masked exactly as given. It is
    one precompiled regex, alternatives longest first so that a secret whose start is another
    secret is masked whole. Patterns join that alternation, so they must not refer to their
    groups by number; of their flags, `i`, `m`, `s` and `x` are kept. Forms shorter than
    `MIN_FORM_LENGTH` are left alone. The repr names no secret.
    """

    __slots__ = ("_clean", "_forms", "_mask", "_patterns", "_regex", "_replacement", "_values")

    def __init__(
        self,
        secrets: Iterable[str] = (),
        *,
        forms: Iterable[str] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        mask: str = DEFAULT_MASK,
    ) -> None:
        self._values = frozenset(value for value in secrets if value)
        self._forms = frozenset(form for form in forms if form)
        self._patterns = tuple(dict.fromkeys(patterns))
        self._mask = mask
        # `re.sub` reads backslashes in a replacement string as escapes.
        self._replacement = mask.replace("\\", "\\\\")
        self._regex = _compile(self._values, self._forms, self._patterns)
        # Short texts found clean, remembered: logs repeat the same methods, paths and names
        # (the access log, one record a request). Texts holding a secret are never kept.
        self._clean: set[str] = set()

    @classmethod
    def for_credentials(
        cls,
        credentials: "Credentials",
        *,
        patterns: Iterable[re.Pattern[str]] = (),
        mask: str = DEFAULT_MASK,
    ) -> Self:
        """Masks the login, password and API key, and the HTTP Basic pair of login and password."""
        return cls.for_all([credentials], patterns=patterns, mask=mask)

    @classmethod
    def for_all(
        cls,
        credentials: Iterable["Credentials"],
        *,
        patterns: Iterable[re.Pattern[str]] = (),
        mask: str = DEFAULT_MASK,
    ) -> Self:
        """`for_credentials` of every account at once, and `patterns`."""
        values: list[str] = []
        forms: set[str] = set()
        for each in credentials:
            login, password = each.login, each.password
            values += (value for value in (login, password, each.apikey) if value)
            if login and password:
                forms |= pair_forms(login, password)
        return cls(values, forms=forms, patterns=patterns, mask=mask)

    @property
    def mask(self) -> str:
        return self._mask

    def merge(self, *others: "Redactor") -> "Redactor":
        """One redactor for the secrets and patterns of all of them, with this one's mask."""
        return Redactor(
            self._values.union(*(other._values for other in others)),
            forms=self._forms.union(*(other._forms for other in others)),
            patterns=(*self._patterns, *(p for other in others for p in other._patterns)),
            mask=self._mask,
        )

    def redact(self, text: str) -> str:
        if self._regex is None or text in self._clean:
            return text
        redacted = self._regex.sub(self._replacement, text)
        if redacted == text and len(text) <= _CLEAN_TEXT_MAX:
            if len(self._clean) >= _CLEAN_TEXTS:
                self._clean.clear()
            self._clean.add(text)
        return redacted

    def __repr__(self) -> str:
        return (
            f"Redactor({len(self._values)} secrets, {len(self._forms)} forms, "
            f"{len(self._patterns)} patterns)"
        )


_CLEAN_TEXTS: Final = 4096
_CLEAN_TEXT_MAX: Final = 256


def _compile(
    values: frozenset[str], forms: frozenset[str], patterns: tuple[re.Pattern[str], ...]
) -> re.Pattern[str] | None:
    # regex -> length of the text it stands for; joined longest first.
    alternatives: dict[str, int] = {}
    for value in values:
        loose = _loose(value) if len(value) >= MIN_FORM_LENGTH else None
        if loose is not None:
            alternatives[loose] = len(value)
        matcher = None if loose is None else re.compile(loose)
        for form in secret_forms(value):
            if len(form) >= MIN_FORM_LENGTH and (matcher is None or not matcher.fullmatch(form)):
                alternatives[re.escape(form)] = len(form)
    for form in forms:
        if len(form) >= MIN_FORM_LENGTH:
            alternatives[re.escape(form)] = len(form)
    ordered = sorted(alternatives, key=lambda regex: (-alternatives[regex], regex))
    ordered += [_scoped(pattern) for pattern in patterns]
    return re.compile("|".join(ordered)) if ordered else None


def _loose(value: str) -> str:
    """A regex for `value` with each character raw or in any of its encodings (`_char_forms`)."""
    return "".join(_char_forms(char) for char in value)


def _char_forms(char: str) -> str:
    """One character: raw, percent-encoded in any SMSC charset (either hex case), `+` for a
    space, a JSON `\\uXXXX` (either case) or short escape, PHP's `\\/`, an HTML entity, and the
    `\\xHH` of its UTF-8 bytes as a bytes repr writes them."""
    forms = {
        re.escape(char),
        re.escape(html.escape(char)),
        re.escape(json.dumps(char)[1:-1]),
        re.escape(repr(char)[1:-1]),
        "".join(rf"\\x{byte:02x}" for byte in _utf8(char)),
        "".join(rf"\\u{_any_case(f'{unit:04X}')}" for unit in _utf16_units(char)),
    }
    if char == " ":
        forms.add(r"\+")
    if char == "/":
        forms.add(r"\\/")
    if char == "'":
        forms.add(r"\\'")
    for raw in _encodings(char):
        forms.add("".join(f"%{_any_case(f'{byte:02X}')}" for byte in raw))
    return "(?:" + "|".join(sorted(forms, key=lambda form: (-len(form), form))) + ")"


def _any_case(hex_digits: str) -> str:
    return "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in hex_digits)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def _encodings(value: str) -> list[bytes]:
    """`value` in each charset SMSC knows that can encode it, without repeats."""
    encoded: dict[bytes, None] = {}
    for charset in CHARSETS:
        try:
            encoded[_encode(value, charset)] = None
        except UnicodeEncodeError:
            continue
    return list(encoded)


def _encode(value: str, charset: str) -> bytes:
    # A value read from the environment holds undecodable bytes as lone surrogates
    # (surrogateescape); those bytes are what would go on the wire.
    return value.encode(charset, "surrogateescape")


def _utf8(value: str) -> bytes:
    try:
        return _encode(value, "utf-8")
    except UnicodeEncodeError:  # a lone surrogate the environment cannot have made
        return value.encode("utf-8", "surrogatepass")


def _base64_forms(data: bytes) -> frozenset[str]:
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        padded = encode(data).decode("ascii")
        forms |= {padded, padded.rstrip("=")}
    return frozenset(forms)


def _scoped(pattern: re.Pattern[str]) -> str:
    flags = "".join(letter for flag, letter in _SCOPED_FLAGS if pattern.flags & flag)
    return f"(?{flags}:{pattern.pattern})"
