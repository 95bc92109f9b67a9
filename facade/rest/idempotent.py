"""`Idempotency-Key` on REST changes (POST, PUT, PATCH, DELETE), Stripe-style.

The key is scoped to the caller's account and client; the request's fingerprint is the operation,
its path parameters, its query and its parsed body. What is stored is the response itself: status,
headers (`Content-Type`, `Location`, ...) and body bytes, replayed as they were with
`Idempotent-Replayed: true`. Errors are stored as errors and drawn again by `errors.py`, which
draws one error the same way every time. `facade.upstream.idempotency` has the rules.
"""

import base64
import dataclasses
import json
from collections.abc import Callable
from typing import Any, Final

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from facade.credentials.scopes import SANDBOX_PRINCIPAL, Principal
from facade.errors import InputError
from facade.upstream.idempotency import Idempotency, check_key

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
# Recomputed by Starlette from the body.
_DROPPED_HEADERS: Final = frozenset({"content-length"})

PrincipalGetter = Callable[[Request], Principal]


def _sandbox(_: Request) -> Principal:
    return SANDBOX_PRINCIPAL


@dataclasses.dataclass(frozen=True, slots=True)
class RestIdempotency:
    """The runner, and who the caller is (the key's scope)."""

    idempotency: Idempotency
    principal: PrincipalGetter = _sandbox


def request_key(request: Request) -> str | None:
    """The request's `Idempotency-Key`, checked; None without one."""
    values = request.headers.getlist(HEADER)
    if not values:
        return None
    if len(values) > 1:
        raise InputError(HEADER, "give one key, not several")
    (value,) = values
    return check_key(value, HEADER)


def arguments(*models: BaseModel | None) -> list[Any]:
    """Validated path, query and body as JSON values: equal requests, equal arguments."""
    return [None if model is None else model.model_dump(mode="json") for model in models]


@dataclasses.dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: Response) -> "StoredResponse":
        headers = tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.raw_headers
            if name.decode("latin-1").lower() not in _DROPPED_HEADERS
        )
        return cls(response.status_code, headers, bytes(response.body))

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, headers=dict(self.headers))


class ResponseCodec:
    """`StoredResponse` as JSON: the body in base64, so any bytes survive."""

    def encode(self, value: StoredResponse) -> bytes:
        data = {
            "status": value.status,
            "headers": [list(header) for header in value.headers],
            "body": base64.b64encode(value.body).decode("ascii"),
        }
        return json.dumps(data).encode("utf-8")

    def decode(self, data: bytes) -> StoredResponse:
        found = json.loads(data)
        headers = tuple((name, value) for name, value in found["headers"])
        return StoredResponse(found["status"], headers, base64.b64decode(found["body"]))


RESPONSE_CODEC: Final = ResponseCodec()

__all__ = [
    "HEADER",
    "REPLAYED_HEADER",
    "RESPONSE_CODEC",
    "RestIdempotency",
    "StoredResponse",
    "arguments",
    "request_key",
]
