"""`/openapi.json` (OpenAPI 3.1) built from the same `Operation`s as the routes; `/docs` shows it.

JSON Schemas come from pydantic (JSON Schema 2020-12, the dialect OpenAPI 3.1 uses): response
types in serialization mode, bodies and parameters in validation mode. Error responses list the
statuses `errors.PROBLEMS` gives each declared code, so the document follows the one table. Every
body, response, problem and event has an example, built from the models' own (`examples.py`).
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, TypeAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from facade.credentials.scopes import Scope
from facade.domain.rules import ID_PATTERN
from facade.errors import ErrorCode
from facade.rest.docs import docs_routes
from facade.rest.errors import statuses_of
from facade.rest.events import EVENT_STREAM
from facade.rest.examples import event_example, example_of, problem_examples
from facade.rest.http import MAX_BODY_BYTES, ClientGetter, guarded
from facade.rest.idempotent import HEADER, REPLAYED_HEADER
from facade.rest.kept import CACHE_HEADER, JSON
from facade.rest.operations import EventStream, Operation, Resource
from facade.upstream.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from facade.vocabulary.fields import whole
from facade.vocabulary.problems import PROBLEM_JSON, Problem

OPENAPI_VERSION: Final = "3.1.0"
REF: Final = "#/components/schemas/{model}"
_STRING: Final = {"type": "string"}

_READ_HEADERS: Final = {
    "ETag": {"description": "A strong validator of the body.", "schema": _STRING},
    "Cache-Control": {
        "description": "`private, max-age=<seconds the facade's cached value stays fresh>`, "
        "or `private, no-cache` when a stale value is served.",
        "schema": _STRING,
    },
    "Age": {"description": "Seconds since SMSC gave the value.", "schema": {"type": "integer"}},
    CACHE_HEADER: {
        "description": "Where the value came from: the facade's cache (`hit`), SMSC (`miss`), "
        "or the cache past its freshness because SMSC could not be asked (`stale`).",
        "schema": {"type": "string", "enum": ["hit", "miss", "stale"]},
    },
}
_BEARER: Final = {
    "type": "http",
    "scheme": "bearer",
    "description": "A client token from `facade token issue` (not needed in sandbox mode). Its "
    "scopes decide what it may do: `read` the GETs, `write` also the changes, `admin` also "
    "purging caches. Never put it in the URL: such requests are refused with 400.",
}
_IDEMPOTENCY_KEY: Final = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID, say), new for each change you mean to make. The "
    "first request under a key runs; repeating it with the same request answers the stored "
    "response (with `Idempotent-Replayed: true`) and nothing reaches SMSC again. The same key "
    "with another request is refused (422); while the first is still running a repeat waits "
    "for it, or gets 409 with `Retry-After`. Keys are per client and kept 24 hours.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": f"^{KEY_PATTERN}$",
    },
}
_REPLAYED: Final = {
    "description": "`true` when this is the stored response of an earlier request under the "
    "same `Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}
# status: (description, the refusal's detail, as `http.py` words it)
_BODY_REFUSALS: Final = {
    413: ("The body is too large.", f"The body must be at most {MAX_BODY_BYTES} bytes."),
    415: (f"The body is not {JSON}.", f"Send the body as {JSON}."),
}


def openapi_document(
    resources: Sequence[Resource],
    *,
    title: str,
    version: str,
    description: str = "",
    streams: bool = False,
) -> dict[str, Any]:
    """`streams`: the resources' event streams are served too, so they are documented."""
    operations = [op for resource in resources for op in resource.operations]
    event_streams = [s for resource in resources for s in resource.streams] if streams else []
    inputs: list[tuple[tuple[str, str], Any, TypeAdapter[Any]]] = [
        (("", "problem"), "serialization", TypeAdapter(Problem))
    ]
    for stream in event_streams:
        inputs.append(((stream.operation_id, "event"), "serialization", TypeAdapter(stream.data)))
    for op in operations:
        if op.response is not None:
            inputs.append(
                ((op.operation_id, "response"), "serialization", TypeAdapter(op.response))
            )
        if op.body_model is not None:
            inputs.append(((op.operation_id, "body"), "validation", TypeAdapter(op.body_model)))
    refs, defs = TypeAdapter.json_schemas(inputs, ref_template=REF, by_alias=True)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, schemas)
    for stream in event_streams:
        paths.setdefault(stream.path, {})["get"] = _stream(stream, refs, schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version, "description": description},
        "tags": [{"name": r.tag, "description": r.description} for r in resources],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearer": _BEARER},
        },
        "security": [{"bearer": []}],
    }


