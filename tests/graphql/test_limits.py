"""Abuse limits: every abusive operation is refused before a resolver (or SMSC) is reached."""

import enum
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry
from graphql import OperationDefinitionNode, get_introspection_query, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from facade.graphql.context import Context
from facade.graphql.http import GRAPHQL_RESPONSE_JSON, GraphQLView
from facade.graphql.limits import (
    MAX_ALIASES,
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_DIRECTIVES,
    MAX_REPEATS,
    MAX_TOKENS,
    HideSuggestions,
    QueryShapeLimit,
    Shape,
    TokenLimit,
    abuse_extensions,
    measure,
)
from facade.graphql.mutations import Mutation as FacadeMutation
from facade.graphql.queries import Query as FacadeQuery
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

CALLS: list[str] = []


@strawberry.enum
class Color(enum.Enum):
    GREEN = "GREEN"


@strawberry.type
class Node:
    @strawberry.field
    def child(self) -> "Node":
        CALLS.append("child")
        return Node()

    @strawberry.field
    def value(self, color: Color | None = None) -> int:
        CALLS.append("value")
        return 1


@strawberry.type
class Query:
    @strawberry.field
    def node(self) -> Node:
        CALLS.append("node")
        return Node()


def chain(children: int, leaf: str = "value") -> str:
    """`child { child { ... leaf } }`: `children + 1` fields deep."""
    return "child { " * children + leaf + " }" * children


def nested(depth: int, leaf: str = "value") -> str:
    """`{ node { child { ... leaf } } }`, `depth` fields deep."""
    return "{ node { " + chain(depth - 2, leaf) + " } }"


def introspection_attack(depth: int) -> str:
    return (
        "{ __schema { types { fields { type { "
        + "ofType { " * (depth - 5)
        + "name"
        + " }" * (depth - 5)
        + " } } } } }"
    )


def aliased(count: int) -> str:
    return "{ node { " + " ".join(f"a{i}: value" for i in range(count)) + " } }"


async def run(query: str, *, production: bool = False, **variables: Any) -> dict[str, Any]:
    CALLS.clear()
    schema = strawberry.Schema(query=Query, extensions=abuse_extensions(production=production))
    result = await schema.execute(query, variable_values=variables or None)
    return {
        "data": result.data,
        "errors": [error.message for error in result.errors or ()],
    }


def test_abuse_extensions_are_classes_and_hide_suggestions_only_in_production() -> None:
    assert abuse_extensions(production=False) == [TokenLimit, QueryShapeLimit]
    assert abuse_extensions(production=True) == [TokenLimit, QueryShapeLimit, HideSuggestions]


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        pytest.param(nested(MAX_DEPTH), None, id="at-the-limit"),
        pytest.param(nested(MAX_DEPTH + 1), MAX_DEPTH + 1, id="one-over"),
        pytest.param(nested(50), 50, id="depth-50"),
        pytest.param(
            "{ node { ...Deep } } fragment Deep on Node { " + chain(MAX_DEPTH - 1) + " }",
            MAX_DEPTH + 1,
            id="through-a-fragment",
        ),
        pytest.param(
            "{ node { ... on Node { " + chain(MAX_DEPTH - 1) + " } } }",
            MAX_DEPTH + 1,
            id="through-an-inline-fragment",
        ),
        pytest.param(nested(MAX_DEPTH, leaf="__typename"), None, id="typename-counts"),
        pytest.param(nested(MAX_DEPTH + 1, leaf="__typename"), MAX_DEPTH + 1, id="typename-over"),
        pytest.param(get_introspection_query(descriptions=True), None, id="standard-introspection"),
        pytest.param(introspection_attack(MAX_DEPTH + 1), MAX_DEPTH + 1, id="introspection-over"),
        pytest.param(introspection_attack(50), 50, id="introspection-depth-50"),
    ],
)
async def test_depth_counts_every_field_including_introspection(
    query: str, depth: int | None
) -> None:
    result = await run(query)
    if depth is None:
        assert result["errors"] == []
    else:
        assert result == {
            "data": None,
            "errors": [f"Query depth {depth} exceeds the maximum of {MAX_DEPTH}."],
        }
        assert CALLS == []


async def test_a_fragment_cycle_is_reported_not_followed() -> None:
    result = await run(
        "{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { ...A }"
    )
    assert result["data"] is None
    assert any("Cannot spread fragment" in error for error in result["errors"])
    assert CALLS == []


async def test_an_unknown_fragment_is_reported_and_measures_empty() -> None:
    result = await run("{ node { ...Missing value } }")
    assert result["errors"] == ["Unknown fragment 'Missing'."]


