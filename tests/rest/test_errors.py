"""The one table: each exception class → status, code and members of the problem."""

import json
from typing import Any

import pytest
from starlette.exceptions import HTTPException

from facade import errors as tree
from facade.errors import ErrorCode
from facade.rest.errors import PROBLEMS, error_response, statuses_of

SMSC = {"endpoint": "templates.php"}


@pytest.mark.parametrize(
    ("error", "status", "code", "members", "headers"),
    [
        pytest.param(
            tree.InputError("phones[2]", "bad"),
            400,
            "INVALID_INPUT",
            {"field": "phones[2]"},
            {},
            id="input",
        ),
        pytest.param(
            tree.AuthError("no token"),
            401,
            "UNAUTHENTICATED",
            {},
            {"www-authenticate": "Bearer"},
            id="auth",
        ),
        pytest.param(tree.ForbiddenError("scope"), 403, "FORBIDDEN", {}, {}, id="forbidden"),
        pytest.param(
            tree.IdempotencyKeyReused(),
            422,
            "INVALID_INPUT",
            {"field": "idempotencyKey"},
            {},
            id="key-reused",
        ),
        pytest.param(
            tree.InProgressError("still running", retry_after=2.5),
            409,
            "CONFLICT",
            {"retryAfter": 2.5},
            {"retry-after": "3"},
            id="in-progress",
        ),
        pytest.param(tree.NotFoundError("gone"), 404, "NOT_FOUND", {}, {}, id="not-found"),
        pytest.param(
            tree.SmscNotFound(3, "x", **SMSC),
            404,
            "NOT_FOUND",
            {"upstreamCode": 3},
            {},
            id="smsc-3",
        ),
        pytest.param(
            tree.RateLimitedError("wait", retry_after=0.2),
            429,
            "RATE_LIMITED",
            {"retryAfter": 0.2},
            {"retry-after": "1"},
            id="guard",
        ),
        pytest.param(
            tree.SmscRateLimited(9, "x", **SMSC),
            429,
            "RATE_LIMITED",
            {"retryAfter": 60.0, "upstreamCode": 9},
            {"retry-after": "60"},
            id="smsc-9",
        ),
        pytest.param(
            tree.SmscAuthError(2, "x", **SMSC),
            502,
            "UPSTREAM_AUTH_FAILED",
            {"upstreamCode": 2},
            {},
            id="smsc-2",
        ),
        pytest.param(
            tree.SmscBlocked(4, "x", **SMSC),
            503,
            "UPSTREAM_IP_BLOCKED",
            {"upstreamCode": 4},
            {},
            id="smsc-4",
        ),
        pytest.param(
            tree.SmscRejected(5, "x", **SMSC),
            422,
            "UPSTREAM_REJECTED",
            {"upstreamCode": 5},
            {},
            id="smsc-5",
        ),
        pytest.param(
            tree.SmscBadRequest(1, "x", **SMSC),
            422,
            "UPSTREAM_REJECTED",
            {"upstreamCode": 1},
            {},
            id="smsc-1",
        ),
        pytest.param(
            tree.UpstreamOutcomeUnknown("x", path="/", host="h"),
            502,
            "UPSTREAM_UNAVAILABLE",
            {"outcomeUnknown": True},
            {},
            id="unknown-outcome",
        ),
        pytest.param(
            tree.UpstreamUnavailable("down"), 503, "UPSTREAM_UNAVAILABLE", {}, {}, id="unavailable"
        ),
        pytest.param(
            tree.UpstreamProtocolError("r", endpoint="e", fmt=3, body=b"x"),
            502,
            "UPSTREAM_PROTOCOL_ERROR",
            {},
            {},
            id="protocol",
        ),
        pytest.param(
            tree.UpstreamError("other"), 502, "UPSTREAM_UNAVAILABLE", {}, {}, id="upstream-base"
        ),
        pytest.param(HTTPException(413, "big"), 413, "INVALID_INPUT", {}, {}, id="http-413"),
        pytest.param(HTTPException(429), 429, "RATE_LIMITED", {}, {}, id="http-429"),
        pytest.param(HTTPException(503), 503, "INTERNAL", {}, {}, id="http-503"),
    ],
)
def test_each_class_maps_to_its_problem(
    error: Exception, status: int, code: str, members: dict[str, Any], headers: dict[str, str]
) -> None:
    response = error_response(error, "test")

    assert response.status_code == status
    assert response.media_type == "application/problem+json"
    body = json.loads(bytes(response.body))
    assert body["code"] == code
    assert {k: body[k] for k in members} == members
    for name, value in headers.items():
        assert response.headers[name] == value
    optional = {"field", "upstreamCode", "retryAfter", "outcomeUnknown"}
    assert optional & set(body) == set(members), "absent members are left out, not null"


def test_subclasses_come_before_their_bases() -> None:
    for index, (cls, _) in enumerate(PROBLEMS):
        for earlier, _ in PROBLEMS[:index]:
            assert not issubclass(cls, earlier), (cls, earlier)


def test_every_code_has_statuses() -> None:
    assert statuses_of(ErrorCode.UPSTREAM_UNAVAILABLE) == {502, 503}
    assert statuses_of(ErrorCode.INTERNAL) == {500}
    for code in ErrorCode:
        assert statuses_of(code)
