"""downloads.php: get_list and get_file (reference/smsc-downloads.txt; docs/smsc-wire.md [A])."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import csv
import io
import json
from typing import Any
from urllib.parse import urlencode

import pytest

from facade.emulator.records import DownloadTask
from facade.emulator.seed import sent_messages_csv
from tests.emulator.conftest import DEMO, WALL_START, call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


@pytest.fixture
def tasks(state):
    data = state.account()
    data.downloads[71] = DownloadTask(
        71, "Отчёт, май", 2, WALL_START, WALL_START + 60, "report.csv", 'a;b\r\nЁ;"x"\r\n'
    )
    data.downloads[72] = DownloadTask(72, "Ждёт", 0, WALL_START + 120)
    return data.downloads


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 71, name = Отчёт, май, status = 2, created = 15.11.2025 12:00:00, time = 15.11.2025 12:01:00, "
            "file = report.csv\nid = 72, name = Ждёт, status = 0, created = 15.11.2025 12:02:00, time = , file = ",
            id="fmt0",
        ),
        pytest.param(
            1,
            "71,Отчёт, май,2,15.11.2025 12:00:00,15.11.2025 12:01:00,report.csv\n"
            "72,Ждёт,0,15.11.2025 12:02:00,,",
            id="fmt1",
        ),
        pytest.param(
            2,
            "<list>\n<task>\n<id>71</id>\n<name>Отчёт, май</name>\n<status>2</status>\n"
            "<created>15.11.2025 12:00:00</created>\n<time>15.11.2025 12:01:00</time>\n"
            "<file>report.csv</file>\n</task>\n<task>\n<id>72</id>\n<name>Ждёт</name>\n"
            "<status>0</status>\n<created>15.11.2025 12:02:00</created>\n<time></time>\n"
            "<file></file>\n</task>\n</list>",
            id="fmt2-task",
        ),
        pytest.param(
            3,
            '[{\n"id": 71,\n"name": "Отчёт, май",\n"status": 2,\n"created": "15.11.2025 12:00:00",\n'
            '"time": "15.11.2025 12:01:00",\n"file": "report.csv"\n},\n{\n"id": 72,\n"name": "Ждёт",\n'
            '"status": 0,\n"created": "15.11.2025 12:02:00",\n"time": "",\n"file": ""\n}]',
            id="fmt3",
        ),
    ],
)
async def test_get_list(client, tasks, fmt, body):
    assert await call(client, "downloads.php", fmt=fmt, get_list=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, ""), (1, ""), (2, "<list>\n</list>"), (3, "[]")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
async def test_get_list_empty(client, fmt, body):
    assert await call(client, "downloads.php", fmt=fmt, get_list=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "ids"),
    [({"cnt": 1}, [71]), ({"after_id": 71}, [72]), ({"after_id": 72}, [])],
    ids=["count", "after-id", "after-last"],
)
async def test_get_list_pages(client, tasks, params, ids):
    listed = json.loads(await call(client, "downloads.php", fmt=3, get_list=1, **params))
    assert [task["id"] for task in listed] == ids


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "charset"),
    [
        pytest.param({"id": 71}, "utf-8", id="by-id-utf8"),
        pytest.param({"name": "report.csv"}, "windows-1251", id="by-file-name-cp1251"),
        pytest.param({"name": "Отчёт, май"}, "koi8-r", id="by-task-name-koi8r"),
    ],
)
async def test_get_file_is_the_csv_itself(client, tasks, params, charset):
    form = {**DEMO, "get_file": 1, "charset": charset, "fmt": 3, **params}
    response = await client.post(
        "/sys/downloads.php", content=_encode(form, charset), headers=_FORM
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=windows-1251"
    assert response.headers["content-disposition"] == 'attachment; filename="report.csv"'
    assert response.content.decode(charset) == 'a;b\r\nЁ;"x"\r\n'


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"id": 72}, "ERROR = 3 (record not found)", id="not-completed"),
        pytest.param({"id": 99}, "ERROR = 3 (record not found)", id="unknown-id"),
        pytest.param({"name": "nope.csv"}, "ERROR = 3 (record not found)", id="unknown-name"),
        pytest.param({"id": "x"}, "ERROR = 1 (parameters error)", id="bad-id"),
        pytest.param({}, "ERROR = 1 (parameters error)", id="neither-id-nor-name"),
    ],
)
async def test_get_file_errors(client, tasks, params, error):
    assert await call(client, "downloads.php", get_file=1, **params) == error


@pytest.mark.anyio
@pytest.mark.parametrize("params", [{"cnt": 0}, {"after_id": "x"}], ids=["cnt-0", "bad-after-id"])
async def test_get_list_errors(client, params):
    assert (
        await call(client, "downloads.php", get_list=1, **params) == "ERROR = 1 (parameters error)"
    )


def test_demo_csv_survives_a_csv_reader():
    rows = list(csv.reader(io.StringIO(sent_messages_csv(), newline=""), delimiter=";"))
    assert rows[0] == ["id", "phone", "message", "sent", "status"]
    assert rows[3][2] == "Две строки:\nвторая 😀"


class TestDemoDownloads:
    @pytest.fixture
    def app(self, make_app):
        return make_app(seed="demo")

    @pytest.mark.anyio
    async def test_every_status_and_completed_ones_have_files(self, client):
        listed = json.loads(await call(client, "downloads.php", fmt=3, get_list=1))
        assert sorted(task["status"] for task in listed) == [0, 1, 2, 2, 3, 4]
        assert all(bool(task["file"]) == (task["status"] == 2) for task in listed)
        for task in listed:
            if task["file"]:
                body = await call(client, "downloads.php", get_file=1, id=task["id"])
                assert body == sent_messages_csv()


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _encode(form: dict[str, Any], charset: str) -> bytes:
    return urlencode(form, encoding=charset).encode("ascii")
