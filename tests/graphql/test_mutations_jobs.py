"""createJob, cancelJob, deleteJob through HTTP against the emulator."""

from typing import Any

import pytest

from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

ERRORS = """
  __typename
  ... on Error { code message }
  ... on InvalidInputError { field }
  ... on RateLimitedError { retryAfter }
  ... on UpstreamError { upstreamCode outcomeUnknown }
"""
CREATE = (
    "mutation($input: CreateJobInput!) { createJob(input: $input) {"
    + ERRORS
    + "... on CreateJobSuccess { job { id cost } } } }"
)
CANCEL = (
    "mutation($id: ID!) { cancelJob(id: $id) {"
    + ERRORS
    + "... on CancelJobSuccess { id job { id name status } } } }"
)
DELETE = "mutation($id: ID!) { deleteJob(id: $id) {" + ERRORS + "... on DeleteJobSuccess { id } } }"
JOB = "query($id: ID!) { job(id: $id) { id name status message recipientCount sendAt } }"
SPEC = {"name": "Spring sale", "phones": ["+79161234567", "79261234567"], "message": "Sale!"}


async def result(graphql: GraphQLCall, query: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(query, variables)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert isinstance(value, dict)
    return value


async def create(graphql: GraphQLCall, **spec: Any) -> str:
    created = await result(graphql, CREATE, input={**SPEC, **spec})
    assert created["__typename"] == "CreateJobSuccess", created
    job_id: str = created["job"]["id"]
    return job_id


async def test_create_job_is_reported_afterwards(graphql: GraphQLCall) -> None:
    job_id = await create(graphql)

    job = (await graphql(JOB, {"id": job_id}))["data"]["job"]

    assert job == {
        "id": job_id,
        "name": "Spring sale",
        "status": "DONE",
        "message": "Sale!",
        "recipientCount": 2,
        "sendAt": None,
    }
    listed = (await graphql("{ jobs { id name } }"))["data"]["jobs"]
    assert {"id": job_id, "name": "Spring sale"} in listed


async def test_create_job_reports_the_cost_when_asked(graphql: GraphQLCall) -> None:
    created = await result(graphql, CREATE, input={**SPEC, "withCost": True})

    assert created["job"]["cost"] == "2.80"


async def test_create_job_without_cost_reports_none(graphql: GraphQLCall) -> None:
    created = await result(graphql, CREATE, input=SPEC)

    assert created["job"]["cost"] is None


async def test_create_job_from_a_template_sends_its_text(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    template = upstream.emulator.account().templates[1001]
    spec = {"name": "From a template", "phones": ["79161234567"], "templateId": "1001"}

    job_id = await create(graphql, **{**spec, "message": None})

    assert upstream.emulator.account().jobs[int(job_id)].message == template.message


async def test_create_job_with_a_message_per_recipient(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    messages = [
        {"phones": ["79161234567", "79261234567"], "message": "Hello, Ivan"},
        {"phones": ["+79031112233"], "message": "Hello, Anna", "sender": "Clinic"},
    ]

    job_id = await create(graphql, phones=[], message=None, messages=messages)

    job = upstream.emulator.account().jobs[int(job_id)]
    assert (job.cnt, job.message) == (3, "Hello, Ivan")


async def test_cancel_job_cancels_a_waiting_job(graphql: GraphQLCall, upstream: Harness) -> None:
    job_id = await create(graphql, sendTime={"afterMinutes": 60})

    cancelled = await result(graphql, CANCEL, id=job_id)

    assert cancelled == {
        "__typename": "CancelJobSuccess",
        "id": job_id,
        "job": {"id": job_id, "name": "Spring sale", "status": "CANCELLED"},
    }
    assert upstream.emulator.account().jobs[int(job_id)].status == 3


async def test_cancel_job_of_a_job_already_sent_is_refused(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    job_id = await create(graphql)

    refused = await result(graphql, CANCEL, id=job_id)

    # SMSC answers 3 "save error"; smsc/codes.py reads 3 from `cancel` as "not found".
    assert (refused["__typename"], refused["code"]) == ("NotFoundError", "NOT_FOUND")
    # The message is the facade's words for the code; SMSC's own text stays in the logs.
    assert refused["message"] == "SMSC has no such record (SMSC error 3)."
    assert upstream.emulator.account().jobs[int(job_id)].status == 2


async def test_delete_job_removes_it(graphql: GraphQLCall, upstream: Harness) -> None:
    job_id = await create(graphql)

    deleted = await result(graphql, DELETE, id=job_id)

    assert deleted == {"__typename": "DeleteJobSuccess", "id": job_id}
    assert int(job_id) not in upstream.emulator.account().jobs
    assert (await graphql(JOB, {"id": job_id}))["data"]["job"] is None


@pytest.mark.parametrize("query", [CANCEL, DELETE], ids=["cancel", "delete"])
async def test_an_unknown_job_is_not_found(graphql: GraphQLCall, query: str) -> None:
    missing = await result(graphql, query, id="99999")

    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "NOT_FOUND")


@pytest.mark.parametrize("query", [CANCEL, DELETE], ids=["cancel", "delete"])
async def test_a_job_id_must_be_digits(graphql: GraphQLCall, upstream: Harness, query: str) -> None:
    refused = await result(graphql, query, id="job-1")

    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "id")
    assert not upstream.emulator.calls


async def test_the_same_job_twice_within_a_minute_is_rate_limited(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    await create(graphql)

    refused = await result(graphql, CREATE, input=SPEC)

    assert refused["__typename"] == "RateLimitedError"
    assert 0 < refused["retryAfter"] <= 60
    assert len(upstream.calls("add")) == 1
    upstream.clock.advance(refused["retryAfter"])
    await create(graphql)
    assert len(upstream.calls("add")) == 2


async def test_an_unknown_template_is_rejected_by_smsc(graphql: GraphQLCall) -> None:
    spec = {"name": "No template", "phones": ["79161234567"], "templateId": "999"}

    refused = await result(graphql, CREATE, input=spec)

    assert refused["__typename"] == "UpstreamError"
    assert (refused["code"], refused["upstreamCode"]) == ("UPSTREAM_REJECTED", 3)
