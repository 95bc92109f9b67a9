import pathlib

import pytest

from facade.cli import main
from facade.graphql.schema import create_schema

SDL = pathlib.Path(__file__).parent.parent / "schema.graphql"


def test_checked_in_schema_is_what_the_code_defines():
    assert SDL.read_text(encoding="utf-8") == create_schema().as_str() + "\n", (
        "schema.graphql is stale: run `facade schema > schema.graphql` and review the diff"
    )


def test_facade_schema_prints_the_sdl(capsys):
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == SDL.read_text(encoding="utf-8")


def test_the_sdl_does_not_depend_on_introspection():
    assert create_schema(introspection=False).as_str() == create_schema().as_str()


INTROSPECTION = [
    pytest.param("{ __schema { queryType { name } } }", "__schema", id="schema"),
    pytest.param('{ __type(name: "Query") { name } }', "__type", id="type"),
    pytest.param(
        "{ ...F } fragment F on Query { __schema { types { name } } }",
        "__schema",
        id="through-a-fragment",
    ),
    pytest.param(
        "query cop { __schema { types { name fields { name } } } }", "__schema", id="graphql-cop"
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("query", "field"), INTROSPECTION)
async def test_introspection_can_be_turned_off(query, field):
    result = await create_schema(production=True, introspection=False).execute(query)
    assert result.data is None
    assert result.errors
    assert result.errors[0].message == (
        "GraphQL introspection has been disabled, but the requested query contained "
        f"the field '{field}'."
    )


@pytest.mark.anyio
@pytest.mark.parametrize(("query", "field"), INTROSPECTION)
async def test_introspection_is_on_by_default(query, field):
    result = await create_schema().execute(query)
    assert result.errors is None
    assert result.data


@pytest.mark.anyio
async def test_typename_is_not_introspection():
    result = await create_schema(introspection=False).execute("{ __typename }")
    assert result.errors is None
    assert result.data == {"__typename": "Query"}