def _operation(
    op: Operation, refs: dict[tuple[tuple[str, str], Any], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    parameters = _parameters(op.path_model, "path", schemas, op.parameter_examples) + _parameters(
        op.query_model, "query", schemas
    )
    if op.cacheable:
        parameters.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "An ETag this resource gave; 304 when it still matches.",
                "schema": _STRING,
            }
        )
    if op.idempotent:
        parameters.append(dict(_IDEMPOTENCY_KEY))
    found: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": _responses(op, refs, schemas),
    }
    scope_note = f"Needs a token with the `{op.scope.value}` scope."
    found["description"] = f"{op.description}\n\n{scope_note}" if op.description else scope_note
    found["x-required-scope"] = op.scope.value
    if op.body_model is not None:
        schema = refs[((op.operation_id, "body"), "validation")]
        body = {"schema": schema, "example": example_of(schema, schemas)}
        found["requestBody"] = {"required": True, "content": {JSON: body}}
    return found


def _parameters(
    model: type[BaseModel],
    where: str,
    schemas: dict[str, Any],
    examples: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """`model`'s fields as parameters `where` (path, query); `examples` by name."""
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": where, "required": name in required}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameter["schema"] = prop
        if examples and name in examples:
            parameter["example"] = examples[name]
        elif prop.get("examples"):  # the field's own: what "Try it out" fills in
            parameter["example"] = prop["examples"][0]
        parameters.append(parameter)
    return parameters


def _responses(
    op: Operation, refs: dict[tuple[tuple[str, str], Any], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary}
    headers: dict[str, Any] = {}
    if op.cacheable:
        headers.update(_READ_HEADERS)
    elif op.read:  # a POST that reads: where its answer came from, no more
        headers.update({name: _READ_HEADERS[name] for name in ("Age", CACHE_HEADER)})
    if op.status == 201:
        headers["Location"] = {"description": "The new resource.", "schema": _STRING}
    if op.idempotent:
        headers[REPLAYED_HEADER] = _REPLAYED
    if op.files:
        headers["Content-Disposition"] = {
            "description": "`attachment` and the file's name (RFC 6266, `filename*` of "
            "RFC 8187 when it is not ASCII).",
            "schema": _STRING,
        }
        file: dict[str, Any] = {"schema": _STRING}
        if op.file_example is not None:
            file["example"] = op.file_example
        success["content"] = {media_type: dict(file) for media_type in op.files}
    elif op.response is not None and op.status != 204:
        schema = refs[((op.operation_id, "response"), "serialization")]
        success["content"] = {JSON: {"schema": schema, "example": example_of(schema, schemas)}}
    if headers:
        success["headers"] = headers
    responses: dict[str, Any] = {str(op.status): success}
    for status in op.empty:
        responses[str(status)] = {"description": "Done; no body."}
        if op.idempotent:
            responses[str(status)]["headers"] = {REPLAYED_HEADER: _REPLAYED}
    if op.cacheable:
        responses["304"] = {"description": "Not modified.", "headers": dict(_READ_HEADERS)}
    problem_ref = refs[(("", "problem"), "serialization")]
    refusals = _BODY_REFUSALS if op.body_model is not None else {}
    for refusal, (description, detail) in refusals.items():
        responses[str(refusal)] = {
            "description": description,
            "content": _problems(problem_ref, refusal, [ErrorCode.INVALID_INPUT], detail),
        }
    responses.update(_problem_responses(op.all_errors, problem_ref))
    return responses


def _problem_responses(errors: Sequence[ErrorCode], problem_ref: Any) -> dict[str, Any]:
    """A response per status `errors` are answered with, by `errors.PROBLEMS`."""
    by_status: dict[int, list[ErrorCode]] = {}
    for code in errors:
        for status in statuses_of(code):
            by_status.setdefault(status, []).append(code)
    return {
        str(status): {
            "description": f"A problem: {', '.join(code.value for code in codes)}.",
            "content": _problems(problem_ref, status, codes),
        }
        for status, codes in sorted(by_status.items())
    }


def _problems(
    problem_ref: Any, status: int, codes: Sequence[ErrorCode], detail: str | None = None
) -> dict[str, Any]:
    examples = problem_examples(status, codes, detail)
    return {PROBLEM_JSON: {"schema": problem_ref, "examples": examples}}


# An event's id: the id of its data (an SMSC id).
_EVENT_ID: Final = {"type": "string", "pattern": whole(ID_PATTERN)}
_LAST_EVENT_ID: Final = {
    "name": "Last-Event-ID",
    "in": "header",
    "required": False,
    "description": "The id of the last event received: the stream starts after it (an empty "
    "one is none). Browsers' `EventSource` sends it by itself when it reconnects.",
    "schema": {"type": "string", "pattern": f"^(?:{ID_PATTERN})?$"},
}


def _event(name: str, data: Mapping[str, Any], *, with_id: bool) -> dict[str, Any]:
    """The event `name`: its `data` is JSON of the schema `data`."""
    properties = {
        "event": {"const": name},
        "data": {"type": "string", "contentMediaType": JSON, "contentSchema": dict(data)},
    }
    return {
        "properties": {**properties, "id": _EVENT_ID} if with_id else properties,
        "required": ["event", "data", "id"] if with_id else ["event", "data"],
    }


def _stream(
    stream: EventStream, refs: dict[tuple[tuple[str, str], Any], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    """A Server-Sent Events GET. Its media type's schema is that of one event, as the HTML
    Living Standard parses it (`event`, `data`, `id`): what OpenAPI 3.1 tools that check events
    read there (OpenAPI 3.2's `itemSchema`), each event's `data` JSON (`contentMediaType`) of
    its `contentSchema`. `x-events` maps each event name to the schema of its `data`."""
    problem_ref = refs[(("", "problem"), "serialization")]
    data_ref = refs[((stream.operation_id, "event"), "serialization")]
    events = {stream.event: data_ref, "error": problem_ref}
    data = example_of(data_ref, schemas)
    event_id = data.get("id") if isinstance(data, dict) and stream.resumable else None
    carried = (
        f"The stream's `{stream.event}` events carry their data's id"
        if stream.resumable
        else f"The stream's `{stream.event}` events carry no id"
    )
    success = {
        "description": stream.summary,
        "headers": {"Cache-Control": {"description": "`no-store`.", "schema": _STRING}},
        "content": {
            EVENT_STREAM: {
                "schema": {
                    "type": "object",
                    "description": "One event of the stream (`id:`, `event:`, `data:` lines, "
                    "then a blank one; `:` lines are comments), as the HTML Living Standard's "
                    "Server-sent events parse it: its `data` is one line of JSON. "
                    f"{carried}; an `error` event (a problem, that of a stream that cannot go "
                    "on) is its last.",
                    "oneOf": [
                        _event(stream.event, data_ref, with_id=stream.resumable),
                        _event("error", problem_ref, with_id=False),
                    ],
                },
                "example": event_example(stream.event, data, event_id),
                "x-events": events,
            }
        },
    }
    responses: dict[str, Any] = {"200": success}
    responses.update(_problem_responses(stream.all_errors, problem_ref))
    parameters = _parameters(stream.path_model, "path", schemas) + _parameters(
        stream.query_model, "query", schemas
    )
    scope_note = f"Needs a token with the `{stream.scope.value}` scope."
    return {
        "operationId": stream.operation_id,
        "summary": stream.summary,
        "description": f"{stream.description}\n\n{scope_note}",
        "tags": [stream.tag],
        "parameters": [*parameters, *([dict(_LAST_EVENT_ID)] if stream.resumable else [])],
        "responses": responses,
        "x-required-scope": stream.scope.value,
    }


def document_routes(document: dict[str, Any], client_for: ClientGetter) -> list[BaseRoute]:
    """`/openapi.json`, for the callers `client_for` admits with the `read` scope (outside
    sandbox mode the API's shape is shown only to its clients, as GraphQL's introspection is off
    there), and `/docs`, whose page holds no API shape and fetches this document (`docs.py`)."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    async def openapi_json(_: Request) -> Response:
        return Response(body, media_type=JSON)

    return [
        Route("/openapi.json", guarded(openapi_json, client_for, Scope.READ)),
        *docs_routes(document["info"]["title"]),
    ]


__all__ = ["OPENAPI_VERSION", "document_routes", "openapi_document"]
