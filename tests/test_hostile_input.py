"""Issue 15, items 4 and 5: every hostile value is a 4xx INVALID_INPUT naming its field, in both
APIs alike, before idempotency and before any request to SMSC, and nothing is logged with a
traceback.

One table, run through both APIs. A row gives the same bad value to each API as its protocol can
carry it: text SMSC cannot send is a NUL (a lone surrogate is no text at all: both APIs refuse the
JSON that carries one, `test_a_lone_surrogate_is_malformed_json_in_both_apis`); GraphQL's Int
stops at 2^31-1, so GraphQL gets the largest Int where REST gets 10^30. Writes carry
an idempotency key, so the value is refused before its fingerprint is taken.
"""

import base64
import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Final

import httpx
import pytest
from pydantic import AfterValidator, BaseModel, ValidationError

from facade.vocabulary.shapes import invalid_input
from tests.hostile import JSON_HEADERS, both_apis, to_json, tracebacks
from tests.rest.conftest import assert_problem
from tests.upstream.lossy import Rig, rig

pytestmark = pytest.mark.anyio

SURROGATE: Final = "\ud800"
NUL: Final = "\x00"
HUGE_ID: Final = "9" * 5000
MAX_INT: Final = 2**31 - 1  # GraphQL's largest Int
BIG: Final = 10**30
PHONE: Final = "79161234567"
JOB: Final[dict[str, Any]] = {"name": "Spring", "phones": [PHONE], "message": "Hello"}
CALL: Final[dict[str, Any]] = {**JOB, "channel": "CALL", "voice": "MALE"}
MAIL: Final[dict[str, Any]] = {**JOB, "channel": "EMAIL", "phones": ["a@example.com"]}
LINE: Final[dict[str, Any]] = {**JOB, "phones": [], "message": None}


@dataclasses.dataclass(frozen=True, slots=True)
class GraphQL:
    document: str
    variables: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Rest:
    method: str
    url: str
    body: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class Hostile:
    id: str
    field: str  # as both APIs name it; a cursor is GraphQL's `after`, REST's `cursor`
    graphql: GraphQL | None
    rest: Rest | None


def mutation(name: str, input_type: str, value: Any) -> GraphQL:
    document = (
        f"mutation($v: {input_type}!, $key: String) {{ {name}(input: $v, idempotencyKey: $key) "
        "{ __typename ... on InvalidInputError { code field } } }"
    )
    return GraphQL(document, {"v": value})


def create_job(extra: dict[str, Any]) -> GraphQL:
    return mutation("createJob", "CreateJobInput", extra)


def by_id(name: str, id: str) -> GraphQL:
    document = (
        f"mutation($v: ID!, $key: String) {{ {name}(id: $v, idempotencyKey: $key) "
        "{ __typename ... on InvalidInputError { code field } } }"
    )
    return GraphQL(document, {"v": id})


def query(field: str, selection: str = "__typename", **arguments: tuple[str, Any]) -> GraphQL:
    declared = ", ".join(f"${name}: {type_}" for name, (type_, _) in arguments.items())
    given = ", ".join(f"{name}: ${name}" for name in arguments)
    document = f"query({declared}) {{ {field}({given}) {{ {selection} }} }}"
    return GraphQL(document, {name: value for name, (_, value) in arguments.items()})


