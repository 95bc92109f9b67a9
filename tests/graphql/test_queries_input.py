"""Every argument check of Query: refused with the public argument's name, SMSC never asked."""

import base64
from typing import Any

import pytest

from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

NOT_UTF8 = base64.urlsafe_b64encode(b"\xff\xfe").decode()


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def assert_invalid_input(body: dict[str, Any], field: str, upstream: Harness) -> None:
    assert len(upstream.emulator.calls) == 0
    [error] = body["errors"]
    assert error["message"].startswith(f"{field}: ")
    # The error surface (extensions.code) is another module's; once it is there, it must say so.
    assert error.get("extensions", {}).get("code", "INVALID_INPUT") == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param('{ template(id: "12a") { id } }', "id", id="template-id-not-digits"),
        pytest.param('{ template(id: "") { id } }', "id", id="template-id-empty"),
        pytest.param('{ job(id: "-1") { id } }', "id", id="job-id-negative"),
        pytest.param('{ job(id: "١٢") { id } }', "id", id="job-id-non-ascii-digits"),
        pytest.param('{ group(id: "1 OR 1") { id } }', "id", id="group-id-sql-ish"),
        pytest.param(
            '{ jobs(since: "2025-06-02", until: "2025-06-01") { id } }',
            "until",
            id="jobs-since-after-until",
        ),
        pytest.param("{ contacts(first: 0) { totalCount } }", "first", id="contacts-first-0"),
        pytest.param("{ contacts(first: 101) { totalCount } }", "first", id="contacts-first-101"),
        pytest.param("{ contacts(first: -5) { totalCount } }", "first", id="contacts-first-neg"),
        pytest.param(
            '{ contacts(after: "garbage!") { totalCount } }', "after", id="contacts-after-garbage"
        ),
        pytest.param(
            '{ contacts(after: "абв") { totalCount } }', "after", id="contacts-after-non-ascii"
        ),
        pytest.param(
            f'{{ contacts(after: "{_cursor("v0:contact:1:79161234567")}") {{ totalCount }} }}',
            "after",
            id="contacts-after-other-version",
        ),
        pytest.param(
            f'{{ contacts(after: "{_cursor("v1:answer:1:6001")}") {{ totalCount }} }}',
            "after",
            id="contacts-after-answer-cursor",
        ),
        pytest.param(
            f'{{ contacts(after: "{_cursor("v1:contact:x:79161234567")}") {{ totalCount }} }}',
            "after",
            id="contacts-after-bad-position",
        ),
        pytest.param(
            f'{{ contacts(after: "{_cursor("v1:contact:1:")}") {{ totalCount }} }}',
            "after",
            id="contacts-after-no-key",
        ),
        pytest.param(
            f'{{ contacts(after: "{_cursor("v1:contact")}") {{ totalCount }} }}',
            "after",
            id="contacts-after-too-few-parts",
        ),
        pytest.param(
            f'{{ contacts(after: "{NOT_UTF8}") {{ totalCount }} }}',
            "after",
            id="contacts-after-not-utf8",
        ),
        pytest.param("{ answers(sinceHours: 0) { totalCount } }", "sinceHours", id="hours-0"),
        pytest.param("{ answers(sinceHours: 169) { totalCount } }", "sinceHours", id="hours-169"),
        pytest.param('{ answers(toPhone: "7916") { totalCount } }', "toPhone", id="phone-short"),
        pytest.param(
            '{ answers(toPhone: "+7916123456789012") { totalCount } }',
            "toPhone",
            id="phone-long",
        ),
        pytest.param(
            '{ answers(toPhone: "7916,7926123456") { totalCount } }', "toPhone", id="phone-comma"
        ),
        pytest.param(
            '{ answers(toPhone: "8 (916) 123-45-67") { totalCount } }',
            "toPhone",
            id="phone-formatted",
        ),
        pytest.param("{ answers(first: 1000) { totalCount } }", "first", id="answers-first-1000"),
        pytest.param(
            f'{{ answers(after: "{_cursor("v1:contact:1:79161234567")}") {{ totalCount }} }}',
            "after",
            id="answers-after-contact-cursor",
        ),
        pytest.param(
            f'{{ answers(after: "{_cursor("v1:answer:1:abc")}") {{ totalCount }} }}',
            "after",
            id="answers-after-key-not-an-id",
        ),
    ],
)
async def test_invalid_input_is_refused_before_smsc_is_asked(
    graphql: GraphQLCall, upstream: Harness, query: str, field: str
) -> None:
    body = await graphql(query)

    assert_invalid_input(body, field, upstream)


async def test_invalid_input_in_variables_is_refused_too(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    body = await graphql(
        "query($n: Int, $h: Int) { answers(first: $n, sinceHours: $h) { totalCount } }",
        {"n": 10, "h": 500},
    )

    assert_invalid_input(body, "sinceHours", upstream)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param('{ jobs(since: "2025-13-01") { id } }', id="jobs-month-13"),
        pytest.param('{ jobs(until: "01.06.2025") { id } }', id="jobs-russian-date"),
        pytest.param("{ contacts(first: 2.5) { totalCount } }", id="contacts-first-float"),
    ],
)
async def test_malformed_scalars_never_reach_smsc(
    graphql: GraphQLCall, upstream: Harness, query: str
) -> None:
    body = await graphql(query)

    assert body["errors"]
    assert len(upstream.emulator.calls) == 0
