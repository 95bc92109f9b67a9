"""`/v1/jobs` end to end: reads, every createJob option, cancel and delete, GraphQL agreement."""

import datetime as dt
from typing import Any

import httpx
import pytest

from facade.domain.common import MOSCOW
from facade.domain.jobs import is_marker, split_marked_name
from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from tests.rest.conftest import GraphQLCall, assert_problem, enum_values
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

FIELDS = "id name status statusCode createdAt sendAt recipientCount message"
SPEC: dict[str, Any] = {"name": "Options", "phones": ["79161234567"], "message": "Hello"}
AT = dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC)
WAITING = "2012"  # the demo data's first waiting job
DONE = "2001"


async def create(client: httpx.AsyncClient, upstream: Harness, body: dict[str, Any]) -> Any:
    response = await client.post("/v1/jobs", json=body)
    assert response.status_code == 201, response.text
    return upstream.emulator.account().jobs[int(response.json()["id"])]


# reads


async def test_the_list_matches_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/jobs")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=60"
    assert response.json() == (await graphql(f"{{ jobs {{ {FIELDS} }} }}"))["jobs"]
    assert response.json()[0].keys() == set(FIELDS.split())


async def test_the_list_between_two_days_matches_graphql(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    until = dt.datetime.now(MOSCOW).date()
    since = until - dt.timedelta(days=365)  # the longest span: the demo's jobs all fall in it
    response = await client.get("/v1/jobs", params={"since": str(since), "until": str(until)})

    data = await graphql(f'{{ jobs(since: "{since}", until: "{until}") {{ {FIELDS} }} }}')
    assert response.json() == data["jobs"]
    assert len(response.json()) == 13


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"since": "2025-02-01", "until": "2025-01-01"}, "until", id="reversed"),
        pytest.param({"since": "yesterday"}, "since", id="not-a-date"),
        pytest.param({"until": "2025-13-01"}, "until", id="no-such-day"),
    ],
)
async def test_bad_days_are_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, params: dict[str, str], field: str
) -> None:
    assert_problem(await client.get("/v1/jobs", params=params), 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_one_job_matches_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get(f"/v1/jobs/{WAITING}")

    job = response.json()
    assert (job["id"], job["status"], job["statusCode"]) == (WAITING, "WAITING", 0)
    assert job["sendAt"].endswith("+03:00")
    assert job == (await graphql(f'{{ job(id: "{WAITING}") {{ {FIELDS} }} }}'))["job"]


@pytest.mark.parametrize("url", ["/v1/jobs", f"/v1/jobs/{DONE}"])
async def test_reads_are_conditional(
    client: httpx.AsyncClient, upstream: Harness, url: str
) -> None:
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-facade-cache"] == "hit"
    assert len(upstream.emulator.calls) == 1


# create


async def test_create_answers_201_with_location_and_graphql_sees_it(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.post("/v1/jobs", json={**SPEC, "withCost": True})

    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "cost": "1.40"}
    assert response.headers["location"] == f"/v1/jobs/{created['id']}"
    job = (await client.get(response.headers["location"])).json()
    assert (job["name"], job["status"], job["message"], job["recipientCount"]) == (
        "Options",
        "DONE",
        "Hello",
        1,
    )
    assert job == (await graphql(f'{{ job(id: "{created["id"]}") {{ {FIELDS} }} }}'))["job"]


async def test_without_cost_the_cost_is_null(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/jobs", json=SPEC)

    assert response.json()["cost"] is None


async def test_a_plain_job_carries_no_options(client: httpx.AsyncClient, upstream: Harness) -> None:
    job = await create(client, upstream, SPEC)

    # SMSC gets the name with the facade's marker, which the APIs take off again.
    name, marker = split_marked_name(job.name)
    assert (name, job.message, job.cnt, job.options) == ("Options", "Hello", 1, {})
    assert marker is not None
    assert is_marker(marker)


@pytest.mark.parametrize(
    ("extra", "options"),
    [
        pytest.param({"sender": "Shop"}, {"sender": "Shop"}, id="sender"),
        pytest.param(
            {"channel": "VIBER", "fallbackMessage": "By SMS", "fallbackSender": "Shop 2"},
            {"viber": "1", "mes2": "By SMS", "sender2": "Shop 2", "fl[5]": "1"},
            id="fallback",
        ),
        pytest.param(
            {"sendTime": {"at": AT.isoformat()}}, {"time": "0201300304", "tz": "-3"}, id="at"
        ),
        pytest.param(
            {"sendTime": {"atTimestamp": AT.isoformat()}},
            {"time": f"0{int(AT.timestamp())}"},
            id="at-timestamp",
        ),
        pytest.param(
            {"sendTime": {"window": {"startHour": 9, "endHour": 18}}, "timeZone": 2},
            {"time": "9-18", "tz": "2"},
            id="window",
        ),
        pytest.param({"sendTime": {"afterMinutes": 30}}, {"time": "+30"}, id="after-minutes"),
        pytest.param({"repeat": "DAILY", "repeatCount": 5}, {"rpt": "2", "rptn": "5"}, id="repeat"),
        pytest.param(
            {"periodHours": 1.5, "frequencyMinutes": 10},
            {"period": "1.5", "freq": "10"},
            id="period",
        ),
        pytest.param({"periodHours": 2}, {"period": "2"}, id="period-integer"),
        pytest.param({"validityMinutes": 90}, {"valid": "01:30"}, id="validity"),
        pytest.param({"transliteration": "LOOKALIKE"}, {"translit": "2"}, id="translit"),
        pytest.param({"shortenLinks": True}, {"tinyurl": "1"}, id="shorten-links"),
        pytest.param({"channel": "FLASH"}, {"flash": "1"}, id="flash"),
        pytest.param({"channel": "BINARY_HEX", "message": "0048656C6C6F"}, {"bin": "2"}, id="hex"),
        pytest.param({"channel": "HLR", "message": None}, {"hlr": "1"}, id="hlr"),
        pytest.param(
            {"channel": "MMS", "subject": "Photo"}, {"mms": "1", "subj": "Photo"}, id="mms"
        ),
        pytest.param(
            {"channel": "EMAIL", "subject": "News", "phones": ["ivan@example.com"]},
            {"mail": "1", "subj": "News"},
            id="email",
        ),
        pytest.param(
            {
                "channel": "CALL",
                "voice": "FEMALE_2",
                "voiceLanguage": "en",
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": 3},
            },
            {"call": "1", "voice": "w2,en", "param": "25,60,3"},
            id="call",
        ),
        pytest.param({"channel": "WHATSAPP"}, {"whatsapp": "1"}, id="whatsapp"),
        pytest.param(
            {"channel": "TELEGRAM", "telegramBot": "@shop_bot", "phones": ["#12345"]},
            {"tg": "1", "bot": "@shop_bot"},
            id="telegram",
        ),
        pytest.param({"confirmAfterDays": 30}, {"smsreq": "30"}, id="confirm-after-days"),
        pytest.param(
            {"fileUrl": "https://example.com/a.pdf"},
            {"fileurl": "https://example.com/a.pdf"},
            id="file-url",
        ),
        pytest.param({"withCost": True}, {"cost": "1"}, id="with-cost"),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "multilineMessages": True,
                "messages": [{"phones": ["79161234567"], "message": "One line"}],
            },
            {"nl": "1"},
            id="multiline-messages",
        ),
    ],
)
async def test_every_option_reaches_smsc(
    client: httpx.AsyncClient, upstream: Harness, extra: dict[str, Any], options: dict[str, str]
) -> None:
    job = await create(client, upstream, {**SPEC, **extra})

    assert job.options == options