def cursor(prefix: str, *, padded: bool) -> str:
    encoded = base64.urlsafe_b64encode(prefix.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


TABLE: Final = [
    # item 4: text SMSC cannot be sent
    Hostile(
        "search",
        "search",
        query("contacts", "totalCount", search=("String", NUL)),
        Rest("GET", "/v1/contacts?search=%00"),
    ),
    Hostile(
        "group-name",
        "name",
        mutation("createGroup", "CreateGroupInput", {"name": NUL}),
        Rest("POST", "/v1/groups", {"name": NUL}),
    ),
    Hostile(
        "template-name",
        "name",
        mutation("createTemplate", "CreateTemplateInput", {"name": NUL, "message": "Hi"}),
        Rest("POST", "/v1/templates", {"name": NUL, "message": "Hi"}),
    ),
    Hostile(
        "contact-name",
        "name",
        mutation("createContact", "CreateContactInput", {"phones": [PHONE], "name": NUL}),
        Rest("POST", "/v1/contacts", {"phones": [PHONE], "name": NUL}),
    ),
    Hostile(
        "blacklist-comment",
        "comment",
        mutation("addToBlacklist", "AddToBlacklistInput", {"phone": PHONE, "comment": NUL}),
        Rest("POST", "/v1/blacklist", {"phone": PHONE, "comment": NUL}),
    ),
    Hostile(
        "job-name",
        "name",
        create_job({**JOB, "name": NUL}),
        Rest("POST", "/v1/jobs", {**JOB, "name": NUL}),
    ),
    Hostile(
        "job-preview-name",
        "name",
        query(
            "jobPreview",
            "__typename ... on InvalidInputError { code field }",
            input=("CreateJobInput!", {**JOB, "name": NUL}),
        ),
        None,
    ),
    # item 4: cursors whose numbers have 5,000 digits
    Hostile(
        "contacts-cursor-position",
        "after",
        query(
            "contacts",
            "totalCount",
            after=("String", cursor(f"v1:contact:{HUGE_ID}:x", padded=True)),
        ),
        Rest("GET", "/v1/contacts?cursor=" + cursor(f"r1:contact:{HUGE_ID}:x", padded=False)),
    ),
    Hostile(
        "contacts-cursor-unicode-digit",
        "after",
        query("contacts", "totalCount", after=("String", cursor("v1:contact:²:x", padded=True))),
        Rest("GET", "/v1/contacts?cursor=" + cursor("r1:contact:²:x", padded=False)),
    ),
    Hostile(
        "answers-cursor-key",
        "after",
        query(
            "answers", "totalCount", after=("String", cursor(f"v1:answer:1:{HUGE_ID}", padded=True))
        ),
        Rest("GET", "/v1/answers?cursor=" + cursor(f"r1:answer:1:{HUGE_ID}", padded=False)),
    ),
    # item 4: a number no int conversion may meet
    Hostile(
        "validity-minutes",
        "validityMinutes",
        create_job({**JOB, "validityMinutes": MAX_INT}),
        Rest("POST", "/v1/jobs", {**JOB, "validityMinutes": BIG}),
    ),
    # item 5: values without a bound of SMSC's
    Hostile(
        "repeat-count",
        "repeatCount",
        create_job({**JOB, "repeat": "DAILY", "repeatCount": MAX_INT}),
        Rest("POST", "/v1/jobs", {**JOB, "repeat": "DAILY", "repeatCount": BIG}),
    ),
    Hostile(
        "group-number-in-a-job",
        "groupNumbers[0]",
        None,  # GraphQL's Int cannot go past the bound
        Rest("POST", "/v1/jobs", {**JOB, "phones": [], "groupNumbers": [BIG]}),
    ),
    Hostile(
        "group-number",
        "number",
        None,
        Rest("POST", "/v1/groups", {"name": "N", "number": BIG}),
    ),
    Hostile(
        "after-minutes",
        "sendTime",
        create_job({**JOB, "sendTime": {"afterMinutes": MAX_INT}}),
        Rest("POST", "/v1/jobs", {**JOB, "sendTime": {"afterMinutes": BIG}}),
    ),
    Hostile(
        "at-timestamp-in-9999",
        "sendTime",
        create_job({**JOB, "sendTime": {"atTimestamp": "9999-01-01T00:00:00+03:00"}}),
        Rest("POST", "/v1/jobs", {**JOB, "sendTime": {"atTimestamp": "9999-01-01T00:00:00+03:00"}}),
    ),
    Hostile(
        "at-in-year-1",
        "sendTime",
        create_job({**JOB, "sendTime": {"at": "0001-01-01T00:00:00-12:00"}}),
        Rest("POST", "/v1/jobs", {**JOB, "sendTime": {"at": "0001-01-01T00:00:00-12:00"}}),
    ),
    Hostile(
        "subject-of-20-kb",
        "subject",
        create_job({**MAIL, "subject": "s" * 20_000}),
        Rest("POST", "/v1/jobs", {**MAIL, "subject": "s" * 20_000}),
    ),
    Hostile(
        "template-id",
        "id",
        query("template", id=("ID!", HUGE_ID)),
        Rest("GET", f"/v1/templates/{HUGE_ID}"),
    ),
    Hostile(
        "template-id-deleted",
        "id",
        by_id("deleteTemplate", HUGE_ID),
        Rest("DELETE", f"/v1/templates/{HUGE_ID}"),
    ),
    Hostile("job-id", "id", query("job", id=("ID!", HUGE_ID)), Rest("GET", f"/v1/jobs/{HUGE_ID}")),
    Hostile(
        "job-id-cancelled",
        "id",
        by_id("cancelJob", HUGE_ID),
        Rest("POST", f"/v1/jobs/{HUGE_ID}/cancel"),
    ),
    Hostile(
        "download-task-id",
        "id",
        None,  # GraphQL has no query by task id
        Rest("GET", f"/v1/download-tasks/{HUGE_ID}/file"),
    ),
    Hostile(
        "job-list-from-year-1-to-9999",
        "since",
        query("jobs", since=("Date", "0001-01-01"), until=("Date", "9999-12-31")),
        Rest("GET", "/v1/jobs?since=0001-01-01&until=9999-12-31"),
    ),
    Hostile(
        "job-list-of-a-century",
        "since",
        query("jobs", since=("Date", "2000-01-01"), until=("Date", "2099-12-31")),
        Rest("GET", "/v1/jobs?since=2000-01-01&until=2099-12-31"),
    ),
    Hostile(
        "job-list-since-2000",
        "since",
        query("jobs", since=("Date", "2000-01-01")),
        Rest("GET", "/v1/jobs?since=2000-01-01"),
    ),
    # every other kind of value at the edge
    Hostile(
        "period-hours",
        "periodHours",
        create_job({**JOB, "periodHours": 1e308}),
        Rest("POST", "/v1/jobs", {**JOB, "periodHours": float("nan")}),
    ),
    Hostile(
        "template-id-of-a-job",
        "templateId",
        create_job({**JOB, "message": None, "templateId": HUGE_ID}),
        Rest("POST", "/v1/jobs", {**JOB, "message": None, "templateId": HUGE_ID}),
    ),
    Hostile(
        "message-with-nul",
        "message",
        create_job({**JOB, "message": f"Hi{NUL}"}),
        Rest("POST", "/v1/jobs", {**JOB, "message": f"Hi{NUL}"}),
    ),
    Hostile(
        "time-zone",
        "timeZone",
        create_job(
            {**JOB, "sendTime": {"window": {"startHour": 9, "endHour": 18}}, "timeZone": MAX_INT}
        ),
        Rest(
            "POST",
            "/v1/jobs",
            {**JOB, "sendTime": {"window": {"startHour": 9, "endHour": 18}}, "timeZone": BIG},
        ),
    ),
    Hostile(
        "window-hour",
        "sendTime",
        create_job({**JOB, "sendTime": {"window": {"startHour": 9, "endHour": MAX_INT}}}),
        Rest("POST", "/v1/jobs", {**JOB, "sendTime": {"window": {"startHour": 9, "endHour": BIG}}}),
    ),
    Hostile(
        "line-time-zone",
        "messages[0].timeZone",
        create_job(
            {**LINE, "messages": [{"phones": [PHONE], "message": "m", "timeZone": MAX_INT}]}
        ),
        Rest(
            "POST",
            "/v1/jobs",
            {**LINE, "messages": [{"phones": [PHONE], "message": "m", "timeZone": BIG}]},
        ),
    ),
    Hostile(
        "call-attempts",
        "callParams.attempts",
        create_job(
            {
                **CALL,
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": MAX_INT},
            }
        ),
        Rest(
            "POST",
            "/v1/jobs",
            {
                **CALL,
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": BIG},
            },
        ),
    ),
    Hostile(
        "voice-language",
        "voiceLanguage",
        create_job({**CALL, "voiceLanguage": NUL}),
        Rest("POST", "/v1/jobs", {**CALL, "voiceLanguage": NUL}),
    ),
    Hostile(
        "confirm-after-days",
        "confirmAfterDays",
        create_job({**JOB, "confirmAfterDays": MAX_INT}),
        Rest("POST", "/v1/jobs", {**JOB, "confirmAfterDays": BIG}),
    ),
    Hostile(
        "frequency-minutes",
        "frequencyMinutes",
        create_job({**JOB, "periodHours": 1, "frequencyMinutes": MAX_INT}),
        Rest("POST", "/v1/jobs", {**JOB, "periodHours": 1, "frequencyMinutes": BIG}),
    ),
    Hostile(
        "file-url",
        "fileUrl",
        create_job({**JOB, "fileUrl": "https://example.com/" + "a" * 3000}),
        Rest("POST", "/v1/jobs", {**JOB, "fileUrl": "https://example.com/" + "a" * 3000}),
    ),
    Hostile(
        "e-mail-recipient",
        "phones[0]",
        create_job({**MAIL, "subject": "S", "phones": [f"a{NUL}@example.com"]}),
        Rest("POST", "/v1/jobs", {**MAIL, "subject": "S", "phones": [f"a{NUL}@example.com"]}),
    ),
    Hostile(
        "contact-group-id",
        "groupIds[0]",
        mutation("createContact", "CreateContactInput", {"phones": [PHONE], "groupIds": [HUGE_ID]}),
        Rest("POST", "/v1/contacts", {"phones": [PHONE], "groupIds": [HUGE_ID]}),
    ),
    Hostile(
        "birthday-in-year-1",
        "birthday",
        mutation(
            "createContact", "CreateContactInput", {"phones": [PHONE], "birthday": "0001-01-01"}
        ),
        Rest("POST", "/v1/contacts", {"phones": [PHONE], "birthday": "0001-01-01"}),
    ),
    Hostile(
        "tag",
        "tags[0]",
        mutation("createContact", "CreateContactInput", {"phones": [PHONE], "tags": [NUL]}),
        Rest("POST", "/v1/contacts", {"phones": [PHONE], "tags": [NUL]}),
    ),
    Hostile(
        "client-id",
        "clientId",
        mutation(
            "createContact", "CreateContactInput", {"phones": [PHONE], "clientId": "x" * 5000}
        ),
        Rest("POST", "/v1/contacts", {"phones": [PHONE], "clientId": "x" * 5000}),
    ),
    Hostile(
        "changed-first-name",
        "firstName",
        mutation("updateContact", "UpdateContactInput", {"phone": PHONE, "firstName": "\x07"}),
        Rest("PATCH", f"/v1/contacts/{PHONE}", {"firstName": "\x07"}),
    ),
    Hostile(
        "contact-group",
        "groupId",
        mutation(
            "addContactToGroup", "AddContactToGroupInput", {"phone": PHONE, "groupId": HUGE_ID}
        ),
        Rest("PUT", f"/v1/contacts/{PHONE}/groups/{HUGE_ID}"),
    ),
    Hostile(
        "renamed-group",
        "name",
        mutation("renameGroup", "RenameGroupInput", {"id": "41", "name": NUL}),
        Rest("PATCH", "/v1/groups/41", {"name": NUL}),
    ),
    Hostile(
        "changed-template-message",
        "message",
        mutation("updateTemplate", "UpdateTemplateInput", {"id": "1001", "message": NUL}),
        Rest("PATCH", "/v1/templates/1001", {"message": NUL}),
    ),
]


@pytest.fixture
def lossy(tmp_path: Any) -> Rig:
    return rig(tmp_path)


@pytest.fixture
async def client(lossy: Rig) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=both_apis(lossy))
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        yield client


