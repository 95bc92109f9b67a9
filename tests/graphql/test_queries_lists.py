# ruff: noqa: RUF001 - the demo data is Russian text on purpose; Cyrillic letters are not typos.
"""Query's plain lists and single lookups through HTTP, the emulator's demo data behind them."""

import datetime as dt
from typing import Any

import pytest
import strawberry

from facade.domain.common import MOSCOW
from facade.emulator.records import AccountData
from facade.graphql.context import Context
from facade.graphql.queries import Query
from facade.smsc.wire import Fmt
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

# The longest span of days the facade lists jobs for; every job of the demo data falls in it.
SINCE = dt.datetime.now(MOSCOW).date() - dt.timedelta(days=365)
EVERYTHING = """{
  templates { id name message format formatRaw sender autoSign }
  jobs(since: "$SINCE") { id name status statusCode createdAt sendAt recipientCount message }
  contacts(first: 100) { totalCount edges { cursor node {
    phones name firstName lastName middleName birthday clientId comment tags otherPhones
    groups { id name number contactCount } } } }
  groups { id name number contactCount }
  blacklist { id phone scope scopeCode comment }
  answers(sinceHours: 168, first: 100) { totalCount edges { cursor node {
    id receivedAt phone message toPhone sentAt } } }
  downloadTasks { id name status statusCode createdAt startAt fileName }
}""".replace("$SINCE", str(SINCE))


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    found: dict[str, Any] = body["data"]
    return found


def demo(upstream: Harness) -> AccountData:
    return upstream.emulator.account()


def assert_moscow_time(value: str) -> None:
    assert dt.datetime.fromisoformat(value).utcoffset() == dt.timedelta(hours=3)


async def test_templates_keep_tricky_text_intact(graphql: GraphQLCall, upstream: Harness) -> None:
    templates = data_of(await graphql(EVERYTHING))["templates"]

    assert {(t["id"], t["name"], t["message"]) for t in templates} == {
        (str(t.id), t.name, t.message) for t in demo(upstream).templates.values()
    }
    by_name = {t["name"]: t for t in templates}
    assert by_name["Подпись"]["message"] == "— Команда «Ромашка» 🌼"
    assert by_name["Подпись"]["autoSign"] is True
    promo = by_name['Promo, "Black Friday"']
    assert promo["format"] == "VIBER"
    assert promo["sender"] == "Shop"
    assert "\n" in by_name["Напоминание о записи"]["message"]


async def test_template_by_id(graphql: GraphQLCall, upstream: Harness) -> None:
    wanted = next(t for t in demo(upstream).templates.values() if t.name == "Подпись")

    found = data_of(await graphql(f'{{ template(id: "{wanted.id}") {{ id name message }} }}'))

    assert found["template"] == {
        "id": str(wanted.id),
        "name": wanted.name,
        "message": wanted.message,
    }


async def test_absent_template_is_null(graphql: GraphQLCall) -> None:
    assert data_of(await graphql('{ template(id: "999999") { id } }')) == {"template": None}


async def test_jobs_of_a_period(graphql: GraphQLCall, upstream: Harness) -> None:
    jobs = data_of(await graphql(EVERYTHING))["jobs"]

    assert {(j["id"], j["name"], j["message"]) for j in jobs} == {
        (str(j.id), j.name, j.message) for j in demo(upstream).jobs.values()
    }
    by_name = {j["name"]: j for j in jobs}
    assert by_name['Black "Friday"']["status"] == "CANCELLED"
    assert by_name["Новости, выпуск 1"]["message"] == "Новости компании\nподробнее на сайте"
    assert_moscow_time(by_name["День рождения 🎂"]["createdAt"])


async def test_jobs_default_to_what_smsc_gives(graphql: GraphQLCall, upstream: Harness) -> None:
    jobs = data_of(await graphql("{ jobs { id } }"))["jobs"]

    # Without `since`, SMSC gives the last 10 of the last two months.
    assert len(jobs) == 10
    [call] = upstream.calls("get_all")
    assert call.error is None


async def test_jobs_on_one_day_only(graphql: GraphQLCall, upstream: Harness) -> None:
    # The day the newest job was made (an hour ago: yesterday, just after midnight in Moscow).
    newest = next(j for j in demo(upstream).jobs.values() if j.name == "Завтрашнее напоминание")
    made = dt.datetime.fromtimestamp(newest.created, dt.timezone(dt.timedelta(hours=3)))
    day = made.date().isoformat()

    jobs = data_of(await graphql(f'{{ jobs(since: "{day}", until: "{day}") {{ name }} }}'))["jobs"]

    assert {"Завтрашнее напоминание"} <= {j["name"] for j in jobs}
    assert "Летняя распродажа" not in {j["name"] for j in jobs}


async def test_job_by_id(graphql: GraphQLCall, upstream: Harness) -> None:
    wanted = next(j for j in demo(upstream).jobs.values() if j.name == "Promo <A&B>")

    job = data_of(await graphql(f'{{ job(id: "{wanted.id}") {{ id name status message }} }}'))

    assert job["job"] == {
        "id": str(wanted.id),
        "name": "Promo <A&B>",
        "status": "FAILED",
        "message": "Test & check <b>",
    }


