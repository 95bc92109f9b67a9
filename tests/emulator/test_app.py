"""The SMSC pipeline: authentication, charsets, envelopes in every fmt, and never an HTTP 500."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import hashlib
import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import anyio
import defusedxml.ElementTree
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from facade.emulator import templates
from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials
from tests.emulator.conftest import WALL_START, call
from tests.fakes import FakeClock, FakeSleep

FORM = {"content-type": "application/x-www-form-urlencoded"}
ENVELOPES = {
    0: re.compile(r"ERROR = (\d) \(([a-z ,]+)\)"),
    1: re.compile(r"0,-(\d)"),
    2: re.compile(r"<result>\n<error>([a-z ,]+)</error>\n<error_code>(\d)</error_code>\n</result>"),
    3: re.compile(r'\{\n"error": "([a-z ,]+)",\n"error_code": (\d)\n\}'),
}
AUTH_ERRORS = {
    0: "ERROR = 2 (authorise error)",
    1: "0,-2",
    2: "<result>\n<error>authorise error</error>\n<error_code>2</error_code>\n</result>",
    3: '{\n"error": "authorise error",\n"error_code": 2\n}',
}


async def raw_get(app: Starlette, path: str, query: bytes) -> tuple[int, bytes]:
    """Call the ASGI app with a query string of arbitrary bytes (httpx would re-encode them)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("smsc.test", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


class TestAuthentication:
    @pytest.mark.anyio
    @pytest.mark.parametrize(
        "credentials",
        [
            pytest.param({"login": "demo", "psw": "demo"}, id="password"),
            pytest.param(
                {"login": "demo", "psw": hashlib.md5(b"demo", usedforsecurity=False).hexdigest()},
                id="md5",
            ),
            pytest.param({"login": None, "psw": None, "apikey": "demo-apikey"}, id="apikey"),
            pytest.param(
                {"login": "demo", "psw": "bad", "apikey": "demo-apikey"}, id="apikey-wins"
            ),
        ],
    )
    async def test_accepted(self, client, credentials):
        body = await call(client, "templates.php", fmt=3, get=1, **credentials)
        assert len(json.loads(body)) == 4

    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    @pytest.mark.parametrize(
        "credentials",
        [
            pytest.param({"login": "demo", "psw": "nope"}, id="wrong-password"),
            pytest.param(
                {
                    "login": "demo",
                    "psw": hashlib.md5(b"demo", usedforsecurity=False).hexdigest().upper(),
                },
                id="upper-md5",
            ),
            pytest.param({"login": "nobody", "psw": "demo"}, id="unknown-login"),
            pytest.param({"login": None, "psw": None}, id="none"),
            pytest.param({"login": None, "psw": None, "apikey": "nope"}, id="wrong-apikey"),
        ],
    )
    async def test_refused_with_error_2(self, client, credentials, fmt):
        assert (
            await call(client, "templates.php", fmt=fmt, get=1, **credentials) == AUTH_ERRORS[fmt]
        )

    @pytest.mark.anyio
    async def test_each_login_has_its_own_data(self, make_app):
        accounts = [AccountCredentials("first", "1"), AccountCredentials("second", "2", "key-2")]
        transport = httpx.ASGITransport(app=make_app(accounts=accounts))
        async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
            first = {"login": "first", "psw": "1"}
            await call(client, "templates.php", add=1, name="x", msg="y", apikey="key-2")
            mine = json.loads(await call(client, "templates.php", fmt=3, get=1, apikey="key-2"))
            seeded = json.loads(await call(client, "templates.php", fmt=3, get=1, **first))
        assert [t["id"] for t in mine] == [1001]
        assert [t["id"] for t in seeded] == [1001, 1002, 1003, 1004]  # demo data: first account


class TestCharsets:
    @pytest.mark.anyio
    @pytest.mark.parametrize("method", ["GET", "POST"])
    @pytest.mark.parametrize("charset", ["utf-8", "windows-1251", "koi8-r"])
    async def test_request_decoded_and_response_encoded(self, make_app, charset, method):
        transport = httpx.ASGITransport(app=make_app(seed="empty"))
        async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
            add = {
                "login": "demo",
                "psw": "demo",
                "add": 1,
                "name": "Ёжик",
                "msg": "Съешь же ещё 😀",
            }
            query = urlencode({**add, "charset": charset}, encoding=charset, errors="replace")
            if method == "GET":
                await client.get(f"/sys/templates.php?{query}")
            else:
                await client.post("/sys/templates.php", content=query.encode(), headers=FORM)
            get = urlencode(
                {"login": "demo", "psw": "demo", "get": 1, "fmt": 3, "charset": charset}
            )
            response = await client.get(f"/sys/templates.php?{get}")
        assert response.headers["content-type"] == "application/json; charset=windows-1251"
        [template] = json.loads(response.content.decode(charset))
        emoji = "😀" if charset == "utf-8" else "?"
        assert (template["name"], template["message"]) == ("Ёжик", f"Съешь же ещё {emoji}")

    @pytest.mark.anyio
    async def test_default_charset_is_windows_1251_both_ways(self, client):
        query = urlencode({"login": "demo", "psw": "demo", "get": 1, "fmt": 3})
        response = await client.get(f"/sys/templates.php?{query}")
        assert json.loads(response.content.decode("cp1251"))[0]["name"] == "Напоминание о записи"

    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 3])
    async def test_unknown_charset_is_error_1_in_windows_1251(self, client, fmt):
        query = urlencode(
            {"login": "demo", "psw": "demo", "get": 1, "fmt": fmt, "charset": "cp866"}
        )
        response = await client.get(f"/sys/templates.php?{query}")
        expected = {
            0: "ERROR = 1 (parameters error)",
            3: '{\n"error": "parameters error",\n"error_code": 1\n}',
        }
        assert response.content.decode("cp1251") == expected[fmt]


