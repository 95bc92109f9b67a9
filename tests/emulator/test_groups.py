"""phones.php groups: add_group, chg_group, del_group, get_group (smsc-api-notes.md §2.3)."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import json

import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID = 41", id="fmt0"),
        pytest.param(1, "41", id="fmt1"),
        pytest.param(2, "<group>\n<id>41</id>\n</group>", id="fmt2-group-root"),
        pytest.param(3, '{\n"id": 41\n}', id="fmt3"),
    ],
)
async def test_add_group(client, fmt, body):
    assert await call(client, "phones.php", fmt=fmt, add_group=1, name="Группа") == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 41, name = С номером, number = 7, cnt = 1\nid = 42, name = Без, number = , cnt = 0",
            id="fmt0",
        ),
        pytest.param(1, "41,С номером,7,1\n42,Без,,0", id="fmt1"),
        pytest.param(
            2,
            "<list>\n<group>\n<id>41</id>\n<name>С номером</name>\n<number>7</number>\n<cnt>1</cnt>\n"
            "</group>\n<group>\n<id>42</id>\n<name>Без</name>\n<number></number>\n<cnt>0</cnt>\n"
            "</group>\n</list>",
            id="fmt2",
        ),
        pytest.param(
            3,
            '[{\n"id": 41,\n"name": "С номером",\n"number": 7,\n"cnt": "1"\n},\n'
            '{\n"id": 42,\n"name": "Без",\n"cnt": "0"\n}]',
            id="fmt3-number-omitted-cnt-string",
        ),
    ],
)
async def test_get_group(client, fmt, body):
    await call(client, "phones.php", add_group=1, name="С номером", num=7)
    await call(client, "phones.php", add_group=1, name="Без", type=1)
    await call(client, "phones.php", add=1, phone="79991112233", grp=41)
    assert await call(client, "phones.php", fmt=fmt, get_group=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
async def test_get_group_empty_is_error_3(client, fmt):
    body = await call(client, "phones.php", fmt=fmt, get_group=1)
    assert (
        body
        == {
            0: "ERROR = 3 (no records found)",
            1: "0,-3",
            2: "<result>\n<error>no records found</error>\n<error_code>3</error_code>\n</result>",
            3: '{\n"error": "no records found",\n"error_code": 3\n}',
        }[fmt]
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, "OK"), (1, "OK"), (2, "<result>OK</result>"), (3, "OK")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3-bare-ok"],
)
@pytest.mark.parametrize(
    "params", [{"chg_group": 1, "name": "Новое"}, {"del_group": 1}], ids=["chg_group", "del_group"]
)
async def test_change_and_delete_answer_ok(client, fmt, body, params):
    await call(client, "phones.php", add_group=1, name="Группа")
    assert await call(client, "phones.php", fmt=fmt, grp=41, **params) == body


@pytest.mark.anyio
async def test_change_group_renames_and_renumbers(client):
    await call(client, "phones.php", add_group=1, name="Группа", num=5)
    await call(client, "phones.php", chg_group=1, grp=41, name="Новое", num=6)
    await call(client, "phones.php", chg_group=1, grp=41, name="Новое 2")
    [group] = json.loads(await call(client, "phones.php", fmt=3, get_group=1))
    assert (group["name"], group["number"]) == ("Новое 2", 6)


@pytest.mark.anyio
async def test_change_group_can_drop_the_number(client):
    await call(client, "phones.php", add_group=1, name="Группа", num=5)
    await call(client, "phones.php", chg_group=1, grp=41, name="Группа", num="")
    [group] = json.loads(await call(client, "phones.php", fmt=3, get_group=1))
    assert "number" not in group


@pytest.mark.anyio
async def test_delete_group_takes_it_off_its_contacts(client):
    await call(client, "phones.php", add_group=1, name="A")
    await call(client, "phones.php", add_group=1, name="B")
    await call(client, "phones.php", add=1, phone="79991112233", grp="41,42")
    await call(client, "phones.php", del_group=1, grp=41)
    [contact] = json.loads(await call(client, "phones.php", fmt=3, get=1))
    assert contact["group"] == "42"
    [group] = json.loads(await call(client, "phones.php", fmt=3, get_group=1))
    assert group["id"] == 42


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"add_group": 1}, "ERROR = 1 (parameters error)", id="add-no-name"),
        pytest.param(
            {"add_group": 1, "name": "   "}, "ERROR = 5 (save error)", id="add-spaces-name"
        ),
        pytest.param(
            {"add_group": 1, "name": "x", "num": "5"},
            "ERROR = 5 (save error)",
            id="add-duplicate-number",
        ),
        pytest.param(
            {"add_group": 1, "name": "x", "num": "n"},
            "ERROR = 1 (parameters error)",
            id="add-bad-number",
        ),
        pytest.param(
            {"add_group": 1, "name": "x", "type": "2"},
            "ERROR = 1 (parameters error)",
            id="add-bad-type",
        ),
        pytest.param(
            {"chg_group": 1, "grp": 99, "name": "x"},
            "ERROR = 3 (record not found)",
            id="chg-unknown",
        ),
        pytest.param({"chg_group": 1, "grp": 41}, "ERROR = 1 (parameters error)", id="chg-no-name"),
        pytest.param(
            {"chg_group": 1, "grp": 41, "name": ""},
            "ERROR = 1 (parameters error)",
            id="chg-empty-name",
        ),
        pytest.param(
            {"chg_group": 1, "grp": 41, "name": " "}, "ERROR = 5 (save error)", id="chg-space-name"
        ),
        pytest.param(
            {"chg_group": 1, "name": "x"}, "ERROR = 1 (parameters error)", id="chg-no-group"
        ),
        pytest.param(
            {"chg_group": 1, "grp": 42, "name": "x", "num": "5"},
            "ERROR = 5 (save error)",
            id="chg-duplicate-number",
        ),
        pytest.param({"del_group": 1, "grp": 99}, "ERROR = 3 (record not found)", id="del-unknown"),
        pytest.param({"del_group": 1}, "ERROR = 1 (parameters error)", id="del-no-group"),
        pytest.param(
            {"del_group": 1, "grp": "WRONG123"},
            "ERROR = 1 (parameters error)",
            id="del-non-numeric",
        ),
    ],
)
async def test_errors(client, params, error):
    """The choices node-smsc recorded from the live service in 2013 (smsc-api-notes.md §2.3)."""
    await call(client, "phones.php", add_group=1, name="Группа", num=5)
    await call(client, "phones.php", add_group=1, name="Другая")
    assert await call(client, "phones.php", **params) == error
