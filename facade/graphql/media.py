"""GraphQL over HTTP's media types: what a request may send, what its `Accept` asks for, and
how an answer is written (`encode_json`).

Both parsers are memoized (bounded): clients send the same few header values on every request.
"""

import functools
import json
from collections.abc import Mapping
from typing import Final

import pydantic_core

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "encode_json",
    "negotiate",
    "read_json",
    "split_media_type",
    "utf8",
]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

# One encoder, built once: `json.dumps` with options builds a new one on every call.
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(value: object) -> bytes:
    """`value` as compact JSON in UTF-8: every answer and message GraphQL sends (HTTP, kept
    answers, WebSocket).

    Non-ASCII characters are written as they are, not as `\\uXXXX` escapes: Cyrillic, most of
    what SMSC accounts hold, takes 2 bytes a letter instead of 6. UTF-8 is the only encoding the
    spec allows ("Media Types"; RFC 8259 §8.1). A lone surrogate, which UTF-8 cannot carry (a
    client may send one in a JSON variable), is escaped as JSON would (`\\ud800`, RFC 8259 §7):
    it can only stand inside a string.
    """
    return _ENCODER.encode(value).encode("utf-8", "backslashreplace")


def read_json(data: str | bytes) -> object:
    """A JSON document a client sent (an HTTP body or parameter, a WebSocket message), read as
    REST reads its bodies (pydantic's parser), so both APIs refuse the same documents: invalid
    UTF-8, or a lone surrogate escape (`"\\ud800"`), which no Unicode text holds (RFC 8259
    §8.2; RFC 7493 §2.1). `JSONDecodeError` when it is not such a document, as `json.loads`
    raises (strawberry's WebSocket handler catches that one).
    """
    try:
        return pydantic_core.from_json(data)
    except ValueError as exc:
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        raise json.JSONDecodeError(str(exc), text, 0) from exc


@functools.lru_cache(maxsize=256)
def split_media_type(value: str) -> tuple[str, Mapping[str, str]]:
    """`type/subtype; k=v` as the lowercased media type and its parameters (RFC 9110 §8.3.1)."""
    media_type, *parameters = value.split(";")
    parsed: dict[str, str] = {}
    for parameter in parameters:
        name, _, parameter_value = parameter.partition("=")
        parsed[name.strip().lower()] = parameter_value.strip().strip('"')
    return media_type.strip().lower(), parsed


def utf8(parameters: Mapping[str, str]) -> bool:
    """The spec allows no other encoding: a `charset` must name UTF-8 (spec, "Media Types")."""
    return parameters.get("charset", "utf-8").lower() in ("utf-8", "utf8")


@functools.lru_cache(maxsize=256)
def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header; None when nothing we offer is acceptable.

    The most specific matching range gives an offer its quality (RFC 9110 §12.5.1). On a tie a
    type named outright prefers `application/graphql-response+json`; one reached only through a
    wildcard prefers `application/json`, which legacy clients sending `*/*` understand.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        media_range, parameters = split_media_type(item)
        kind, _, subtype = media_range.partition("/")
        try:
            quality = float(parameters.get("q", "1"))
        except ValueError:
            continue
        if utf8(parameters) and 0.0 <= quality <= 1.0:
            ranges.append((kind, subtype, quality))
    best: tuple[tuple[float, int, bool], str] | None = None
    for offer in (GRAPHQL_RESPONSE_JSON, JSON):
        offer_kind, offer_subtype = offer.split("/")
        matches = [
            (2 if subtype == offer_subtype else 1 if kind != "*" else 0, quality)
            for kind, subtype, quality in ranges
            if kind in ("*", offer_kind) and subtype in ("*", offer_subtype)
        ]
        if not matches:
            continue
        specificity, quality = max(matches)
        preferred = (offer == GRAPHQL_RESPONSE_JSON) == (specificity == 2)
        key = (quality, specificity, preferred)
        if quality > 0 and (best is None or key > best[0]):
            best = (key, offer)
    return None if best is None else best[1]