async def test_unknown_job_is_null(graphql: GraphQLCall, upstream: Harness) -> None:
    body = await graphql('{ job(id: "999999") { id } }')

    assert body == {"data": {"job": None}}
    [call] = upstream.calls("get")
    assert call.error == 3


async def test_groups_and_one_group(graphql: GraphQLCall, upstream: Harness) -> None:
    groups = data_of(await graphql(EVERYTHING))["groups"]
    office = next(g for g in demo(upstream).groups.values() if g.name.startswith("Сотрудники"))

    assert {(g["id"], g["name"], g["number"]) for g in groups} == {
        (str(g.id), g.name, g.number) for g in demo(upstream).groups.values()
    }
    found = data_of(await graphql(f'{{ group(id: "{office.id}") {{ name number }} }}'))
    assert found == {"group": {"name": "Сотрудники, офис «Север»", "number": 200}}
    assert data_of(await graphql('{ group(id: "999999") { id } }')) == {"group": None}


async def test_blacklist(graphql: GraphQLCall, upstream: Harness) -> None:
    entries = data_of(await graphql(EVERYTHING))["blacklist"]

    assert {(e["phone"], e["scopeCode"], e["comment"] or "") for e in entries} == {
        (e.phone, e.type, e.comment) for e in demo(upstream).blacklist.values()
    }
    assert {e["scope"] for e in entries} == {"ALL", "MASS", "SINGLE"}


async def test_download_tasks(graphql: GraphQLCall, upstream: Harness) -> None:
    tasks = data_of(await graphql(EVERYTHING))["downloadTasks"]

    assert {(t["id"], t["name"], t["fileName"] or "") for t in tasks} == {
        (str(t.id), t.name, t.file) for t in demo(upstream).downloads.values()
    }
    assert "Все сообщения <&>" in {t["name"] for t in tasks}
    for task in tasks:
        assert_moscow_time(task["createdAt"])


@pytest.fixture
def empty() -> Harness:
    return harness(seed="empty")


async def test_an_empty_account_gives_empty_lists(empty: Harness) -> None:
    schema = strawberry.Schema(query=Query)

    result = await schema.execute(EVERYTHING, context_value=Context(smsc=empty.client))

    assert result.errors is None
    assert result.data == {
        "templates": [],
        "jobs": [],
        "contacts": {"totalCount": 0, "edges": []},
        "groups": [],
        "blacklist": [],
        "answers": {"totalCount": 0, "edges": []},
        "downloadTasks": [],
    }


@pytest.mark.parametrize("fmt", [Fmt.TEXT, Fmt.CSV, Fmt.XML], ids=lambda fmt: f"fmt{fmt.value}")
async def test_every_format_gives_the_same_answer(fmt: Fmt) -> None:
    schema = strawberry.Schema(query=Query)
    reference, other = harness(fmt=Fmt.JSON), harness(fmt=fmt)

    expected = await schema.execute(EVERYTHING, context_value=Context(smsc=reference.client))
    found = await schema.execute(EVERYTHING, context_value=Context(smsc=other.client))

    assert expected.errors is None
    assert found.errors is None
    assert found.data == expected.data


QUERIES = [
    pytest.param("{ templates { id } }", "templates", id="templates"),
    pytest.param('{ template(id: "1") { id } }', "template", id="template"),
    pytest.param("{ jobs { id } }", "jobs", id="jobs"),
    pytest.param('{ job(id: "1") { id } }', "job", id="job"),
    pytest.param("{ contacts { totalCount } }", "contacts", id="contacts"),
    pytest.param("{ groups { id } }", "groups", id="groups"),
    pytest.param('{ group(id: "1") { id } }', "group", id="group"),
    pytest.param("{ blacklist { id } }", "blacklist", id="blacklist"),
    pytest.param("{ answers { totalCount } }", "answers", id="answers"),
    pytest.param("{ downloadTasks { id } }", "downloadTasks", id="downloadTasks"),
]


@pytest.mark.parametrize(("query", "field"), QUERIES)
async def test_upstream_failure_is_an_error_without_a_leak(
    graphql: GraphQLCall, upstream: Harness, query: str, field: str
) -> None:
    upstream.emulator.add_fault("status", status=503)

    body = await graphql(query)

    assert body["data"] is None or body["data"][field] is None
    [error] = body["errors"]
    assert error["path"] == [field]
    assert error.get("extensions", {}).get("code", "UPSTREAM_UNAVAILABLE") == (
        "UPSTREAM_UNAVAILABLE"
    )
    text = repr(body)
    # Neither credentials nor the gateway page SMSC's side sent may reach the client.
    for secret in ("psw", "login", "demo", "nginx", "<html"):
        assert secret not in text
    assert upstream.emulator.calls
    assert all(call.status == 503 for call in upstream.emulator.calls)