def test_a_document_nested_past_the_recursion_limit_measures_too_deep() -> None:
    chain = " ".join(f"fragment F{i} on Node {{ ...F{i + 1} }}" for i in range(3000))
    document = parse("{ node { ...F0 } } " + chain + " fragment F3000 on Node { value }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert measure(document, operation) == Shape(MAX_DEPTH + 1, 0)


@pytest.mark.parametrize(
    ("query", "shape"),
    [
        pytest.param("{ node { value } }", Shape(2, 0, 1, "value"), id="plain"),
        pytest.param(
            "{ node { value value a: value } }", Shape(2, 1, 2, "value"), id="alias-is-the-key"
        ),
        pytest.param(
            "{ node { value ...F ... on Node { value } } } fragment F on Node { value child { value } }",
            Shape(3, 0, 3, "value"),
            id="fragments-merge-into-the-set",
        ),
        pytest.param(
            "{ node { ...F ...F } } fragment F on Node { ...G ...G } fragment G on Node { value }",
            Shape(2, 0, 4, "value"),
            id="spreads-multiply",
        ),
    ],
)
def test_measure(query: str, shape: Shape) -> None:
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert measure(document, operation) == shape


@pytest.mark.parametrize(
    ("query", "aliases"),
    [
        pytest.param(aliased(MAX_ALIASES), MAX_ALIASES, id="at-the-limit"),
        pytest.param(aliased(MAX_ALIASES + 1), MAX_ALIASES + 1, id="one-over"),
        pytest.param(aliased(500), 500, id="500-aliases"),
        pytest.param(
            "{ node { ...A ...A } } fragment A on Node { "
            + " ".join(f"a{i}: value" for i in range(MAX_ALIASES // 2 + 1))
            + " }",
            2 * (MAX_ALIASES // 2 + 1),
            id="a-fragment-counts-where-spread",
        ),
    ],
)
async def test_aliases_are_counted_per_operation(query: str, aliases: int) -> None:
    result = await run(query)
    if aliases <= MAX_ALIASES:
        assert result["errors"] == []
    else:
        assert result == {
            "data": None,
            "errors": [f"Query uses {aliases} aliases; the maximum is {MAX_ALIASES}."],
        }
        assert CALLS == []


@pytest.mark.parametrize(
    ("padding", "allowed"),
    [
        pytest.param("\n".join(["# a comment"] * (MAX_TOKENS - 20)) + "\n", True, id="under"),
        pytest.param(" ".join(["__typename"] * MAX_TOKENS), False, id="over"),
        pytest.param(
            "\n".join(["# a comment"] * MAX_TOKENS) + "\n__typename", False, id="comments"
        ),
    ],
)
async def test_tokens_are_limited_while_parsing(padding: str, allowed: bool) -> None:
    result = await run("{ node { value } " + padding + " }")
    if allowed:
        assert result["errors"] == []
    else:
        assert result["data"] is None
        assert result["errors"] == [
            f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."
        ]
        assert CALLS == []


@pytest.mark.parametrize(
    ("query", "variables", "hint"),
    [
        pytest.param("{ node { valeu } }", {}, "Did you mean 'value'?", id="field"),
        pytest.param(
            "{ node { value(colour: GREEN) } }", {}, "Did you mean 'color'?", id="argument"
        ),
        pytest.param(
            "{ node { value(color: GREN) } }",
            {},
            "Did you mean the enum value 'GREEN'?",
            id="enum-literal",
        ),
        pytest.param(
            "query($c: Color) { node { value(color: $c) } }",
            {"c": "GREN"},
            "Did you mean the enum value 'GREEN'?",
            id="enum-variable",
        ),
        pytest.param(
            "query($c: Colour) { node { value } }", {}, "Did you mean 'Color'?", id="type"
        ),
    ],
)
async def test_suggestions_are_hidden_in_production_only(
    query: str, variables: dict[str, Any], hint: str
) -> None:
    development = await run(query, **variables)
    assert any(hint in error for error in development["errors"])
    production = await run(query, production=True, **variables)
    assert production["errors"]
    assert not any("Did you mean" in error for error in production["errors"])
    assert [error.replace(" " + hint, "") for error in development["errors"]] == production[
        "errors"
    ]


ABUSE = [
    pytest.param(nested(50), 400, id="depth-50"),
    pytest.param(aliased(500), 400, id="500-aliases"),
    pytest.param("{ node { value } }" + " " * MAX_BODY_BYTES, 413, id="100-kb"),
]


@pytest.mark.parametrize(("query", "status"), ABUSE)
async def test_an_abusive_query_over_http_runs_no_resolver(query: str, status: int) -> None:
    async def no_context(_: Request) -> None:
        return None

    schema = strawberry.Schema(query=Query, extensions=abuse_extensions(production=True))
    app = Starlette(routes=[Route("/graphql", GraphQLView(schema, context_getter=no_context))])
    CALLS.clear()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
        )
    assert response.status_code == status
    assert "data" not in response.json()
    assert CALLS == []


@pytest.fixture
def upstream() -> Harness:
    return harness()


@pytest.fixture
async def facade(upstream: Harness) -> AsyncIterator[httpx.AsyncClient]:
    """The facade's own Query and Mutation behind the view, with every abuse limit."""

    async def context(_: Request) -> Context:
        return Context(smsc=upstream.client)

    schema = strawberry.Schema(
        query=FacadeQuery, mutation=FacadeMutation, extensions=abuse_extensions(production=True)
    )
    view = GraphQLView(schema, context_getter=context)
    app = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"])])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://facade",
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("query", "status"),
    [
        pytest.param("{ templates { id } " + introspection_attack(50)[1:], 400, id="depth-50"),
        pytest.param(
            "{ " + " ".join(f"t{i}: templates {{ id }}" for i in range(500)) + " }",
            400,
            id="500-aliases",
        ),
        pytest.param("{ templates { id } }" + " " * MAX_BODY_BYTES, 413, id="100-kb"),
    ],
)
async def test_an_abusive_query_never_reaches_smsc(
    facade: httpx.AsyncClient, upstream: Harness, query: str, status: int
) -> None:
    response = await facade.post("/graphql", json={"query": query})
    assert response.status_code == status
    assert "data" not in response.json()
    assert upstream.calls() == []


async def test_a_fair_query_does_reach_smsc(facade: httpx.AsyncClient, upstream: Harness) -> None:
    response = await facade.post("/graphql", json={"query": "{ templates { id } }"})
    assert response.status_code == 200
    assert response.json()["data"]["templates"]
    assert len(upstream.calls()) == 1


def repeated(count: int, field: str = "value") -> str:
    return "{ node { " + " ".join([field] * count) + " } }"


@pytest.mark.parametrize(
    ("query", "repeats"),
    [
        pytest.param(repeated(MAX_REPEATS), None, id="at-the-limit"),
        pytest.param(repeated(MAX_REPEATS + 1), MAX_REPEATS + 1, id="one-over"),
        pytest.param(repeated(500, "__typename"), 500, id="graphql-cop-500-typename"),
        pytest.param(
            "{ node { ...A ...A } } fragment A on Node { " + " ".join(["value"] * 11) + " }",
            22,
            id="a-fragment-counts-where-spread",
        ),
        pytest.param(
            "{ node { child { " + " ".join(["value"] * 30) + " } } }", 30, id="nested-set"
        ),
    ],
)
async def test_a_key_repeated_in_one_selection_set_is_limited(
    query: str, repeats: int | None
) -> None:
    result = await run(query)
    if repeats is None:
        assert result["errors"] == []
    else:
        key = "__typename" if "__typename" in query else "value"
        assert result == {
            "data": None,
            "errors": [
                f"Query selects `{key}` {repeats} times in one selection set; "
                f"the maximum is {MAX_REPEATS}."
            ],
        }
        assert CALLS == []


@pytest.mark.parametrize(
    ("query", "count"),
    [
        pytest.param("{ node { value @skip(if: false) @include(if: true) } }", None, id="two"),
        pytest.param(
            "{ node { value " + "@skip(if: false)" * MAX_DIRECTIVES + " } }",
            None,
            id="at-the-limit-is-left-to-validation",
        ),
        pytest.param("{ __typename" + " @aa" * 10 + " }", 10, id="graphql-cop-unknown"),
        pytest.param(
            "{ node { ...F } } fragment F on Node" + " @skip(if: false)" * 5 + " { value }",
            5,
            id="on-a-fragment",
        ),
        pytest.param(
            "query Q($v: Int" + " @aa" * 5 + ") { node { value } }", 5, id="on-a-variable"
        ),
        pytest.param(
            "{ node { value } } fragment Unused on Node { value" + " @aa" * 5 + " }",
            5,
            id="in-an-unused-fragment",
        ),
    ],
)
async def test_directives_on_one_node_are_limited_before_validation(
    query: str, count: int | None
) -> None:
    result = await run(query)
    if count is None:
        assert not any("directives on one node" in error for error in result["errors"])
    else:
        # One error, not one per unknown or duplicated directive: validation never ran.
        assert result == {
            "data": None,
            "errors": [
                f"Query puts {count} directives on one node; the maximum is {MAX_DIRECTIVES}."
            ],
        }


async def test_a_refused_shape_is_not_validated() -> None:
    query = "{ nope " + " ".join(f"a{i}: node {{ value }}" for i in range(MAX_ALIASES + 1)) + " }"
    result = await run(query)
    assert result["errors"] == [
        f"Query uses {MAX_ALIASES + 1} aliases; the maximum is {MAX_ALIASES}."
    ]


async def test_every_limit_an_operation_exceeds_is_reported() -> None:
    query = (
        "{ node { "
        + " ".join(f"a{i}: value" for i in range(MAX_ALIASES + 1))
        + " "
        + " ".join(["value"] * (MAX_REPEATS + 1))
        + " } }"
    )
    result = await run(query)
    assert result["errors"] == [
        f"Query uses {MAX_ALIASES + 1} aliases; the maximum is {MAX_ALIASES}.",
        f"Query selects `value` {MAX_REPEATS + 1} times in one selection set; "
        f"the maximum is {MAX_REPEATS}.",
    ]


async def test_a_fair_query_is_validated_as_usual() -> None:
    result = await run("{ node { nope } }")
    assert result["errors"] == ["Cannot query field 'nope' on type 'Node'."]
