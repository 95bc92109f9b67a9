"""Both APIs on one app, idempotency records kept, the emulator behind: what the hostile-input tests
(test_hostile_input.py, test_hostile_fuzz.py) send requests to, and how they read the answers.

Bodies are written by `to_json`, not by httpx: httpx's encoder refuses lone surrogates and NaN,
which are exactly what a hostile client sends, and Python cannot write an integer of more than
4300 digits (`Digits` writes one anyway).
"""

import dataclasses
import json
import logging
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from facade.app import graphql_routes
from facade.graphql.context import Context
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.idempotent import RestIdempotency
from facade.settings import Settings
from tests.upstream.lossy import Rig

JSON_HEADERS = {"content-type": "application/json"}


def both_apis(lossy: Rig) -> Starlette:
    """GraphQL and REST over the rig's client, both taking idempotency keys."""

    async def context(_: Request) -> Context:
        return Context(smsc=lossy.client, idempotency=lossy.idempotency)

    routes = [
        *graphql_routes(Settings.from_env({}), context),
        *rest_routes(lossy.client, idempotency=RestIdempotency(lossy.idempotency)),
    ]
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)


@dataclasses.dataclass(frozen=True, slots=True)
class Digits:
    """A JSON number written as these digits, however many."""

    text: str


def to_json(value: Any) -> str:
    """JSON as a hostile client may write it: lone surrogates escaped, NaN and Infinity as
    Python writes them, `Digits` as they are."""
    if isinstance(value, Digits):
        return value.text
    if isinstance(value, Mapping):
        members = (f"{json.dumps(str(key))}:{to_json(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    return json.dumps(value)


def url_quote(value: str) -> str:
    """A path segment or query value, percent-encoded byte for byte (surrogates too)."""
    return urllib.parse.quote(value.encode("utf-8", "surrogatepass"), safe="")


def tracebacks(records: Iterable[logging.LogRecord]) -> list[str]:
    """The log records that carry a traceback or report an error."""
    return [
        f"{record.name}: {record.getMessage()}"
        for record in records
        if record.exc_info or record.levelno >= logging.ERROR
    ]


def graphql_codes(body: Mapping[str, Any]) -> list[str | None]:
    """The codes of a GraphQL response's errors (None for one without a code)."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
