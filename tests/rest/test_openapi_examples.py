"""Every operation of `/openapi.json` has examples (request body, path parameters, responses,
problems, events), each valid against its schema and its model, and each example request is
one the sandbox's demo data answers with the documented success."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

# openapi-spec-validator's own validator (JSON Schema 2020-12, OpenAPI 3.1's); it has no stubs.
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import TypeAdapter

from facade.errors import ErrorCode
from facade.rest import RESOURCES
from facade.rest.examples import example_of, problem_example
from facade.rest.openapi import openapi_document
from facade.rest.operations import Operation

DOCUMENT = openapi_document(RESOURCES, title="smsc-facade", version="1", streams=True)
OPERATIONS = [op for resource in RESOURCES for op in resource.operations]
JSON = "application/json"


def _entries() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, entry in item.items():
            yield path, method, entry


def _media(entry: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, media type, media type object) of the body and of every response."""
    for media_type, media in entry.get("requestBody", {}).get("content", {}).items():
        yield "requestBody", media_type, media
    for status, response in entry["responses"].items():
        for media_type, media in response.get("content", {}).items():
            yield status, media_type, media


def _valid(schema: dict[str, Any], value: Any) -> list[str]:
    root = {"components": DOCUMENT["components"], "allOf": [schema]}
    return [error.message for error in Draft202012Validator(root).iter_errors(value)]


@pytest.mark.parametrize(
    ("path", "method", "entry"),
    [pytest.param(p, m, e, id=e["operationId"]) for p, m, e in _entries()],
)
def test_every_body_response_and_problem_has_a_valid_example(
    path: str, method: str, entry: dict[str, Any]
) -> None:
    media_types = list(_media(entry))
    assert media_types
    for where, media_type, media in media_types:
        examples = (
            [media["example"]]
            if "example" in media
            else [example["value"] for example in media["examples"].values()]
        )
        assert examples, (where, media_type)
        for example in examples:
            if media_type in {JSON, "application/problem+json"}:
                assert _valid(media["schema"], example) == [], (where, example)
            else:
                assert isinstance(example, str)
                assert example


@pytest.mark.parametrize(
    ("path", "method", "entry"),
    [pytest.param(p, m, e, id=e["operationId"]) for p, m, e in _entries()],
)
def test_every_path_parameter_has_a_valid_example(
    path: str, method: str, entry: dict[str, Any]
) -> None:
    for parameter in entry["parameters"]:
        if parameter["in"] == "path":
            assert _valid(parameter["schema"], parameter["example"]) == []


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.operation_id)
def test_the_examples_are_what_the_models_read_and_write(op: Operation) -> None:
    entry = DOCUMENT["paths"][op.path][op.method.lower()]
    if op.body_model is not None:
        body = entry["requestBody"]["content"][JSON]["example"]
        op.body_model.model_validate_json(json.dumps(body))
    if op.response is not None and not op.files:
        response = entry["responses"][str(op.status)]["content"][JSON]["example"]
        adapter: TypeAdapter[Any] = TypeAdapter(op.response)
        value = adapter.validate_json(json.dumps(response))
        assert json.loads(adapter.dump_json(value, by_alias=True)) == response


@pytest.mark.anyio
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.operation_id)
async def test_the_example_request_succeeds_in_the_sandbox(
    client: httpx.AsyncClient, op: Operation
) -> None:
    """What "Try it out" sends when nothing is changed: the documented success."""
    entry = DOCUMENT["paths"][op.path][op.method.lower()]
    url = op.path
    query: dict[str, Any] = {}
    for parameter in entry["parameters"]:
        if parameter["in"] == "path":
            url = url.replace(f"{{{parameter['name']}}}", parameter["example"])
        elif parameter["in"] == "query" and parameter["required"]:
            query[parameter["name"]] = parameter["example"]
    body = entry.get("requestBody", {}).get("content", {}).get(JSON, {}).get("example")

    response = await client.request(op.method, url, params=query, json=body)

    assert response.status_code in {op.status, *op.empty}, response.text


def test_the_stream_shows_an_event_of_its_data() -> None:
    media = DOCUMENT["paths"]["/v1/answers/stream"]["get"]["responses"]["200"]["content"]
    event = media["text/event-stream"]["example"]
    data = DOCUMENT["components"]["schemas"]["Answer"]["examples"][0]
    lines = event.split("\n")
    assert lines[:2] == [f"id: {data['id']}", "event: answer"]
    assert json.loads(lines[2].removeprefix("data: ")) == data
    assert event.endswith("\n\n")


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param({"type": "string", "examples": ["a", "b"]}, "a", id="declared"),
        pytest.param({"type": "integer", "default": 20}, 20, id="default"),
        pytest.param({"const": "x"}, "x", id="const"),
        pytest.param({"enum": ["ALL", "MASS"]}, "ALL", id="enum"),
        pytest.param({"anyOf": [{"type": "null"}, {"type": "boolean"}]}, True, id="nullable"),
        pytest.param({"anyOf": [{"type": "null"}]}, None, id="null-only"),
        pytest.param({"type": "integer", "minimum": 10}, 10, id="minimum"),
        pytest.param({"type": "string", "format": "date"}, "2025-06-02", id="date"),
        pytest.param({"type": "array"}, [], id="array-of-anything"),
        pytest.param({"$ref": "#/components/schemas/Item"}, {"id": "7"}, id="ref"),
        pytest.param(
            {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            [{"id": "7"}],
            id="array",
        ),
        pytest.param(
            {
                "type": "object",
                "properties": {
                    "a": {"type": "string"},
                    "b": {"type": "string"},
                    "c": {"type": "integer", "examples": [3]},
                },
                "required": ["a"],
            },
            {"a": "text", "c": 3},
            id="object-required-and-declared",
        ),
        pytest.param(
            {"$ref": "#/components/schemas/Ordered"},
            {"z": 1, "a": {"id": "1", "name": "n"}},
            id="declared-in-field-order",
        ),
        pytest.param({}, None, id="anything"),
    ],
)
def test_example_of(schema: dict[str, Any], expected: Any) -> None:
    schemas = {
        "Item": {
            "type": "object",
            "properties": {"id": {"type": "string", "examples": ["7"]}},
            "required": ["id"],
        },
        "Ordered": {
            "type": "object",
            "properties": {"z": {"type": "integer"}, "a": {"$ref": "#/components/schemas/Pair"}},
            "examples": [{"a": {"name": "n", "id": "1"}, "z": 1}],
        },
        "Pair": {"properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    }
    found = example_of(schema, schemas)
    assert found == expected
    assert json.dumps(found) == json.dumps(expected), "in field order"


def test_a_problem_example_is_what_the_service_answers() -> None:
    assert problem_example(429, ErrorCode.RATE_LIMITED) == {
        "type": "urn:smsc-facade:problem:rate-limited",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "SMSC allows no more identical requests for now.",
        "code": "RATE_LIMITED",
        "upstreamCode": 9,
        "retryAfter": 60.0,
    }
