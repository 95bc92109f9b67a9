"""jobs.php: add, del, cancel, get, get_all in every fmt (reference/smsc-jobs.txt)."""

import json
from typing import Any

import httpx
import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


ADD = {"add": 1, "name": "Рассылка", "phones": "79991112233,79994445566", "mes": "Привет"}
LINE = "id = 2001, name = Рассылка, status = 2, created = 15.11.2025 12:00:00, time = , cnt = 2, message = Привет"


async def jobs(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(
        await call(client, "jobs.php", fmt=3, get_all=1, **params)
    )
    return listed


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "cost", "body"),
    [
        pytest.param(0, 0, "OK, ID - 2001", id="fmt0"),
        pytest.param(1, 0, "2001", id="fmt1"),
        pytest.param(2, 0, "<result>\n<id>2001</id>\n</result>", id="fmt2"),
        pytest.param(3, 0, '{\n"id": 2001\n}', id="fmt3"),
        pytest.param(0, 1, "OK, ID - 2001, COST - 2.80", id="fmt0-cost"),
        pytest.param(1, 1, "2001,2.80", id="fmt1-cost"),
        pytest.param(2, 1, "<result>\n<id>2001</id>\n<cost>2.80</cost>\n</result>", id="fmt2-cost"),
        pytest.param(3, 1, '{\n"id": 2001,\n"cost": "2.80"\n}', id="fmt3-cost"),
    ],
)
async def test_add(client, fmt, cost, body):
    assert await call(client, "jobs.php", fmt=fmt, cost=cost, **ADD) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, LINE, id="fmt0"),
        pytest.param(1, "2001,Рассылка,2,15.11.2025 12:00:00,,2,Привет", id="fmt1"),
        pytest.param(
            2,
            "<job>\n<id>2001</id>\n<name>Рассылка</name>\n<status>2</status>\n"
            "<created>15.11.2025 12:00:00</created>\n<time></time>\n<cnt>2</cnt>\n"
            "<message>Привет</message>\n</job>",
            id="fmt2-single-job",
        ),
        pytest.param(
            3,
            '{\n"id": 2001,\n"name": "Рассылка",\n"status": 2,\n"created": "15.11.2025 12:00:00",\n'
            '"time": "",\n"cnt": 2,\n"message": "Привет"\n}',
            id="fmt3-single-object",
        ),
    ],
)
async def test_get(client, fmt, body):
    await call(client, "jobs.php", **ADD)
    assert await call(client, "jobs.php", fmt=fmt, get=1, id=2001) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, LINE, id="fmt0"),
        pytest.param(1, "2001,Рассылка,2,15.11.2025 12:00:00,,2,Привет", id="fmt1"),
        pytest.param(
            2,
            "<list>\n<job>\n<id>2001</id>\n<name>Рассылка</name>\n<status>2</status>\n"
            "<created>15.11.2025 12:00:00</created>\n<time></time>\n<cnt>2</cnt>\n"
            "<message>Привет</message>\n</job>\n</list>",
            id="fmt2",
        ),
        pytest.param(
            3,
            '[{\n"id": 2001,\n"name": "Рассылка",\n"status": 2,\n"created": "15.11.2025 12:00:00",\n'
            '"time": "",\n"cnt": 2,\n"message": "Привет"\n}]',
            id="fmt3",
        ),
    ],
)
async def test_get_all(client, fmt, body):
    await call(client, "jobs.php", **ADD)
    assert await call(client, "jobs.php", fmt=fmt, get_all=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, ""), (1, ""), (2, "<list>\n</list>"), (3, "[]")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
async def test_get_all_empty(client, fmt, body):
    assert await call(client, "jobs.php", fmt=fmt, get_all=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, "OK"), (1, "OK"), (2, "<result>OK</result>"), (3, "OK")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3-bare-ok"],
)
@pytest.mark.parametrize("command", ["del", "cancel"])
async def test_delete_and_cancel_answer_ok(client, fmt, body, command):
    await call(client, "jobs.php", time="+60", **ADD)
    assert await call(client, "jobs.php", fmt=fmt, id=2001, **{command: 1}) == body