def refusal(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(code, field) of a GraphQL refusal: a union member, or the first error's extensions."""
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict) and value.get("__typename") == "InvalidInputError":
            return value["code"], value["field"]
    extensions = (body.get("errors") or [{}])[0].get("extensions", {})
    return extensions.get("code"), extensions.get("field")


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.id) for case in TABLE if case.graphql is not None]
)
async def test_graphql_refuses_before_idempotency_and_smsc(
    client: httpx.AsyncClient, lossy: Rig, caplog: pytest.LogCaptureFixture, case: Hostile
) -> None:
    caplog.set_level(logging.DEBUG)
    assert case.graphql is not None
    variables = dict(case.graphql.variables)
    if "$key" in case.graphql.document:
        variables["key"] = str(uuid.uuid4())
    payload = {"query": case.graphql.document, "variables": variables}

    response = await client.post("/graphql", content=to_json(payload), headers=JSON_HEADERS)

    assert response.status_code == 200, response.text
    assert refusal(response.json()) == ("INVALID_INPUT", case.field), response.text
    assert not lossy.emulator.calls
    assert not tracebacks(caplog.records)


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.id) for case in TABLE if case.rest is not None]
)
async def test_rest_refuses_before_idempotency_and_smsc(
    client: httpx.AsyncClient, lossy: Rig, caplog: pytest.LogCaptureFixture, case: Hostile
) -> None:
    caplog.set_level(logging.DEBUG)
    assert case.rest is not None
    headers = {"idempotency-key": str(uuid.uuid4())} if case.rest.method != "GET" else {}
    content = None
    if case.rest.body is not None:
        content = to_json(case.rest.body)
        headers |= JSON_HEADERS

    response = await client.request(
        case.rest.method, case.rest.url, content=content, headers=headers
    )

    field = "cursor" if case.field == "after" else case.field
    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not lossy.emulator.calls
    assert not tracebacks(caplog.records)