class TestBadInput:
    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", ["4", "x", "-1"])
    async def test_bad_fmt_is_error_1_in_fmt_0(self, client, fmt):
        assert await call(client, "templates.php", fmt=fmt, get=1) == "ERROR = 1 (parameters error)"

    @pytest.mark.anyio
    @pytest.mark.parametrize(
        ("path", "params"),
        [
            pytest.param("templates.php", {}, id="no-command"),
            pytest.param("templates.php", {"get": 1, "add": 1}, id="two-commands"),
            pytest.param("jobs.php", {"get_list": 1}, id="command-of-another-endpoint"),
            pytest.param("get.php", {"get_messages": 1}, id="unsupported-command"),
            pytest.param("phones.php", {"get": 1, "cnt": "1" * 30}, id="huge-number"),
        ],
    )
    async def test_parameters_error(self, client, path, params):
        assert await call(client, path, fmt=1, **params) == "0,-1"

    @pytest.mark.anyio
    @pytest.mark.parametrize(
        "query",
        [
            pytest.param(b"\xff\xfe\x00=%%%&&&==", id="garbage"),
            pytest.param(
                b"login=demo&psw=demo&get=1&charset=utf-8&fmt=3&name=%ff%fe", id="bad-utf8"
            ),
            pytest.param(b"login=demo&psw=demo&get=1&fmt=\xd0\xa8", id="raw-cyrillic-fmt"),
        ],
    )
    async def test_garbage_bytes_get_an_envelope(self, app, query):
        status, body = await raw_get(app, "/sys/templates.php", query)
        assert status == 200
        assert body.startswith((b"ERROR = ", b"[{"))

    @pytest.mark.anyio
    async def test_multipart_body_is_ignored(self, client):
        response = await client.post(
            "/sys/templates.php?login=demo&psw=demo", files={"get": ("a", b"1")}
        )
        assert response.text == "ERROR = 1 (parameters error)"

    @pytest.mark.anyio
    async def test_unknown_path_is_404(self, client):
        assert (await client.get("/sys/unknown.php")).status_code == 404

    @pytest.mark.anyio
    async def test_other_methods_are_405(self, client):
        assert (await client.put("/sys/templates.php")).status_code == 405

    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    async def test_unexpected_exception_is_error_1_never_500(self, client, monkeypatch, fmt):
        def broken(ctx):
            raise RuntimeError("bug")

        monkeypatch.setitem(templates.COMMANDS, "get", broken)
        body = await call(client, "templates.php", fmt=fmt, get=1)
        match = ENVELOPES[fmt].fullmatch(body)
        assert match is not None
        assert "1" in match.groups()

    @pytest.mark.anyio
    async def test_unexpected_exception_releases_the_concurrency_slot(
        self, client, state, monkeypatch
    ):
        monkeypatch.setitem(templates.COMMANDS, "get", lambda ctx: 1 / 0)
        await call(client, "templates.php", get=1)
        assert state.limits.in_flight.per_login == {}
        assert state.stats()["in_flight"] == 0


