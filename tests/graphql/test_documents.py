"""Documents found valid are parsed and checked once per schema; failing ones every time."""

from typing import Any

import pytest

from facade.graphql import documents
from facade.graphql.context import Context
from facade.graphql.limits import MAX_DEPTH
from facade.graphql.schema import create_schema
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def empty() -> None:
    documents._valid.clear()


async def _run(query: str, *, introspection: bool = True, **variables: Any) -> Any:
    schema = create_schema(production=not introspection, introspection=introspection)
    return await schema.execute(
        query, variable_values=variables, context_value=Context(smsc=harness().client)
    )


async def test_a_valid_document_is_kept_and_reused_with_other_variables() -> None:
    query = "query T($id: ID!) { template(id: $id) { id } }"
    first = await _run(query, id="1")
    second = await _run(query, id="2")
    assert first.errors is None
    assert second.errors is None
    assert len(documents._valid) == 1


async def test_a_document_that_fails_validation_is_never_kept() -> None:
    for _ in range(2):
        result = await _run("{ templates { nope } }")
        assert result.errors
        assert "nope" in result.errors[0].message
    assert len(documents._valid) == 0


async def test_a_document_over_the_limits_is_refused_every_time() -> None:
    nested = "{ " + "__schema { types { fields { type { " + "ofType { " * MAX_DEPTH
    query = nested + "name" + " }" * (MAX_DEPTH + 5)
    for _ in range(2):
        result = await _run(query)
        assert result.errors
        assert "depth" in result.errors[0].message
    assert len(documents._valid) == 0


async def test_kept_documents_are_per_schema() -> None:
    query = "{ __schema { queryType { name } } }"
    assert (await _run(query, introspection=True)).errors is None
    refused = await _run(query, introspection=False)
    assert refused.errors, "validated against the schema without introspection"


async def test_long_documents_are_not_kept() -> None:
    query = "{ templates { id } }" + " " * documents.MAX_KEPT_CHARS
    assert (await _run(query)).errors is None
    assert len(documents._valid) == 0