async def test_recipients_by_group_number_template_and_lines(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    groups = await create(client, upstream, {**SPEC, "phones": [], "groupNumbers": [100, 200]})
    template = await create(client, upstream, {**SPEC, "message": None, "templateId": "1004"})
    lines = [
        {"phones": ["79161234567"], "message": "First", "sender": "Clinic", "timeZone": 1},
        {"phones": ["+79031112233", "79261234567"], "message": "Second"},
    ]
    body = {"name": "Lines", "messages": lines, "sendTime": {"at": AT.isoformat()}}
    listed = await create(client, upstream, body)

    assert groups.cnt == 6
    assert template.message.startswith("Ваш код")
    assert (listed.cnt, listed.message, listed.time) == (3, "First", AT.timestamp())


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param({"name": " "}, "name", id="blank-name"),
        pytest.param({"phones": ["79161234567", "12345"]}, "phones[1]", id="short-phone"),
        pytest.param({"phones": ["#12345"]}, "phones[0]", id="telegram-id-outside-telegram"),
        pytest.param(
            {"channel": "EMAIL", "subject": "S", "phones": ["not-an-address"]},
            "phones[0]",
            id="email-address",
        ),
        pytest.param({"phones": []}, "phones", id="no-recipients"),
        pytest.param({"groupNumbers": [-1]}, "groupNumbers[0]", id="negative-group-number"),
        pytest.param({"message": "x" * 1001}, "message", id="message-too-long"),
        pytest.param({"message": None}, "message", id="no-message"),
        pytest.param({"templateId": "1001"}, "templateId", id="template-and-message"),
        pytest.param({"sender": "Магазин"}, "sender", id="sender-not-latin"),
        pytest.param({"fallbackMessage": " "}, "fallbackMessage", id="fallback-blank"),
        pytest.param({"fallbackSender": "Shop | Co"}, "fallbackSender", id="fallback-sender"),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "messages": [{"phones": ["79161234567"], "message": "m", "sender": "Ш"}],
            },
            "messages[0].sender",
            id="line-sender",
        ),
        pytest.param(
            {"phones": [], "message": None, "messages": [{"phones": ["1"], "message": "m"}]},
            "messages[0].phones[0]",
            id="line-phone",
        ),
        pytest.param(
            {"phones": [], "message": None, "messages": [{"phones": ["79161234567"]}]},
            "messages[0].message",
            id="line-without-message",
        ),
        pytest.param({"sendTime": {}}, "sendTime", id="no-send-time-form"),
        pytest.param(
            {"sendTime": {"afterMinutes": 5, "window": {"startHour": 9, "endHour": 18}}},
            "sendTime",
            id="two-send-time-forms",
        ),
        pytest.param(
            {"sendTime": {"window": {"startHour": 18, "endHour": 9}}}, "sendTime", id="window"
        ),
        pytest.param(
            {"sendTime": {"at": "2030-01-02T03:04:00"}}, "sendTime", id="moment-without-offset"
        ),
        pytest.param({"sendTime": {"at": "soon"}}, "sendTime.at", id="not-a-moment"),
        pytest.param({"sendTime": {"in": 5}}, "sendTime.in", id="unknown-form"),
        pytest.param({"timeZone": 2}, "timeZone", id="time-zone-without-send-time"),
        pytest.param({"repeat": "SOMETIMES"}, "repeat", id="repeat-value"),
        pytest.param({"repeatCount": 3}, "repeatCount", id="repeat-count-alone"),
        pytest.param({"periodHours": 721}, "periodHours", id="period-too-long"),
        pytest.param({"validityMinutes": 0}, "validityMinutes", id="validity-0"),
        pytest.param({"transliteration": "latin"}, "transliteration", id="enum-case"),
        pytest.param({"channel": "SMTP"}, "channel", id="channel"),
        pytest.param({"subject": "S"}, "subject", id="subject-on-sms"),
        pytest.param({"voice": "MALE"}, "voice", id="voice-on-sms"),
        pytest.param(
            {
                "channel": "CALL",
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": 10},
            },
            "callParams.attempts",
            id="call-attempts",
        ),
        pytest.param(
            {"channel": "CALL", "callParams": {"waitSeconds": 25}},
            "callParams.retryIntervalSeconds",
            id="call-params-shape",
        ),
        pytest.param({"telegramBot": "shop_bot"}, "telegramBot", id="telegram-bot"),
        pytest.param({"confirmAfterDays": 5}, "confirmAfterDays", id="confirm-after-days"),
        pytest.param({"fileUrl": "ftp://example.com/a"}, "fileUrl", id="file-url"),
        pytest.param({"withCost": "yes"}, "withCost", id="flag-type"),
        pytest.param({"phones": "79161234567"}, "phones", id="phones-type"),
    ],
)
async def test_a_bad_option_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, extra: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/jobs", json={**SPEC, **extra})

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