@pytest.mark.anyio
async def test_get_and_post_answer_alike(client):
    via_get = await call(client, "phones.php", method="GET", fmt=1, get_group=1)
    via_post = await call(client, "phones.php", method="POST", fmt=1, get_group=1)
    assert via_get == via_post


def test_defaults_use_the_real_clock():
    app = create_emulator()
    assert abs(app.state.emulator.now() - time.time()) < 60


@pytest.mark.parametrize(
    "kwargs", [{"seed": "bogus"}, {"accounts": []}], ids=["unknown-seed", "no-accounts"]
)
def test_bad_configuration_is_refused(kwargs):
    with pytest.raises(ValueError, match=r"seed|account"):
        create_emulator(**{"accounts": [AccountCredentials("a", "b")], **kwargs})


# -- Property: whatever the parameters, an SMSC path answers 200 with an envelope or a success. --
NAMES = [
    "login",
    "psw",
    "apikey",
    "fmt",
    "charset",
    "get",
    "add",
    "chg",
    "del",
    "cancel",
    "get_all",
    "id",
    "name",
    "msg",
    "mes",
    "phones",
    "list",
    "tpl",
    "time",
    "tz",
    "cost",
    "grp",
    "phone",
    "new_phone",
    "bd",
    "tags",
    "pho",
    "search",
    "after_id",
    "cnt",
    "hour",
    "to_phone",
    "start",
    "end",
    "move_group",
    "add_group",
    "chg_group",
    "del_group",
    "get_group",
    "add_black",
    "del_black",
    "get_black",
    "num",
    "type",
    "get_answers",
    "get_list",
    "get_file",
    "fl[1]",
    "fl[5]",
    "format",
    "sender",
]
VALUES = ["", "0", "1", "2", "3", "4", "demo", "demo-apikey", "utf-8", "koi8-r", "windows-1251"]
VALUES += ["1001", "2001", "41", "100", "79161234567", "+30", "9-18", "01.01.2025", "G100", "x,y"]
PATHS = ["templates.php", "jobs.php", "phones.php", "get.php", "downloads.php"]


def _charset_of(params: dict[str, str]) -> str:
    charset = params.get("charset", "").lower() or "windows-1251"
    return charset if charset in ("utf-8", "koi8-r", "windows-1251") else "windows-1251"


def _assert_well_formed(fmt: int, body: str, content_type: str) -> None:
    if content_type.startswith("text/csv") or ENVELOPES[fmt].fullmatch(body):
        return
    assert not body.startswith("ERROR")
    if fmt == 3 and body != "OK":
        json.loads(body)
    elif fmt == 2 and body:
        defusedxml.ElementTree.fromstring(body)


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST"]),
    params=st.dictionaries(
        st.sampled_from(NAMES) | st.text(max_size=6),
        st.sampled_from(VALUES) | st.text(max_size=12),
        max_size=8,
    ),
)
def test_any_parameters_get_200_and_a_well_formed_body(path, method, params):
    app = create_emulator(clock=FakeClock(), sleep=FakeSleep(), wall_start=WALL_START)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
            if method == "GET":
                return await client.get(f"/sys/{path}", params=params)
            return await client.post(f"/sys/{path}", data=params)

    response = anyio.run(go)
    assert response.status_code == 200
    fmt = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}.get(params.get("fmt", ""), 0)
    # httpx sends UTF-8 whatever `charset` says, so only the answer's charset is known here.
    body = response.content.decode(_charset_of(params), errors="replace")
    _assert_well_formed(fmt, body, response.headers["content-type"])
