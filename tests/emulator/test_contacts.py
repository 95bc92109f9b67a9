"""phones.php contacts: add, chg, del, get, move_group (reference/smsc-contacts-responses.txt)."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import json
from typing import Any

import httpx
import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


CONTACT = {
    "add": 1,
    "phone": "+79991112233; 79994445566",
    "name": "Иван",
    "grp": "41",
    "fnm": "Иван",
    "lnm": "Петров",
    "mnm": "",
    "bd": "01.02.1990",
    "myid": "x1",
    "cmt": "Комментарий, с запятой",
    "tags": "a, b ,c",
    "pho": "74950000001",
}
FIELDS = (
    "79991112233,79994445566",
    "Иван",
    "41",
    "Иван",
    "Петров",
    "",
    "01.02.1990",
    "x1",
    "Комментарий, с запятой",
    "a,b,c",
    "74950000001",
)
NAMES = [
    "phone",
    "name",
    "group",
    "first_name",
    "last_name",
    "middle_name",
    "birthday",
    "id",
    "comments",
    "tags",
    "phone_other",
]


async def add_groups(client: httpx.AsyncClient, *names: str) -> None:
    for name in names:
        await call(client, "phones.php", add_group=1, name=name)


async def contacts(client: httpx.AsyncClient, **params: Any) -> list[dict[str, str]]:
    listed: list[dict[str, str]] = json.loads(
        await call(client, "phones.php", fmt=3, get=1, **params)
    )
    return listed


async def groups(client: httpx.AsyncClient) -> dict[int, str]:
    listed = json.loads(await call(client, "phones.php", fmt=3, get_group=1))
    return {group["id"]: group["cnt"] for group in listed}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID = 3001", id="fmt0"),
        pytest.param(1, "3001", id="fmt1"),
        pytest.param(2, "<phone>\n<id>3001</id>\n</phone>", id="fmt2"),
        pytest.param(3, '{\n"id": 3001\n}', id="fmt3"),
    ],
)
async def test_add(client, fmt, body):
    await add_groups(client, "Группа")
    assert await call(client, "phones.php", fmt=fmt, **CONTACT) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0, ", ".join(f"{n} = {v}" for n, v in zip(NAMES, FIELDS, strict=True)), id="fmt0"
        ),
        pytest.param(1, ",".join(FIELDS), id="fmt1"),
        pytest.param(
            2,
            "<list>\n<contact>\n"
            + "\n".join(f"<{n}>{v}</{n}>" for n, v in zip(NAMES, FIELDS, strict=True))
            + "\n</contact>\n</list>",
            id="fmt2",
        ),
        pytest.param(
            3,
            "[{\n"
            + ",\n".join(f'"{n}": "{v}"' for n, v in zip(NAMES, FIELDS, strict=True))
            + "\n}]",
            id="fmt3-all-strings",
        ),
    ],
)
async def test_get(client, fmt, body):
    await add_groups(client, "Группа")
    await call(client, "phones.php", **CONTACT)
    assert await call(client, "phones.php", fmt=fmt, get=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ERROR = 3 (no records found)", id="fmt0"),
        pytest.param(1, "0,-3", id="fmt1"),
        pytest.param(
            2,
            "<result>\n<error>no records found</error>\n<error_code>3</error_code>\n</result>",
            id="fmt2",
        ),
        pytest.param(3, '{\n"error": "no records found",\n"error_code": 3\n}', id="fmt3"),
    ],
)
async def test_get_empty_is_error_3(client, fmt, body):
    assert await call(client, "phones.php", fmt=fmt, get=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, "OK"), (1, "OK"), (2, "<result>OK</result>"), (3, "OK")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3-bare-ok"],
)
@pytest.mark.parametrize("command", ["chg", "del"])
async def test_change_and_delete_answer_ok(client, fmt, body, command):
    await call(client, "phones.php", add=1, phone="79991112233")
    assert await call(client, "phones.php", fmt=fmt, phone="79991112233", **{command: 1}) == body


@pytest.mark.anyio
async def test_change_replaces_phones_and_fields(client):
    await call(client, "phones.php", add=1, phone="79991112233,79994445566", name="Old", cmt="c")
    await call(
        client, "phones.php", chg=1, phone="79994445566", new_phone="79990000000", name="New"
    )
    [contact] = await contacts(client)
    assert (contact["phone"], contact["name"], contact["comments"]) == ("79990000000", "New", "c")


@pytest.mark.anyio
async def test_a_phone_given_twice_is_kept_once(client):
    await call(client, "phones.php", add=1, phone="79991112233 +79991112233")
    assert (await contacts(client))[0]["phone"] == "79991112233"


@pytest.mark.anyio
async def test_change_is_all_or_nothing(client):
    await call(client, "phones.php", add=1, phone="79991112233", name="Old")
    error = await call(
        client, "phones.php", chg=1, phone="79991112233", name="New", bd="31.02.2000"
    )
    assert error == "ERROR = 1 (parameters error)"
    assert (await contacts(client))[0]["name"] == "Old"


@pytest.mark.anyio
async def test_change_clears_a_field_given_empty(client):
    await call(client, "phones.php", add=1, phone="79991112233", bd="01.01.2000", tags="a")
    await call(client, "phones.php", chg=1, phone="79991112233", bd="", tags="")
    [contact] = await contacts(client)
    assert (contact["birthday"], contact["tags"]) == ("", "")


@pytest.mark.anyio
async def test_delete_removes_every_contact_named(client):
    await call(client, "phones.php", add=1, phone="79991112233")
    await call(client, "phones.php", add=1, phone="79994445566")
    await call(client, "phones.php", add=1, phone="79997778899")
    await call(client, "phones.php", **{"del": 1, "phone": "79991112233,79994445566"})
    assert [c["phone"] for c in await contacts(client)] == ["79997778899"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"add": 1}, "ERROR = 1 (parameters error)", id="add-no-phone"),
        pytest.param(
            {"add": 1, "phone": "abc"}, "ERROR = 1 (parameters error)", id="add-bad-phone"
        ),
        pytest.param(
            {"add": 1, "phone": ",;"}, "ERROR = 1 (parameters error)", id="add-only-separators"
        ),
        pytest.param(
            {"add": 1, "phone": "79991112233"}, "ERROR = 5 (save error)", id="add-duplicate"
        ),
        pytest.param(
            {"add": 1, "phone": "79990000000", "grp": "99"},
            "ERROR = 3 (record not found)",
            id="add-unknown-group",
        ),
        pytest.param(
            {"add": 1, "phone": "79990000000", "grp": "x"},
            "ERROR = 1 (parameters error)",
            id="add-bad-group",
        ),
        pytest.param(
            {"add": 1, "phone": "79990000000", "bd": "1990-01-01"},
            "ERROR = 1 (parameters error)",
            id="add-bad-birthday",
        ),
        pytest.param(
            {"chg": 1, "phone": "79990000000"}, "ERROR = 3 (record not found)", id="chg-unknown"
        ),
        pytest.param({"chg": 1}, "ERROR = 1 (parameters error)", id="chg-no-phone"),
        pytest.param(
            {"chg": 1, "phone": "79991112233", "new_phone": ""},
            "ERROR = 1 (parameters error)",
            id="chg-empty-new-phone",
        ),
        pytest.param(
            {"chg": 1, "phone": "79991112233", "new_phone": "79994445566"},
            "ERROR = 5 (save error)",
            id="chg-taken-new-phone",
        ),
        pytest.param(
            {"del": 1, "phone": "79990000000"}, "ERROR = 3 (record not found)", id="del-unknown"
        ),
        pytest.param({"get": 1, "grp": "x"}, "ERROR = 1 (parameters error)", id="get-bad-group"),
        pytest.param(
            {"get": 1, "after_id": "x"}, "ERROR = 1 (parameters error)", id="get-bad-after-id"
        ),
        pytest.param({"get": 1, "cnt": "0"}, "ERROR = 1 (parameters error)", id="get-zero-count"),
        pytest.param(
            {"get": 1, "grp": "99"}, "ERROR = 3 (no records found)", id="get-unknown-group"
        ),
    ],
)
async def test_errors(client, params, error):
    await call(client, "phones.php", add=1, phone="79991112233")
    await call(client, "phones.php", add=1, phone="79994445566")
    assert await call(client, "phones.php", **params) == error


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "phones"),
    [
        pytest.param({"search": "ИВАН"}, ["79991112233"], id="search-name-any-case"),
        pytest.param({"search": "vip"}, ["79994445566"], id="search-tags"),
        pytest.param({"search": "звонить"}, ["79997778899"], id="search-comment"),
        pytest.param({"search": "7999777"}, ["79997778899"], id="search-phone"),
        pytest.param({"grp": "41"}, ["79991112233", "79997778899"], id="group"),
        pytest.param({"after_id": "3001"}, ["79994445566", "79997778899"], id="after-id"),
        pytest.param({"cnt": "2"}, ["79991112233", "79994445566"], id="count"),
        pytest.param({"after_id": "3001", "cnt": "1"}, ["79994445566"], id="page"),
    ],
)
async def test_get_filters(client, params, phones):
    await add_groups(client, "A", "B")
    await call(client, "phones.php", add=1, phone="79991112233", name="Иван", grp="41")
    await call(client, "phones.php", add=1, phone="79994445566", tags="vip,new", grp="42")
    await call(client, "phones.php", add=1, phone="79997778899", cmt="Звонить вечером", grp="41,42")
    assert [c["phone"] for c in await contacts(client, **params)] == phones


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("mode", "grp", "groups_after", "counts"),
    [
        pytest.param(1, "43", "43", {41: "0", 42: "0", 43: "1"}, id="1-replaces"),
        pytest.param(2, "43", "41,42,43", {41: "1", 42: "1", 43: "1"}, id="2-adds"),
        pytest.param(3, "41", "42", {41: "0", 42: "1", 43: "0"}, id="3-removes"),
        pytest.param(3, "43", "41,42", {41: "1", 42: "1", 43: "0"}, id="3-not-a-member"),
        pytest.param(1, "41,43", "41,43", {41: "1", 42: "0", 43: "1"}, id="1-several"),
    ],
)
async def test_move_group(client, mode, grp, groups_after, counts):
    await add_groups(client, "A", "B", "C")
    await call(client, "phones.php", add=1, phone="79991112233", grp="41,42")
    answer = await call(client, "phones.php", fmt=3, move_group=mode, grp=grp, phone="79991112233")
    assert answer == "OK"
    assert (await contacts(client))[0]["group"] == groups_after
    assert await groups(client) == counts


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"move_group": 4}, "ERROR = 1 (parameters error)", id="bad-mode"),
        pytest.param({"grp": ""}, "ERROR = 1 (parameters error)", id="no-group"),
        pytest.param({"grp": ","}, "ERROR = 1 (parameters error)", id="empty-group-list"),
        pytest.param({"grp": "99"}, "ERROR = 3 (record not found)", id="unknown-group"),
        pytest.param({"phone": ""}, "ERROR = 1 (parameters error)", id="no-phone"),
        pytest.param({"phone": "79990000000"}, "ERROR = 3 (record not found)", id="unknown-phone"),
    ],
)
async def test_move_group_errors(client, params, error):
    await add_groups(client, "A")
    await call(client, "phones.php", add=1, phone="79991112233")
    base = {"move_group": 1, "grp": "41", "phone": "79991112233"}
    assert await call(client, "phones.php", **{**base, **params}) == error


# E-mail contacts (docs/smsc-wire.md, "E-mail contacts" [A]): `mail`, `new_mail`, `mail_other`.

EMAIL_CONTACT = {
    "add": 1,
    "mail": "ann@example.com; Ann.B@example.org",
    "name": "Ann, Jr.",
    "grp": "41",
    "tags": "news",
    "mail_other": "ann@home.example",
}
EMAIL_FIELDS = (
    "ann@example.com,Ann.B@example.org",
    "Ann, Jr.",
    "41",
    "",
    "",
    "",
    "",
    "",
    "",
    "news",
    "ann@home.example",
)
EMAIL_NAMES = ["mail", *NAMES[1:-1], "mail_other"]


async def add_email_group(client: httpx.AsyncClient) -> None:
    await call(client, "phones.php", add_group=1, name="Подписчики", type=1)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID = 3001", id="fmt0"),
        pytest.param(1, "3001", id="fmt1"),
        pytest.param(2, "<phone>\n<id>3001</id>\n</phone>", id="fmt2-phone-root"),
        pytest.param(3, '{\n"id": 3001\n}', id="fmt3"),
    ],
)
async def test_add_an_e_mail_contact(client, fmt, body):
    await add_email_group(client)
    assert await call(client, "phones.php", fmt=fmt, **EMAIL_CONTACT) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            ", ".join(f"{n} = {v}" for n, v in zip(EMAIL_NAMES, EMAIL_FIELDS, strict=True)),
            id="fmt0-mail-labels",
        ),
        pytest.param(1, ",".join(EMAIL_FIELDS), id="fmt1-same-columns"),
        pytest.param(
            2,
            "<list>\n<contact>\n"
            + "\n".join(f"<{n}>{v}</{n}>" for n, v in zip(EMAIL_NAMES, EMAIL_FIELDS, strict=True))
            + "\n</contact>\n</list>",
            id="fmt2-mail-elements",
        ),
        pytest.param(
            3,
            "[{\n"
            + ",\n".join(f'"{n}": "{v}"' for n, v in zip(EMAIL_NAMES, EMAIL_FIELDS, strict=True))
            + "\n}]",
            id="fmt3-mail-keys",
        ),
    ],
)
async def test_get_an_e_mail_contact(client, fmt, body):
    await add_email_group(client)
    await call(client, "phones.php", **EMAIL_CONTACT)
    assert await call(client, "phones.php", fmt=fmt, get=1) == body


@pytest.mark.anyio
async def test_one_listing_holds_both_kinds_each_with_its_own_keys(client):
    await call(client, "phones.php", add=1, phone="79991112233", pho="74950000001")
    await call(client, "phones.php", add=1, mail="ann@example.com")
    phone, email = await contacts(client)
    assert (phone["phone"], phone["phone_other"]) == ("79991112233", "74950000001")
    assert {"mail", "mail_other"}.isdisjoint(phone)
    assert (email["mail"], email["mail_other"]) == ("ann@example.com", "")
    assert {"phone", "phone_other"}.isdisjoint(email)


@pytest.mark.anyio
async def test_change_replaces_e_mail_addresses_and_fields(client):
    await call(client, "phones.php", add=1, mail="ann@example.com,ann@example.org", name="Old")
    answer = await call(
        client,
        "phones.php",
        fmt=3,
        chg=1,
        mail="ann@example.org",
        new_mail="anna@example.net",
        mail_other="a@home.example",
        name="New",
    )
    assert answer == "OK"
    [contact] = await contacts(client)
    assert (contact["mail"], contact["mail_other"], contact["name"]) == (
        "anna@example.net",
        "a@home.example",
        "New",
    )


@pytest.mark.anyio
async def test_an_e_mail_address_finds_its_contact_to_delete_and_move(client):
    await add_email_group(client)
    await call(client, "phones.php", add=1, mail="ann@example.com")
    await call(client, "phones.php", add=1, mail="bob@example.com")
    await call(client, "phones.php", add=1, phone="79991112233")
    assert await call(client, "phones.php", move_group=2, grp="41", mail="bob@example.com") == "OK"
    assert await groups(client) == {41: "1"}
    assert await call(client, "phones.php", **{"del": 1, "mail": "ann@example.com"}) == "OK"
    assert [c.get("mail", c.get("phone")) for c in await contacts(client)] == [
        "bob@example.com",
        "79991112233",
    ]


@pytest.mark.anyio
async def test_an_e_mail_address_given_twice_is_kept_once_as_given(client):
    await call(client, "phones.php", add=1, mail="Ann@Example.com Ann@Example.com;b@example.com")
    assert (await contacts(client))[0]["mail"] == "Ann@Example.com,b@example.com"


@pytest.mark.anyio
async def test_search_looks_in_e_mail_addresses(client):
    await call(client, "phones.php", add=1, mail="ann@example.com")
    await call(client, "phones.php", add=1, phone="79991112233")
    assert [c["mail"] for c in await contacts(client, search="EXAMPLE")] == ["ann@example.com"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param(
            {"add": 1, "phone": "79990000000", "mail": "x@example.com"},
            "ERROR = 1 (parameters error)",
            id="add-both-kinds",
        ),
        pytest.param(
            {"add": 1, "mail": "not an address"},
            "ERROR = 1 (parameters error)",
            id="add-bad-address",
        ),
        pytest.param(
            {"add": 1, "mail": "a@b@c"}, "ERROR = 1 (parameters error)", id="add-two-at-signs"
        ),
        pytest.param(
            {"add": 1, "mail": " ,;"}, "ERROR = 1 (parameters error)", id="add-only-separators"
        ),
        pytest.param(
            {"add": 1, "mail": "ann@example.com"}, "ERROR = 5 (save error)", id="add-duplicate"
        ),
        pytest.param(
            {"add": 1, "mail": "x@example.com", "pho": "79990000000"},
            "ERROR = 1 (parameters error)",
            id="add-e-mail-contact-with-other-phones",
        ),
        pytest.param(
            {"add": 1, "phone": "79990000000", "mail_other": "x@example.com"},
            "ERROR = 1 (parameters error)",
            id="add-phone-contact-with-other-addresses",
        ),
        pytest.param(
            {"chg": 1, "mail": "ann@example.com", "new_phone": "79990000000"},
            "ERROR = 1 (parameters error)",
            id="chg-e-mail-contact-new-phone",
        ),
        pytest.param(
            {"chg": 1, "phone": "79991112233", "new_mail": "x@example.com"},
            "ERROR = 1 (parameters error)",
            id="chg-phone-contact-new-mail",
        ),
        pytest.param(
            {"chg": 1, "mail": "ann@example.com", "new_mail": "bob@example.com"},
            "ERROR = 5 (save error)",
            id="chg-taken-new-mail",
        ),
        pytest.param(
            {"chg": 1, "mail": "ann@example.com", "phone": "79991112233"},
            "ERROR = 1 (parameters error)",
            id="chg-both-kinds",
        ),
        pytest.param(
            {"chg": 1, "mail": "Ann@Example.com"},
            "ERROR = 3 (record not found)",
            id="chg-compared-case-sensitively",
        ),
        pytest.param(
            {"del": 1, "mail": "nobody@example.com"},
            "ERROR = 3 (record not found)",
            id="del-unknown",
        ),
        pytest.param(
            {"del": 1, "mail": "79991112233"},
            "ERROR = 1 (parameters error)",
            id="del-phone-as-mail",
        ),
    ],
)
async def test_e_mail_contact_errors(client, params, error):
    await call(client, "phones.php", add=1, phone="79991112233")
    await call(client, "phones.php", add=1, mail="ann@example.com")
    await call(client, "phones.php", add=1, mail="bob@example.com")
    assert await call(client, "phones.php", **params) == error