# cancel and delete


async def test_cancel_answers_the_cancelled_job_and_graphql_agrees(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.post(f"/v1/jobs/{WAITING}/cancel")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (WAITING, "CANCELLED")
    data = await graphql(f'{{ job(id: "{WAITING}") {{ {FIELDS} }} }}')
    assert data["job"] == response.json()


async def test_cancelling_a_job_that_is_not_waiting_is_404_as_smsc_says(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(f"/v1/jobs/{DONE}/cancel")

    assert_problem(response, 404, "NOT_FOUND", upstreamCode=3)


@pytest.mark.parametrize(
    ("url", "status", "code", "field"),
    [
        pytest.param("/v1/jobs/999999/cancel", 404, "NOT_FOUND", None, id="unknown"),
        pytest.param("/v1/jobs/12a/cancel", 400, "INVALID_INPUT", "id", id="malformed"),
    ],
)
async def test_cancel_refuses_a_bad_id(
    client: httpx.AsyncClient,
    upstream: Harness,
    url: str,
    status: int,
    code: str,
    field: str | None,
) -> None:
    body = assert_problem(await client.post(url), status, code)

    assert body.get("field") == field
    assert len(upstream.emulator.calls) == (field is None)


async def test_cancel_is_204_when_the_job_cannot_be_read_after_it(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    upstream.emulator.add_fault("status", status=503, command="get")

    response = await client.post(f"/v1/jobs/{WAITING}/cancel")

    assert response.status_code == 204
    assert upstream.emulator.account().jobs[int(WAITING)].status == 3


async def test_cancel_is_204_when_only_a_stale_job_can_be_read(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stale(self: SmscClient, id: str) -> Fetched[object]:
        return Fetched(object(), Freshness.STALE, age=90)

    monkeypatch.setattr(SmscClient, "job", stale)

    response = await client.post(f"/v1/jobs/{WAITING}/cancel")

    assert response.status_code == 204


async def test_delete_and_graphql_agree(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    response = await client.delete(f"/v1/jobs/{DONE}")

    assert response.status_code == 204
    assert_problem(await client.get(f"/v1/jobs/{DONE}"), 404, "NOT_FOUND", upstreamCode=3)
    upstream.clock.advance(61)  # jobs.php allows one identical request a minute
    assert (await graphql(f'{{ job(id: "{DONE}") {{ id }} }}'))["job"] is None


async def test_jobs_cannot_be_changed(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"/v1/jobs/{DONE}", json={"name": "N"})

    assert_problem(response, 405, "INVALID_INPUT")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "DELETE"}


async def test_graphql_mutations_are_visible_through_rest(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    data = await graphql(
        'mutation { createJob(input: {name: "G", phones: ["79161234567"], message: "From GraphQL",'
        " sendTime: {afterMinutes: 60}}) { ... on CreateJobSuccess { job { id } } } }"
    )
    id = data["createJob"]["job"]["id"]
    assert (await client.get(f"/v1/jobs/{id}")).json()["status"] == "WAITING"
    upstream.clock.advance(61)  # past the job's TTL and jobs.php's identical-request budget
    await graphql(f'mutation {{ cancelJob(id: "{id}") {{ __typename }} }}')
    upstream.clock.advance(61)

    response = await client.get(f"/v1/jobs/{id}")

    assert (response.json()["name"], response.json()["status"]) == ("G", "CANCELLED")
    assert response.json()["message"] == "From GraphQL"


# the vocabulary


@pytest.mark.parametrize("name", ["JobStatus", "Channel", "Repeat", "Transliteration", "Voice"])
async def test_enum_values_are_graphqls(
    client: httpx.AsyncClient, graphql: GraphQLCall, name: str
) -> None:
    document = (await client.get("/openapi.json")).json()
    rest = document["components"]["schemas"][name]["enum"]
    assert rest == await enum_values(graphql, name)


@pytest.mark.parametrize(
    ("schema", "type_name", "kind"),
    [
        ("Job", "Job", "fields"),
        ("CreatedJob", "CreatedJob", "fields"),
        ("CreateJob", "CreateJobInput", "inputFields"),
        ("SendTime", "SendTimeInput", "inputFields"),
        ("SendWindow", "SendWindowInput", "inputFields"),
        ("CallParams", "CallParamsInput", "inputFields"),
        ("RecipientMessage", "RecipientMessageInput", "inputFields"),
    ],
)
async def test_field_names_are_graphqls(
    client: httpx.AsyncClient, graphql: GraphQLCall, schema: str, type_name: str, kind: str
) -> None:
    document = (await client.get("/openapi.json")).json()
    data = await graphql(f'{{ __type(name: "{type_name}") {{ {kind} {{ name }} }} }}')

    graphql_fields = {field["name"] for field in data["__type"][kind]}
    assert set(document["components"]["schemas"][schema]["properties"]) == graphql_fields
