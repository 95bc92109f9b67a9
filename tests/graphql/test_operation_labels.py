"""GraphQL requests in `/metrics`: labelled by operation type and first root field, a bounded set
whatever clients send (their `operationName` never becomes a label)."""

import pathlib

import httpx
import pytest
import strawberry

from facade.app import create_app
from facade.graphql.documents import INVALID_OPERATION, operation_label
from facade.graphql.schema import create_schema
from facade.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("document", "name", "label"),
    [
        pytest.param("{ templates { id } }", None, "query templates", id="anonymous"),
        pytest.param("query Mine { groups { id } }", "Mine", "query groups", id="named"),
        pytest.param(
            'mutation { createGroup(input: {name: "x"}) { __typename } }',
            None,
            "mutation createGroup",
            id="mutation",
        ),
        pytest.param("{ __typename }", None, "query __typename", id="meta"),
        pytest.param("{ nosuchfield }", None, INVALID_OPERATION, id="unknown-field"),
        pytest.param(
            "query A { groups { id } } query B { templates { id } }",
            None,
            INVALID_OPERATION,
            id="ambiguous",
        ),
        pytest.param(
            "query A { groups { id } }", "Other", INVALID_OPERATION, id="no-such-operation"
        ),
        pytest.param("{ templates", None, INVALID_OPERATION, id="unparsable"),
    ],
)
def test_labels_name_only_what_the_schema_defines(
    document: str, name: str | None, label: str
) -> None:
    schema = create_schema(production=False, introspection=True)
    assert isinstance(schema, strawberry.Schema)
    assert operation_label(schema._schema, document, name) == label


async def test_graphql_requests_are_counted_by_operation(tmp_path: pathlib.Path) -> None:
    app = create_app(Settings.from_env({"FACADE_DATA_DIR": str(tmp_path)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade.test") as client:
        for _ in range(2):  # the second is a kept answer, counted alike
            answer = await client.post("/graphql", json={"query": "{ templates { id } }"})
            assert answer.status_code == 200
        await client.post(
            "/graphql", json={"query": "query Mine { groups { id } }", "operationName": "Mine"}
        )
        await client.post("/graphql", json={"query": "{ nosuchfield }"})
        text = (await client.get("/metrics")).text

    templates = 'facade_requests_total{api="graphql",operation="query templates",status="200"}'
    assert f"{templates} 2.0" in text
    assert 'operation="query groups"' in text
    assert 'operation="invalid"' in text
    assert "Mine" not in text
    assert 'operation="none"' not in text