@pytest.mark.anyio
async def test_future_job_waits_and_cancel_sets_cancelled(client):
    await call(client, "jobs.php", time="+30", **ADD)
    [job] = await jobs(client)
    assert (job["status"], job["time"]) == (0, "15.11.2025 12:30:00")
    await call(client, "jobs.php", cancel=1, id=2001)
    job = json.loads(await call(client, "jobs.php", fmt=3, get=1, id=2001))
    assert job["status"] == 3


@pytest.mark.anyio
async def test_cancel_of_a_job_not_waiting_is_error_3(client):
    await call(client, "jobs.php", **ADD)
    assert await call(client, "jobs.php", cancel=1, id=2001) == "ERROR = 3 (save error)"


@pytest.mark.anyio
async def test_delete_removes(client):
    await call(client, "jobs.php", **ADD)
    await call(client, "jobs.php", **{"del": 1, "id": 2001})
    assert await call(client, "jobs.php", get=1, id=2001) == "ERROR = 3 (record not found)"


@pytest.mark.anyio
async def test_job_from_template_takes_its_message(client):
    await call(client, "templates.php", add=1, name="t", msg="Из шаблона")
    await call(client, "jobs.php", add=1, name="n", phones="79991112233", tpl=1001)
    assert (await jobs(client))[0]["message"] == "Из шаблона"


@pytest.mark.anyio
async def test_list_job_counts_every_phone_and_keeps_the_first_message(client):
    lines = "Shop,2|79991112233,79994445566:Привет\n\n79997778899;Пока"
    await call(client, "jobs.php", add=1, name="n", list=lines)
    [job] = await jobs(client)
    assert (job["cnt"], job["message"]) == (3, "Привет")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("message", "cost"),
    [
        pytest.param("a" * 160, "2.80", id="latin-one-part"),
        pytest.param("a" * 161, "5.60", id="latin-two-parts"),
        pytest.param("я" * 70, "2.80", id="cyrillic-one-part"),
        pytest.param("я" * 135, "8.40", id="cyrillic-three-parts"),
    ],
)
async def test_cost_counts_sms_parts(client, message, cost):
    body = await call(client, "jobs.php", fmt=1, cost=1, **{**ADD, "mes": message})
    assert body == f"2001,{cost}"


@pytest.mark.anyio
async def test_stray_separators_in_phones_are_ignored(client):
    await call(client, "jobs.php", **{**ADD, "phones": ",79991112233;;79994445566, "})
    assert (await jobs(client))[0]["cnt"] == 2


@pytest.mark.anyio
async def test_hlr_needs_no_message(client):
    assert await call(client, "jobs.php", add=1, name="n", phones="79991112233", hlr=1) == (
        "OK, ID - 2001"
    )


