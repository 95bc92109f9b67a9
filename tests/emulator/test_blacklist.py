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
