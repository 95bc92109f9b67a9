"""The error surface: union members from the one table, and codes on every other error."""

import logging
from typing import Annotated, Any

import httpx
import pytest
import strawberry
import strawberry.asgi
from starlette.applications import Starlette
from starlette.routing import Route

from facade import errors as tree
from facade.graphql.errors import (
    ErrorExtension,
    FacadeSchema,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    UpstreamError,
    member_type,
)
from facade.vocabulary.problems import SMSC_RETRY_AFTER, ErrorDetails

pytestmark = pytest.mark.anyio

SECRET = "password=hunter2 at /srv/facade/secret.py"  # noqa: S105 - what must not leak
SMSC_AUTH = tree.SmscAuthError(2, "authorise error", endpoint="/sys/jobs.php?add")
OUTCOME_UNKNOWN = tree.UpstreamOutcomeUnknown("HTTP 503 from smsc.ru", path="/sys/x", host="h")


@strawberry.type
class Done:
    ok: bool = True


Outcome = Annotated[Done | InvalidInputError | RateLimitedError, strawberry.union("Outcome")]
RAISED: dict[str, Exception] = {}


def _raise(name: str) -> Any:
    raise RAISED[name]


@strawberry.type
class Query:
    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError(SECRET)

    @strawberry.field
    async def fails(self, name: str) -> str:
        return str(_raise(name))

    @strawberry.field
    def never_null(self) -> str:
        return None  # type: ignore[return-value]  # on purpose: graphql-core's own error

    @strawberry.field
    def outcome(self, name: str) -> Outcome:
        return _raise(name) if name else Done()

    @strawberry.field
    async def outcome_async(self, name: str) -> Outcome:
        return _raise(name) if name else Done()


def schema() -> strawberry.Schema:
    return FacadeSchema(query=Query, extensions=[ErrorExtension])


async def execute(query: str, **raised: Exception) -> Any:
    RAISED.clear()
    RAISED.update(raised)
    return await schema().execute(query)


async def test_an_unexpected_exception_is_masked_and_logged_once_through_http(
    caplog: pytest.LogCaptureFixture,
) -> None:
    view = strawberry.asgi.GraphQL[None, None](schema())
    app = Starlette(routes=[Route("/graphql", view, methods=["POST"])])
    transport = httpx.ASGITransport(app=app)
    caplog.set_level(logging.DEBUG)

    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        response = await client.post("/graphql", json={"query": "{ boom }"})

    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Internal error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["boom"],
                "extensions": {"code": "INTERNAL"},
            }
        ],
    }
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    (record,) = [r for r in caplog.records if r.name in ("facade.graphql", "strawberry.execution")]
    assert (record.name, record.levelno) == ("facade.graphql", logging.ERROR)
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "boom" in record.getMessage()


async def test_strawberry_alone_would_log_the_error_a_second_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain = strawberry.Schema(query=Query, extensions=[ErrorExtension])
    caplog.set_level(logging.ERROR)

    await plain.execute("{ boom }")

    assert sorted(r.name for r in caplog.records) == ["facade.graphql", "strawberry.execution"]


async def test_a_graphql_core_error_while_executing_is_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await execute("{ neverNull }")

    (error,) = result.errors
    assert (error.message, error.extensions, error.path) == (
        "Internal error.",
        {"code": "INTERNAL"},
        ["neverNull"],
    )
    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == ["facade.graphql"]


@pytest.mark.parametrize(
    ("raised", "extensions"),
    [
        pytest.param(
            tree.InputError("toPhone", "must be a phone"),
            {"code": "INVALID_INPUT", "field": "toPhone"},
            id="input",
        ),
        pytest.param(tree.AuthError("unknown token"), {"code": "UNAUTHENTICATED"}, id="auth"),
        pytest.param(tree.ForbiddenError("needs write"), {"code": "FORBIDDEN"}, id="forbidden"),
        pytest.param(tree.NotFoundError("no such job"), {"code": "NOT_FOUND"}, id="not-found"),
        pytest.param(
            tree.RateLimitedError("wait", retry_after=12.5),
            {"code": "RATE_LIMITED", "retryAfter": 12.5},
            id="rate-limited",
        ),
        pytest.param(
            tree.SmscRateLimited(9, "duplicate request", endpoint="/sys/get.php?get_answers"),
            {"code": "RATE_LIMITED", "upstreamCode": 9, "retryAfter": SMSC_RETRY_AFTER},
            id="smsc-rate-limited",
        ),
        pytest.param(
            SMSC_AUTH, {"code": "UPSTREAM_AUTH_FAILED", "upstreamCode": 2}, id="smsc-auth"
        ),
        pytest.param(
            tree.SmscBlocked(4, "ip blocked", endpoint="/sys/get.php"),
            {"code": "UPSTREAM_IP_BLOCKED", "upstreamCode": 4},
            id="smsc-blocked",
        ),
        pytest.param(
            tree.UpstreamUnavailable("SMSC timed out"),
            {"code": "UPSTREAM_UNAVAILABLE"},
            id="unavailable",
        ),
        pytest.param(
            tree.UpstreamProtocolError("no id", endpoint="jobs.php", fmt=3, body=b"{}"),
            {"code": "UPSTREAM_PROTOCOL_ERROR"},
            id="protocol",
        ),
    ],
)
async def test_a_facade_error_keeps_its_message_and_gets_its_code(
    caplog: pytest.LogCaptureFixture, raised: tree.FacadeError, extensions: dict[str, Any]
) -> None:
    caplog.set_level(logging.INFO, logger="facade.graphql")

    result = await execute('{ fails(name: "x") }', x=raised)

    (error,) = result.errors
    assert (error.message, error.extensions, error.path) == (str(raised), extensions, ["fails"])
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert record.exc_info is None