@pytest.mark.anyio
async def test_every_documented_option_is_accepted(client):
    options = {
        "sender": "Shop",
        "sender2": "Shop2",
        "mes2": "Запасной текст",
        "fl[5]": 1,
        "time": "0",
        "tz": "-2",
        "rpt": 7,
        "rptn": 3,
        "period": "0.5",
        "freq": 60,
        "valid": "00:30",
        "translit": 2,
        "tinyurl": 1,
        "flash": 0,
        "bin": 2,
        "push": 0,
        "ping": 0,
        "mms": 0,
        "mail": 0,
        "soc": 0,
        "viber": 1,
        "whatsapp": 0,
        "tg": 0,
        "bot": "@shop_bot",
        "smsreq": 30,
        "fileurl": "https://example.com/a.png",
        "call": 0,
        "voice": "w,en",
        "param": "25,10,3",
        "subj": "Тема",
        "cost": 0,
        "nl": 1,
        "id": "client-1",
    }
    assert await call(client, "jobs.php", **ADD, **options) == "OK, ID - 2001"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"name": ""}, "ERROR = 1 (parameters error)", id="no-name"),
        pytest.param({"phones": ""}, "ERROR = 1 (parameters error)", id="no-phones"),
        pytest.param({"mes": ""}, "ERROR = 1 (parameters error)", id="no-message"),
        pytest.param({"tpl": "1"}, "ERROR = 1 (parameters error)", id="mes-and-tpl"),
        pytest.param({"mes": "", "tpl": "77"}, "ERROR = 3 (record not found)", id="unknown-tpl"),
        pytest.param({"mes": "", "tpl": "x"}, "ERROR = 1 (parameters error)", id="bad-tpl"),
        pytest.param(
            {"phones": "", "list": "no separator"}, "ERROR = 1 (parameters error)", id="bad-list"
        ),
        pytest.param(
            {"phones": "", "list": "\n \n"}, "ERROR = 1 (parameters error)", id="blank-list"
        ),
        pytest.param({"time": "32.13.25 10:00"}, "ERROR = 5 (invalid date format)", id="bad-date"),
        pytest.param({"time": "tomorrow"}, "ERROR = 5 (invalid date format)", id="bad-time"),
        pytest.param({"time": " 30"}, "ERROR = 5 (invalid date format)", id="unencoded-plus"),
        pytest.param({"tz": "x"}, "ERROR = 1 (parameters error)", id="bad-tz"),
        pytest.param({"tz": "30"}, "ERROR = 1 (parameters error)", id="tz-out-of-range"),
        pytest.param({"rpt": "8"}, "ERROR = 1 (parameters error)", id="bad-rpt"),
        pytest.param({"flash": "2"}, "ERROR = 1 (parameters error)", id="bad-flag"),
        pytest.param({"voice": "robot"}, "ERROR = 1 (parameters error)", id="bad-voice"),
        pytest.param({"valid": "25"}, "ERROR = 1 (parameters error)", id="valid-too-long"),
        pytest.param({"valid": "24:30"}, "ERROR = 1 (parameters error)", id="valid-hh-mm-too-long"),
        pytest.param({"period": "721"}, "ERROR = 1 (parameters error)", id="period-too-long"),
        pytest.param({"cost": "2"}, "ERROR = 1 (parameters error)", id="bad-cost"),
    ],
)
async def test_add_errors(client, params, error):
    assert await call(client, "jobs.php", **{**ADD, **params}) == error


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"get": 1}, "ERROR = 1 (parameters error)", id="get-no-id"),
        pytest.param({"get": 1, "id": "-1"}, "ERROR = 1 (parameters error)", id="get-negative-id"),
        pytest.param({"get": 1, "id": "9" * 40}, "ERROR = 1 (parameters error)", id="get-huge-id"),
        pytest.param({"get": 1, "id": 5}, "ERROR = 3 (record not found)", id="get-unknown"),
        pytest.param({"del": 1, "id": 5}, "ERROR = 3 (record not found)", id="del-unknown"),
        pytest.param({"cancel": 1, "id": 5}, "ERROR = 3 (record not found)", id="cancel-unknown"),
        pytest.param(
            {"get_all": 1, "start": "2025-11-01"}, "ERROR = 5 (invalid date format)", id="bad-start"
        ),
        pytest.param(
            {"get_all": 1, "end": "31.02.2025"}, "ERROR = 5 (invalid date format)", id="bad-end"
        ),
    ],
)
async def test_other_errors(client, params, error):
    assert await call(client, "jobs.php", **params) == error


class TestGetAllOverDemoData:
    @pytest.fixture
    def app(self, make_app):
        return make_app(seed="demo")

    @pytest.mark.anyio
    async def test_default_is_the_10_newest_of_the_last_2_months(self, client):
        listed = await jobs(client)
        assert [job["id"] for job in listed] == list(range(2013, 2003, -1))

    @pytest.mark.anyio
    async def test_start_lists_everything_since_then_newest_first(self, client):
        listed = await jobs(client, start="01.01.2025")
        assert [job["id"] for job in listed] == list(range(2013, 2000, -1))

    @pytest.mark.anyio
    async def test_start_and_end_are_inclusive_creation_dates(self, client):
        # Job 2009 was created 14 days and an hour before 15.11.2025 12:00, on 01.11.2025.
        listed = await jobs(client, start="01.11.2025", end="01.11.2025")
        assert [job["id"] for job in listed] == [2009]

    @pytest.mark.anyio
    async def test_group_code_counts_the_group_contacts(self, client):
        await call(client, "jobs.php", add=1, name="n", phones="G100;79990000000", mes="x")
        job = json.loads(await call(client, "jobs.php", fmt=3, get=1, id=2014))
        assert job["cnt"] == 4  # the 3 contacts of group number 100, and one phone

    @pytest.mark.anyio
    async def test_statuses_cover_every_value(self, client):
        listed = await jobs(client, start="01.01.2025")
        assert {job["status"] for job in listed} == {0, 1, 2, 3, 4}