async def test_a_lone_surrogate_is_malformed_json_in_both_apis(
    client: httpx.AsyncClient, lossy: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {"idempotency-key": str(uuid.uuid4()), **JSON_HEADERS}
    graphql = mutation("createGroup", "CreateGroupInput", {"name": SURROGATE})
    variables = {**graphql.variables, "key": str(uuid.uuid4())}

    rest = await client.post("/v1/groups", content=to_json({"name": SURROGATE}), headers=headers)
    payload = {"query": graphql.document, "variables": variables}
    response = await client.post("/graphql", content=to_json(payload), headers=JSON_HEADERS)

    body = assert_problem(rest, 400, "INVALID_INPUT", field="body")
    assert body["detail"].startswith("body: malformed JSON")
    assert response.status_code == 400, response.text
    assert refusal(response.json()) == ("INVALID_INPUT", "body")
    assert not lossy.emulator.calls
    assert not tracebacks(caplog.records)


async def test_values_within_the_bounds_still_reach_smsc(client: httpx.AsyncClient) -> None:
    """The bounds' edges are taken: a job of the largest counts, a BINARY message with a NUL."""
    job = {
        **JOB,
        "name": "n" * 200,
        "message": "\x00\x05\x00\x03" + "Hi",
        "channel": "BINARY",
        "repeat": "DAILY",
        "repeatCount": 9999,
        "validityMinutes": 1440,
        "sendTime": {"afterMinutes": 366 * 24 * 60},
        "groupNumbers": [2**31 - 1],
    }

    response = await client.post("/v1/jobs", content=to_json(job), headers=JSON_HEADERS)

    assert response.status_code == 201, response.text


def _fails(value: str) -> str:
    raise ValueError(f"internal detail of {value!r}")


class _Checked(BaseModel):
    value: Annotated[str, AfterValidator(_fails)]


def test_no_exception_text_reaches_a_rest_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        _Checked.model_validate({"value": "x"})

    error = invalid_input(caught.value)

    assert (error.field, error.message) == ("value", "value: is not a valid value")
