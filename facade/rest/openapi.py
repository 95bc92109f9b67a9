"""`/openapi.json` (OpenAPI 3.1) built from the same `Operation`s as the routes, and `/docs`.

JSON Schemas come from pydantic (JSON Schema 2020-12, the dialect OpenAPI 3.1 uses): response
types in serialization mode, bodies and parameters in validation mode. Error responses list the
statuses `errors.PROBLEMS` gives each declared code, so the document follows the one table.
"""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, TypeAdapter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from facade.credentials.scopes import Scope
from facade.rest.errors import PROBLEM_JSON, Problem, statuses_of
from facade.rest.events import EVENT_STREAM
from facade.rest.http import ClientGetter, guarded
from facade.rest.idempotent import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER
from facade.rest.kept import CACHE_HEADER, JSON
from facade.rest.operations import EventStream, Operation, Resource

if TYPE_CHECKING:
    from facade.errors import ErrorCode

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
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}
_REPLAYED: Final = {
    "description": "`true` when this is the stored response of an earlier request under the "
    "same `Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}
_BODY_REFUSALS: Final = {
    "413": "The body is too large.",
    "415": f"The body is not {JSON}.",
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
    parameters = _parameters(op.path_model, "path", schemas) + _parameters(
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
        "responses": _responses(op, refs),
    }
    scope_note = f"Needs a token with the `{op.scope.value}` scope."
    found["description"] = f"{op.description}\n\n{scope_note}" if op.description else scope_note
    found["x-required-scope"] = op.scope.value
    if op.body_model is not None:
        schema = refs[((op.operation_id, "body"), "validation")]
        found["requestBody"] = {"required": True, "content": {JSON: {"schema": schema}}}
    return found


def _parameters(
    model: type[BaseModel], where: str, schemas: dict[str, Any]
) -> list[dict[str, Any]]:
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
        parameters.append(parameter)
    return parameters


def _responses(op: Operation, refs: dict[tuple[tuple[str, str], Any], Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary}
    headers: dict[str, Any] = dict(_READ_HEADERS) if op.cacheable else {}
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
        success["content"] = {media_type: {"schema": _STRING} for media_type in op.files}
    elif op.response is not None and op.status != 204:
        schema = refs[((op.operation_id, "response"), "serialization")]
        success["content"] = {JSON: {"schema": schema}}
    if headers:
        success["headers"] = headers
    responses: dict[str, Any] = {str(op.status): success}
    for status in op.empty:
        responses[str(status)] = {"description": "Done; no body."}
        if op.idempotent:
            responses[str(status)]["headers"] = {REPLAYED_HEADER: _REPLAYED}
    if op.cacheable:
        responses["304"] = {"description": "Not modified.", "headers": dict(_READ_HEADERS)}
    problem = {PROBLEM_JSON: {"schema": refs[(("", "problem"), "serialization")]}}
    by_status: dict[int, list[ErrorCode]] = {}
    for code in op.all_errors:
        for status in statuses_of(code):
            by_status.setdefault(status, []).append(code)
    refusals = _BODY_REFUSALS if op.body_model is not None else {}
    for refusal, description in refusals.items():
        responses[refusal] = {"description": description, "content": problem}
    for status, codes in sorted(by_status.items()):
        names = ", ".join(code.value for code in codes)
        responses[str(status)] = {"description": f"A problem: {names}.", "content": problem}
    return responses


_LAST_EVENT_ID: Final = {
    "name": "Last-Event-ID",
    "in": "header",
    "required": False,
    "description": "The id of the last event received: the stream starts after it. Browsers' "
    "`EventSource` sends it by itself when it reconnects.",
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


def _stream(
    stream: EventStream, refs: dict[tuple[tuple[str, str], Any], Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    """A Server-Sent Events GET. OpenAPI 3.1 has no schema for the events themselves, so
    `x-events` maps each event name to the schema of its `data`."""
    problem_ref = refs[(("", "problem"), "serialization")]
    events = {
        stream.event: refs[((stream.operation_id, "event"), "serialization")],
        "error": problem_ref,
    }
    success = {
        "description": stream.summary,
        "headers": {"Cache-Control": {"description": "`no-store`.", "schema": _STRING}},
        "content": {
            EVENT_STREAM: {
                "schema": {
                    "type": "string",
                    "description": "Events (`id:`, `event:`, `data:` lines, then a blank one) "
                    "and `:` comments, as the HTML Living Standard's Server-sent events define.",
                },
                "x-events": events,
            }
        },
    }
    responses: dict[str, Any] = {"200": success}
    problem = {PROBLEM_JSON: {"schema": problem_ref}}
    by_status: dict[int, list[ErrorCode]] = {}
    for code in stream.all_errors:
        for status in statuses_of(code):
            by_status.setdefault(status, []).append(code)
    for status, codes in sorted(by_status.items()):
        names = ", ".join(code.value for code in codes)
        responses[str(status)] = {"description": f"A problem: {names}.", "content": problem}
    parameters = _parameters(stream.path_model, "path", schemas) + _parameters(
        stream.query_model, "query", schemas
    )
    scope_note = f"Needs a token with the `{stream.scope.value}` scope."
    return {
        "operationId": stream.operation_id,
        "summary": stream.summary,
        "description": f"{stream.description}\n\n{scope_note}",
        "tags": [stream.tag],
        "parameters": [*parameters, dict(_LAST_EVENT_ID)],
        "responses": responses,
        "x-required-scope": stream.scope.value,
    }


_DOCS_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em}code,pre{font:13px ui-monospace,monospace}
details{margin:.4em 0;border:1px solid #e3e3e3;border-radius:4px;padding:.3em .6em}
summary{cursor:pointer}.m{display:inline-block;width:4.5em;font-weight:bold}
pre{background:#f6f6f6;padding:.6em;overflow:auto}
</style></head><body>
<h1>%(title)s</h1><p>The document itself: <a href="openapi.json">openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
const spec = %(spec)s;
const el = (tag, text) => { const e = document.createElement(tag); if (text) e.textContent = text; return e; };
const root = document.getElementById("ops"); root.textContent = "";
const byTag = {};
for (const [path, item] of Object.entries(spec.paths))
  for (const [method, op] of Object.entries(item)) (byTag[op.tags[0]] ||= []).push([method, path, op]);
for (const tag of spec.tags) {
  root.append(el("h2", tag.name), el("p", tag.description));
  for (const [method, path, op] of byTag[tag.name] || []) {
    const d = el("details"), s = el("summary"), m = el("span", method.toUpperCase());
    m.className = "m"; s.append(m, el("code", path), " — " + op.summary); d.append(s);
    if (op.description) d.append(el("p", op.description));
    d.append(el("pre", JSON.stringify({parameters: op.parameters, requestBody: op.requestBody,
      responses: op.responses}, null, 2)));
    root.append(d);
  }
}
root.append(el("h2", "Schemas"), el("pre", JSON.stringify(spec.components.schemas, null, 2)));
</script></body></html>
"""


def document_routes(document: dict[str, Any], client_for: ClientGetter) -> list[BaseRoute]:
    """`/openapi.json` and `/docs`, a self-contained page (no CDN, no external script), for the
    callers `client_for` admits with the `read` scope: outside sandbox mode the API's shape is
    shown only to its clients, as GraphQL's introspection is off there."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    # The page embeds the document; `</` is escaped so it cannot end the script element.
    embedded = json.dumps(document).replace("</", "<\\/")
    page = _DOCS_PAGE % {"title": document["info"]["title"], "spec": embedded}

    async def openapi_json(_: Request) -> Response:
        return Response(body, media_type=JSON)

    async def docs(_: Request) -> HTMLResponse:
        return HTMLResponse(page)

    return [
        Route("/openapi.json", guarded(openapi_json, client_for, Scope.READ)),
        Route("/docs", guarded(docs, client_for, Scope.READ)),
    ]


__all__ = ["OPENAPI_VERSION", "document_routes", "openapi_document"]
