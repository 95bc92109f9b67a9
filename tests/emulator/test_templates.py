"""templates.php: add, chg, del, get in every fmt (reference/smsc-templates.txt)."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import json

import httpx
import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


ADD = {"add": 1, "name": "Шаблон", "msg": "Текст, с запятой", "format": "sms", "sender": "Shop"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID - 1001", id="fmt0"),
        pytest.param(1, "1001", id="fmt1"),
        pytest.param(2, "<template>\n<id>1001</id>\n</template>", id="fmt2"),
        pytest.param(3, '{\n"id": 1001\n}', id="fmt3"),
    ],
)
async def test_add(client, fmt, body):
    assert await call(client, "templates.php", fmt=fmt, **ADD) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 1001, name = Шаблон, format = sms, sender = Shop, flag = 1, message = Текст, с запятой",
            id="fmt0",
        ),
        pytest.param(1, "1001,Шаблон,sms,Shop,1,Текст, с запятой", id="fmt1"),
        pytest.param(
            2,
            "<list>\n<template>\n<id>1001</id>\n<name>Шаблон</name>\n<format>sms</format>\n"
            "<sender>Shop</sender>\n<flag>1</flag>\n<message>Текст, с запятой</message>\n"
            "</template>\n</list>",
            id="fmt2",
        ),
        pytest.param(
            3,
            '[{\n"id": 1001,\n"name": "Шаблон",\n"format": "sms",\n"sender": "Shop",\n'
            '"flag": 1,\n"message": "Текст, с запятой"\n}]',
            id="fmt3-one-key-a-line",
        ),
    ],
)
async def test_get_after_add(client, fmt, body):
    await call(client, "templates.php", **ADD, **{"fl[1]": 1})
    assert await call(client, "templates.php", fmt=fmt, get=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, ""), (1, ""), (2, "<list>\n</list>"), (3, "[]")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
async def test_get_empty(client, fmt, body):
    assert await call(client, "templates.php", fmt=fmt, get=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, "OK"), (1, "OK"), (2, "<result>OK</result>"), (3, '{\n"result": "OK"\n}')],
    ids=["fmt0", "fmt1", "fmt2", "fmt3-json-result"],
)
@pytest.mark.parametrize("command", ["chg", "del"])
async def test_change_and_delete_answer_ok(client, fmt, body, command):
    await call(client, "templates.php", **ADD)
    assert await call(client, "templates.php", fmt=fmt, id=1001, **{command: 1}) == body


@pytest.mark.anyio
async def test_change_updates_given_fields_only(client):
    await call(client, "templates.php", **ADD, **{"fl[1]": 1})
    await call(client, "templates.php", chg=1, id=1001, msg="Новый", format="", **{"fl[1]": 0})
    [template] = json.loads(await call(client, "templates.php", fmt=3, get=1))
    assert template == {
        "id": 1001,
        "name": "Шаблон",
        "format": "",
        "sender": "Shop",
        "flag": 0,
        "message": "Новый",
    }


@pytest.mark.anyio
async def test_delete_removes(client):
    await call(client, "templates.php", **ADD)
    await call(client, "templates.php", **{**ADD, "name": "Второй"})
    await call(client, "templates.php", **{"del": 1, "id": 1001})
    templates = json.loads(await call(client, "templates.php", fmt=3, get=1))
    assert [t["id"] for t in templates] == [1002]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"add": 1, "msg": "x"}, "ERROR = 1 (parameters error)", id="add-no-name"),
        pytest.param({"add": 1, "name": "x"}, "ERROR = 1 (parameters error)", id="add-no-msg"),
        pytest.param(
            {"add": 1, "name": "x", "msg": "y", "format": "fax"},
            "ERROR = 1 (parameters error)",
            id="add-bad-format",
        ),
        pytest.param(
            {"add": 1, "name": "x", "msg": "y", "fl[1]": "2"},
            "ERROR = 1 (parameters error)",
            id="add-bad-flag-value",
        ),
        pytest.param(
            {"add": 1, "name": "x", "msg": "y", "fl[40]": "1"},
            "ERROR = 1 (parameters error)",
            id="add-flag-out-of-range",
        ),
        pytest.param({"chg": 1, "id": "abc"}, "ERROR = 1 (parameters error)", id="chg-bad-id"),
        pytest.param({"chg": 1}, "ERROR = 1 (parameters error)", id="chg-no-id"),
        pytest.param(
            {"chg": 1, "id": 1001, "name": ""}, "ERROR = 1 (parameters error)", id="chg-empty-name"
        ),
        pytest.param(
            {"chg": 1, "id": 1001, "format": "x"},
            "ERROR = 1 (parameters error)",
            id="chg-bad-format",
        ),
        pytest.param({"chg": 1, "id": 9}, "ERROR = 3 (record not found)", id="chg-unknown"),
        pytest.param({"del": 1, "id": 9}, "ERROR = 3 (record not found)", id="del-unknown"),
        pytest.param(
            {"get": 1, "del": 1, "id": 1001}, "ERROR = 1 (parameters error)", id="two-commands"
        ),
        pytest.param(
            {"get_answers": 1}, "ERROR = 1 (parameters error)", id="other-endpoints-command"
        ),
        pytest.param({}, "ERROR = 1 (parameters error)", id="no-command"),
    ],
)
async def test_errors(client, params, error):
    await call(client, "templates.php", **ADD)
    assert await call(client, "templates.php", **params) == error


@pytest.mark.anyio
async def test_curl_post_lists_demo_templates(make_app):
    """`curl -d 'get=1&login=demo&psw=demo&fmt=3' .../sys/templates.php`."""
    transport = httpx.ASGITransport(app=make_app(seed="demo"))
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
        response = await client.post(
            "/sys/templates.php",
            content=b"get=1&login=demo&psw=demo&fmt=3",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=windows-1251"
    templates = json.loads(response.content.decode("cp1251"))
    assert [t["id"] for t in templates] == [1001, 1002, 1003, 1004]
    assert templates[1] == {
        "id": 1002,
        "name": "Подпись",
        "format": "",
        "sender": "",
        "flag": 1,
        "message": "— Команда «Ромашка» ?",  # the emoji does not exist in windows-1251
    }