async def test_a_config_error_is_masked_like_any_unexpected_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await execute('{ fails(name: "x") }', x=tree.ConfigError(["SMSC_LOGIN missing"]))

    (error,) = result.errors
    assert (error.message, error.extensions) == ("Internal error.", {"code": "INTERNAL"})
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("{ nope }", "Cannot query field 'nope' on type 'Query'.", id="validation"),
        pytest.param("{ boom", "Syntax Error: Expected Name, found <EOF>.", id="syntax"),
        pytest.param("{ fails }", "Argument 'Query.fails(name:)' of type", id="missing-argument"),
    ],
)
async def test_graphql_request_errors_keep_their_message_and_are_invalid_input(
    caplog: pytest.LogCaptureFixture, query: str, message: str
) -> None:
    result = await execute(query)

    (error,) = result.errors
    assert error.message.startswith(message)
    assert error.extensions == {"code": "INVALID_INPUT"}
    assert not caplog.records


@pytest.mark.parametrize("field", ["outcome", "outcomeAsync"])
@pytest.mark.parametrize(
    ("raised", "member"),
    [
        pytest.param(
            tree.InputError("name", "bad"),
            {"__typename": "InvalidInputError", "code": "INVALID_INPUT", "field": "name"},
            id="input",
        ),
        pytest.param(
            tree.RateLimitedError("wait", retry_after=3.0),
            {"__typename": "RateLimitedError", "code": "RATE_LIMITED", "retryAfter": 3.0},
            id="rate-limited",
        ),
    ],
)
async def test_a_member_of_the_union_is_the_field_value(
    field: str, raised: tree.FacadeError, member: dict[str, Any]
) -> None:
    query = (
        f'{{ {field}(name: "x") {{ __typename ... on Error {{ code }}'
        " ... on InvalidInputError { field } ... on RateLimitedError { retryAfter } } }"
    )

    result = await execute(query, x=raised)

    assert result.errors is None
    assert result.data == {field: member}


@pytest.mark.parametrize("field", ["outcome", "outcomeAsync"])
async def test_a_success_passes_through(field: str) -> None:
    result = await execute(f'{{ {field}(name: "") {{ __typename }} }}')

    assert result.data == {field: {"__typename": "Done"}}


@pytest.mark.parametrize("field", ["outcome", "outcomeAsync"])
@pytest.mark.parametrize(
    "raised",
    [
        pytest.param(
            tree.SmscNotFound(3, "record not found", endpoint="x"), id="member-not-listed"
        ),
        pytest.param(tree.AuthError("no token"), id="no-member"),
        pytest.param(ValueError("plain"), id="not-a-facade-error"),
    ],
)
async def test_an_error_the_union_does_not_list_is_a_graphql_error(
    field: str, raised: Exception
) -> None:
    result = await execute(f'{{ {field}(name: "x") {{ __typename }} }}', x=raised)

    (error,) = result.errors
    assert result.data is None
    assert error.path == [field]
    assert error.extensions["code"] == getattr(raised, "code", "INTERNAL")


async def test_only_a_field_returning_a_union_resolves_to_a_member() -> None:
    result = await execute('{ fails(name: "x") }', x=tree.InputError("f", "m"))

    (error,) = result.errors
    assert result.data is None
    assert error.extensions == {"code": "INVALID_INPUT", "field": "f"}


@pytest.mark.parametrize(
    ("error", "member"),
    [
        pytest.param(tree.InputError("f", "m"), InvalidInputError, id="input"),
        pytest.param(tree.NotFoundError("m"), NotFoundError, id="not-found"),
        pytest.param(tree.SmscNotFound(3, "m", endpoint="e"), NotFoundError, id="smsc-not-found"),
        pytest.param(tree.RateLimitedError("m", retry_after=1), RateLimitedError, id="limited"),
        pytest.param(tree.SmscRateLimited(9, "m", endpoint="e"), RateLimitedError, id="smsc-9"),
        pytest.param(tree.SmscRejected(5, "m", endpoint="e"), UpstreamError, id="rejected"),
        pytest.param(tree.SmscBadRequest(1, "m", endpoint="e"), UpstreamError, id="bad-request"),
        pytest.param(SMSC_AUTH, UpstreamError, id="smsc-auth"),
        pytest.param(tree.UpstreamUnavailable("m"), UpstreamError, id="unavailable"),
        pytest.param(OUTCOME_UNKNOWN, UpstreamError, id="outcome-unknown"),
        pytest.param(tree.AuthError("m"), None, id="auth"),
        pytest.param(tree.ForbiddenError("m"), None, id="forbidden"),
        pytest.param(tree.ConfigError(["m"]), None, id="config"),
    ],
)
def test_the_table_names_one_member_per_error(error: tree.FacadeError, member: type | None) -> None:
    assert member_type(error) is member


def test_details_of_an_outcome_unknown_write() -> None:
    details = ErrorDetails.of(OUTCOME_UNKNOWN)

    assert UpstreamError.from_details(details) == UpstreamError(
        code=tree.ErrorCode.UPSTREAM_UNAVAILABLE,
        message="HTTP 503 from smsc.ru",
        upstream_code=None,
        outcome_unknown=True,
    )
    assert details.extensions() == {"code": "UPSTREAM_UNAVAILABLE", "outcomeUnknown": True}


def test_a_rate_limited_member_always_says_when_to_retry() -> None:
    details = ErrorDetails(code=tree.ErrorCode.RATE_LIMITED, message="m")

    assert RateLimitedError.from_details(details).retry_after == SMSC_RETRY_AFTER
