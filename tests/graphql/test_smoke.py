import pytest

from tests.graphql.conftest import GraphQLCall

pytestmark = pytest.mark.anyio


async def test_templates_through_http(graphql: GraphQLCall) -> None:
    body = await graphql("{ templates { id name segments { encoding parts } } }")
    assert "errors" not in body
    assert body["data"]["templates"]
