"""What a GraphQL-over-HTTP request says, checked (spec, "Request", "Request Parameters"), and
how the view refuses one it will not run: `Refusal`, its status and a GraphQL error.

A JSON body or parameter is read by `read_json`, as REST reads its bodies: a document one API
cannot read, the other refuses too, with `INVALID_INPUT` naming the part of the request.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

from facade.errors import AuthError, ErrorCode, ForbiddenError, InputError
from facade.graphql.media import read_json

__all__ = ["Params", "Refusal", "error_entry", "parsed_json", "read_params", "refused"]


@dataclasses.dataclass(frozen=True, slots=True)
class Params:
    query: str | None  # None: a persisted document (`documentId`, `extensions.persistedQuery`)
    document_id: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


class Refusal(Exception):  # noqa: N818 - control flow of the view, never raised out of it
    """The request is answered with `status` and a GraphQL error, without executing anything."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.code = code
        self.field = field


def _optional(data: Mapping[str, Any], name: str, kind: type, kind_name: str) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise Refusal(400, f"The `{name}` parameter must be {kind_name} or null.")
    return value


def read_params(data: object) -> Params:
    """A well-formed GraphQL-over-HTTP request's parameters (spec, "Request Parameters")."""
    if isinstance(data, list):
        raise Refusal(400, "Batched requests are not supported; send one operation a request.")
    if not isinstance(data, dict):
        raise Refusal(400, "The request body must be a JSON object.")
    query = data.get("query")
    document_id = _optional(data, "documentId", str, "a string")
    extensions = _optional(data, "extensions", dict, "an object")
    persisted = document_id is not None or "persistedQuery" in (extensions or {})
    if not isinstance(query, str) and not (query is None and persisted):
        raise Refusal(400, "The `query` parameter must be a string.")
    return Params(
        query=query,
        document_id=document_id,
        operation_name=_optional(data, "operationName", str, "a string") or None,
        variables=_optional(data, "variables", dict, "an object"),
        extensions=extensions,
    )


def parsed_json(text: str | bytes, what: str, field: str) -> object:
    """A JSON body or parameter; refused as REST refuses a body it cannot read (`read_json`):
    400, `INVALID_INPUT`, the part of the request named as the field."""
    try:
        return read_json(text)
    except ValueError as exc:
        message = f"{what} is not valid UTF-8 JSON."
        raise Refusal(400, message, code=ErrorCode.INVALID_INPUT, field=field) from exc


def refused(exc: AuthError | ForbiddenError | InputError) -> Refusal:
    """A refused caller's answer: 401 (with the challenge), 403 or 400."""
    if isinstance(exc, AuthError):
        return Refusal(401, exc.message, headers={"WWW-Authenticate": "Bearer"}, code=exc.code)
    return Refusal(403 if isinstance(exc, ForbiddenError) else 400, exc.message, code=exc.code)


def error_entry(message: str, code: str | None, field: str | None = None) -> dict[str, Any]:
    extensions = ({"code": str(code)} if code else {}) | ({"field": field} if field else {})
    return {"message": message} | ({"extensions": extensions} if extensions else {})
