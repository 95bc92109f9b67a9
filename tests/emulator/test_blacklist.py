"""phones.php blacklist: add_black, del_black, get_black (docs/smsc-wire.md [A])."""

import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID = 501", id="fmt0"),
        pytest.param(1, "501", id="fmt1"),
        pytest.param(2, "<phone>\n<id>501</id>\n</phone>", id="fmt2-phone-root"),
        pytest.param(3, '{\n"id": 501\n}', id="fmt3"),
    ],
)
async def test_add_black(client, fmt, body):
    assert await call(client, "phones.php", fmt=fmt, add_black=1, phone="+79991112233") == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 501, phone = 79991112233, type = 0, comment = \nid = 502, phone = 79994445566, type = 2, comment = Жалоба, <&>",
            id="fmt0",
        ),
        pytest.param(1, "501,79991112233,0,\n502,79994445566,2,Жалоба, <&>", id="fmt1"),
        pytest.param(
            2,
            "<list>\n<record>\n<id>501</id>\n<phone>79991112233</phone>\n<type>0</type>\n<comment></comment>\n"
            "</record>\n<record>\n<id>502</id>\n<phone>79994445566</phone>\n<type>2</type>\n"
            "<comment>Жалоба, &lt;&amp;&gt;</comment>\n</record>\n</list>",
            id="fmt2-record",
        ),
        pytest.param(
            3,
            '[{\n"id": 501,\n"phone": "79991112233",\n"type": 0,\n"comment": ""\n},\n'
            '{\n"id": 502,\n"phone": "79994445566",\n"type": 2,\n"comment": "Жалоба, <&>"\n}]',
            id="fmt3",
        ),
    ],
)
async def test_get_black(client, fmt, body):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    await call(client, "phones.php", add_black=1, phone="79994445566", type=2, cmt="Жалоба, <&>")
    assert await call(client, "phones.php", fmt=fmt, get_black=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, "OK"), (1, "OK"), (2, "<result>OK</result>"), (3, "OK")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3-bare-ok"],
)
async def test_del_black(client, fmt, body):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    assert await call(client, "phones.php", fmt=fmt, del_black=1, phone="79991112233") == body
    assert await call(client, "phones.php", get_black=1) == "ERROR = 3 (no records found)"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"add_black": 1}, "ERROR = 1 (parameters error)", id="add-no-phone"),
        pytest.param(
            {"add_black": 1, "phone": "1,2"}, "ERROR = 1 (parameters error)", id="add-bad-phone"
        ),
        pytest.param(
            {"add_black": 1, "phone": "79990000001,79990000002"},
            "ERROR = 1 (parameters error)",
            id="add-two-phones",
        ),
        pytest.param(
            {"add_black": 1, "phone": "79990000001", "type": 3},
            "ERROR = 1 (parameters error)",
            id="add-bad-type",
        ),
        pytest.param(
            {"add_black": 1, "phone": "79991112233"}, "ERROR = 5 (save error)", id="add-duplicate"
        ),
        pytest.param(
            {"del_black": 1, "phone": "79990000001"},
            "ERROR = 3 (record not found)",
            id="del-unknown",
        ),
    ],
)
async def test_errors(client, params, error):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    assert await call(client, "phones.php", **params) == error


# The e-mail blacklist (docs/smsc-wire.md, "phones.php get_black=1" [A]).


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ID = 501", id="fmt0"),
        pytest.param(1, "501", id="fmt1"),
        pytest.param(2, "<phone>\n<id>501</id>\n</phone>", id="fmt2-phone-root"),
        pytest.param(3, '{\n"id": 501\n}', id="fmt3"),
    ],
)
async def test_add_black_an_e_mail_address(client, fmt, body):
    assert await call(client, "phones.php", fmt=fmt, add_black=1, mail="ann@example.com") == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 502, email = ann@example.com, type = 1, comment = Отписалась, <&>",
            id="fmt0-email-label",
        ),
        pytest.param(1, "502,ann@example.com,1,Отписалась, <&>", id="fmt1"),
        pytest.param(
            2,
            "<list>\n<record>\n<id>502</id>\n<email>ann@example.com</email>\n<type>1</type>\n"
            "<comment>Отписалась, &lt;&amp;&gt;</comment>\n</record>\n</list>",
            id="fmt2-email-element",
        ),
        pytest.param(
            3,
            '[{\n"id": 502,\n"email": "ann@example.com",\n"type": 1,\n"comment": "Отписалась, <&>"\n}]',
            id="fmt3-email-key",
        ),
    ],
)
async def test_get_black_the_e_mail_list(client, fmt, body):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    await call(
        client, "phones.php", add_black=1, mail="ann@example.com", type=1, cmt="Отписалась, <&>"
    )
    assert await call(client, "phones.php", fmt=fmt, get_black=1, mail=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize("mail", [None, "", "0"], ids=["absent", "empty", "zero"])
async def test_get_black_without_mail_lists_the_phones(client, mail):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    await call(client, "phones.php", add_black=1, mail="ann@example.com")
    assert await call(client, "phones.php", fmt=1, get_black=1, mail=mail) == "501,79991112233,0,"


@pytest.mark.anyio
async def test_del_black_an_e_mail_address(client):
    await call(client, "phones.php", add_black=1, phone="79991112233")
    await call(client, "phones.php", add_black=1, mail="ann@example.com")
    assert await call(client, "phones.php", fmt=3, del_black=1, mail="ann@example.com") == "OK"
    no_records = "ERROR = 3 (no records found)"
    assert await call(client, "phones.php", get_black=1, mail=1) == no_records
    assert await call(client, "phones.php", fmt=1, get_black=1) == "501,79991112233,0,"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param(
            {"add_black": 1, "phone": "79990000001", "mail": "x@example.com"},
            "ERROR = 1 (parameters error)",
            id="add-both",
        ),
        pytest.param(
            {"add_black": 1, "mail": "x@example.com,y@example.com"},
            "ERROR = 1 (parameters error)",
            id="add-two-addresses",
        ),
        pytest.param(
            {"add_black": 1, "mail": "x at example.com"},
            "ERROR = 1 (parameters error)",
            id="add-bad-address",
        ),
        pytest.param(
            {"add_black": 1, "mail": "ann@example.com"},
            "ERROR = 5 (save error)",
            id="add-duplicate",
        ),
        pytest.param(
            {"del_black": 1, "mail": "x@example.com"},
            "ERROR = 3 (record not found)",
            id="del-unknown",
        ),
        pytest.param(
            {"del_black": 1, "phone": "79991112233"},
            "ERROR = 3 (record not found)",
            id="del-a-phone-the-e-mail-list-holds-not",
        ),
    ],
)
async def test_e_mail_errors(client, params, error):
    await call(client, "phones.php", add_black=1, mail="ann@example.com")
    assert await call(client, "phones.php", **params) == error
