"""Examples in `/openapi.json`: every body, response, problem and event of every operation.

A model declares its example once, in its own config (`json_schema_extra={"examples": [...]}`,
in JSON's camelCase) or on a field (`Field(examples=[...])`); `example_of` builds the example
of a body or response from the JSON Schema pydantic writes, following `$ref`s: a declared
example first, then a constant, the first enum value or a default, then objects (their required
properties) and arrays (one item) from their parts. A problem's example is what `errors.problem`
would answer for its code.
"""

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Final

from facade.errors import ErrorCode
from facade.vocabulary.problems import Problem, problem_type

_REF_PREFIX: Final = "#/components/schemas/"
# What a value of each JSON type is, when nothing more is declared.
_BY_FORMAT: Final = {"date-time": "2025-06-02T10:00:00+03:00", "date": "2025-06-02"}
_BY_TYPE: Final[Mapping[str, Any]] = {
    "string": "text",
    "integer": 1,
    "number": 1.5,
    "boolean": True,
    "null": None,
}
# Each code's problem as a client meets it (the wording of the errors the facade raises).
_PROBLEMS: Final[Mapping[ErrorCode, Mapping[str, Any]]] = {
    ErrorCode.INVALID_INPUT: {
        "detail": "phones[0]: a phone is 10 to 15 digits, optionally after +.",
        "field": "phones[0]",
    },
    ErrorCode.UNAUTHENTICATED: {
        "detail": "A valid client token is needed: Authorization: Bearer <token>."
    },
    ErrorCode.FORBIDDEN: {"detail": "This token does not have the write scope."},
    ErrorCode.NOT_FOUND: {"detail": "SMSC knows no item with this id or phone."},
    ErrorCode.RATE_LIMITED: {
        "detail": "SMSC allows no more identical requests for now.",
        "upstreamCode": 9,
        "retryAfter": 60.0,
    },
    ErrorCode.CONFLICT: {
        "detail": "A request under this Idempotency-Key is still running.",
        "retryAfter": 1.0,
    },
    ErrorCode.UPSTREAM_AUTH_FAILED: {
        "detail": "SMSC refused the account's credentials.",
        "upstreamCode": 2,
    },
    ErrorCode.UPSTREAM_IP_BLOCKED: {
        "detail": "SMSC blocks requests from this service's address for a while.",
        "upstreamCode": 4,
    },
    ErrorCode.UPSTREAM_REJECTED: {"detail": "SMSC refused the request.", "upstreamCode": 6},
    ErrorCode.UPSTREAM_UNAVAILABLE: {"detail": "SMSC did not answer in time."},
    ErrorCode.UPSTREAM_PROTOCOL_ERROR: {"detail": "SMSC's answer could not be read."},
    ErrorCode.INSUFFICIENT_FUNDS: {
        "detail": "The SMSC account has not enough money for this message (SMSC error 3).",
        "upstreamCode": 3,
        "messageId": "fxq3vkmw2hd7ta5ejry4c",
    },
    ErrorCode.MESSAGE_DENIED: {
        "detail": "SMSC denied the message for its text or its sender (SMSC error 6).",
        "upstreamCode": 6,
        "messageId": "fxq3vkmw2hd7ta5ejry4c",
    },
    ErrorCode.RECIPIENT_REJECTED: {
        "detail": "SMSC refused a phone number as invalid (SMSC error 7).",
        "upstreamCode": 7,
        "messageId": "fxq3vkmw2hd7ta5ejry4c",
    },
    ErrorCode.INTERNAL: {"detail": "Something went wrong in the facade; it is logged."},
}


def example_of(schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> Any:
    """An example value of `schema`; `schemas` are the components its `$ref`s name."""
    if "$ref" in schema:
        return example_of(_resolve(schema, schemas), schemas)
    if schema.get("examples"):
        return _in_field_order(schema["examples"][0], schema, schemas)
    for key in ("example", "const", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _first_not_null(schema[key], schemas)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        return {
            name: example_of(prop, schemas)
            for name, prop in schema.get("properties", {}).items()
            if name in required or prop.get("examples")
        }
    if kind == "array":
        items = schema.get("items")
        return [] if items is None else [example_of(items, schemas)]
    if kind == "string" and schema.get("format") in _BY_FORMAT:
        return _BY_FORMAT[schema["format"]]
    if "minimum" in schema:
        return schema["minimum"]
    return _BY_TYPE.get(kind, None) if isinstance(kind, str) else None


def _resolve(schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].removeprefix(_REF_PREFIX)]
    return schema


def _in_field_order(value: Any, schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> Any:
    """`value` with its objects' members in their fields' order: pydantic writes a model's
    examples with sorted keys."""
    schema = _resolve(schema, schemas)
    choices = [c for c in schema.get("anyOf", ()) if c.get("type") != "null"]
    if choices:
        schema = _resolve(choices[0], schemas)
    if isinstance(value, dict) and "properties" in schema:
        fields = schema["properties"]
        ordered = [name for name in fields if name in value] + sorted(set(value) - set(fields))
        return {
            name: _in_field_order(value[name], fields.get(name, {}), schemas) for name in ordered
        }
    if isinstance(value, list) and "items" in schema:
        return [_in_field_order(item, schema["items"], schemas) for item in value]
    return value


def _first_not_null(choices: Iterable[Mapping[str, Any]], schemas: Mapping[str, Any]) -> Any:
    found = [c for c in choices if c.get("type") != "null"]
    return example_of(found[0], schemas) if found else None


def problem_examples(
    status: int, codes: Iterable[ErrorCode], detail: str | None = None
) -> dict[str, Any]:
    """The media type's `examples`: one problem document per code answered with `status`."""
    return {
        code.value: {"summary": code.value, "value": problem_example(status, code, detail)}
        for code in codes
    }


def problem_example(status: int, code: ErrorCode, detail: str | None = None) -> dict[str, Any]:
    """The problem document `errors.problem` writes for `code` with `status` (and `detail`,
    when the refusal has its own words)."""
    members = _PROBLEMS[code] if detail is None else {"detail": detail}
    found = Problem.model_validate(
        {
            "type": problem_type(code),
            "title": HTTPStatus(status).phrase,
            "status": status,
            "code": code,
            **members,
        }
    )
    document: dict[str, Any] = found.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def event_example(event: str, data: Any, event_id: str | None) -> str:
    """One Server-Sent Event as it is sent: `id:`, `event:`, `data:` lines and a blank one."""
    head = "" if event_id is None else f"id: {event_id}\n"
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


__all__ = ["event_example", "example_of", "problem_example", "problem_examples"]
