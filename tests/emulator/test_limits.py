"""SMSC's limits: identical requests and concurrency (error 9), address blocks (error 4)."""

import json

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from facade.emulator.limits import IdenticalRequests, InFlight, request_key
from facade.emulator.state import AccountCredentials
from tests.emulator.conftest import call, wait_until

DUPLICATE = {
    0: "ERROR = 9 (duplicate request, wait a minute)",
    1: "0,-9",
    2: "<result>\n<error>duplicate request, wait a minute</error>\n<error_code>9</error_code>\n</result>",
    3: '{\n"error": "duplicate request, wait a minute",\n"error_code": 9\n}',
}
BLOCKED = {
    0: "ERROR = 4 (ip is temporarily blocked)",
    1: "0,-4",
    2: "<result>\n<error>ip is temporarily blocked</error>\n<error_code>4</error_code>\n</result>",
    3: '{\n"error": "ip is temporarily blocked",\n"error_code": 4\n}',
}
CONCURRENT = {
    0: "ERROR = 9 (too many concurrent requests)",
    3: '{\n"error": "too many concurrent requests",\n"error_code": 9\n}',
}


def client_from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://smsc.test")


class TestIdenticalRequests:
    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    async def test_fourth_identical_template_list_within_a_minute(self, client, clock, fmt):
        for _ in range(3):
            assert json.loads(await call(client, "templates.php", fmt=3, get=1))
        clock.advance(59)
        assert await call(client, "templates.php", fmt=3, get=1) == DUPLICATE[3]
        # A different fmt is a different request; it has its own budget.
        for _ in range(3):
            await call(client, "templates.php", fmt=fmt, get=1, cnt=fmt)
        assert await call(client, "templates.php", fmt=fmt, get=1, cnt=fmt) == DUPLICATE[fmt]

    @pytest.mark.anyio
    async def test_allowed_again_once_the_minute_has_passed(self, client, clock):
        for _ in range(3):
            await call(client, "templates.php", get=1)
        clock.advance(60)
        assert (await call(client, "templates.php", get=1)).startswith("id = 1001")

    @pytest.mark.anyio
    async def test_every_request_counts_failures_included(self, client, clock):
        for _ in range(3):
            assert (
                await call(client, "templates.php", chg=1, id=5) == "ERROR = 3 (record not found)"
            )
        assert await call(client, "templates.php", chg=1, id=5) == DUPLICATE[0]
        clock.advance(30)
        # The refused request counted too: the window is still full 30 s later.
        assert await call(client, "templates.php", chg=1, id=5) == DUPLICATE[0]

    @pytest.mark.anyio
    async def test_parameter_order_does_not_matter(self, client):
        for body in (
            b"get=1&login=demo&psw=demo",
            b"psw=demo&get=1&login=demo",
            b"login=demo&get=1&psw=demo",
        ):
            await client.post("/sys/templates.php", content=body)
        response = await client.post("/sys/templates.php?get=1", content=b"login=demo&psw=demo")
        assert response.text == DUPLICATE[0]

    @pytest.mark.anyio
    async def test_different_credentials_are_different_requests(self, client):
        for _ in range(3):
            await call(client, "templates.php", get=1)
        assert (
            await call(client, "templates.php", get=1, login=None, psw=None, apikey="demo-apikey")
        ).startswith("id = ")

    @pytest.mark.anyio
    async def test_second_identical_job_creation(self, client):
        job = {"add": 1, "name": "n", "phones": "79991112233", "mes": "m"}
        assert await call(client, "jobs.php", **job) == "OK, ID - 2014"
        assert await call(client, "jobs.php", **job) == DUPLICATE[0]
        assert await call(client, "jobs.php", **job, mes2="other") == "OK, ID - 2015"

    @pytest.mark.anyio
    async def test_second_identical_job_list(self, client):
        assert json.loads(await call(client, "jobs.php", fmt=3, get_all=1))
        assert await call(client, "jobs.php", fmt=3, get_all=1) == DUPLICATE[3]

    def test_idle_keys_are_forgotten(self):
        window = IdenticalRequests()
        for index in range(1100):
            window.count(request_key("x", {"i": str(index)}), 0.0)
        assert window.count(request_key("x", {"i": "new"}), 61.0) == 1
        assert len(window.seen) == 1


class TestConcurrency:
    @pytest.fixture
    def app(self, make_app):
        return make_app(
            accounts=[AccountCredentials("demo", "demo"), AccountCredentials("other", "x")]
        )

    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 3])
    async def test_fifteenth_concurrent_request_per_login(self, client, state, sleep, fmt):
        state.add_fault("latency", seconds=5)
        sleep.hold()
        bodies: list[str] = []

        async def one(index: int) -> None:
            bodies.append(await call(client, "templates.php", fmt=fmt, get=1, cnt=index))

        async with anyio.create_task_group() as group:
            for index in range(15):
                group.start_soon(one, index)
            await wait_until(lambda: sleep.waiting == 15)
            assert state.limits.in_flight.per_login == {"demo": 14}
            sleep.release()
        assert bodies.count(CONCURRENT[fmt]) == 1
        assert sleep.calls == [5.0] * 15  # the refused one is delayed too, holding no slot
        stats = state.stats()
        assert (stats["max_concurrent"], stats["max_concurrent_per_login"]) == (15, 14)
        assert (stats["in_flight"], state.limits.in_flight.per_login) == (0, {})

    @pytest.mark.anyio
    async def test_other_login_is_served_while_one_is_full(self, client, state, sleep):
        state.add_fault("latency", seconds=1, path="/sys/templates.php")
        sleep.hold()

        async def demo(index: int) -> None:
            await call(client, "templates.php", get=1, cnt=index)

        async with anyio.create_task_group() as group:
            for index in range(14):
                group.start_soon(demo, index)
            await wait_until(lambda: sleep.waiting == 14)
            other = await call(client, "phones.php", get_group=1, login="other", psw="x")
            assert other == "ERROR = 3 (no records found)"
            full = await call(client, "phones.php", get_group=1)
            assert full == CONCURRENT[0]
            sleep.release()

    def test_slots_are_released(self):
        in_flight = InFlight()
        assert in_flight.admit("a")
        in_flight.release("a")
        assert in_flight.per_login == {}
        in_flight.reset_peaks()
        assert in_flight.max_per_login == 0


class TestAddressBlock:
    @pytest.mark.anyio
    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    async def test_five_bad_logins_block_the_address_for_30_minutes(self, app, clock, fmt):
        async with client_from(app, "10.0.0.7") as client, client_from(app, "10.0.0.8") as other:
            for attempt in range(5):
                body = await call(client, "templates.php", fmt=fmt, get=1, psw=f"bad{attempt % 2}")
                assert ("authorise error" in body) or body == "0,-2"
            assert await call(client, "templates.php", fmt=fmt, get=1) == BLOCKED[fmt]
            assert await call(client, "phones.php", fmt=fmt, get_group=1) == BLOCKED[fmt]
            assert (await call(other, "templates.php", fmt=3, get=1)).startswith("[{")
            clock.advance(30 * 60 - 1)
            assert await call(client, "get.php", fmt=fmt, get_answers=1) == BLOCKED[fmt]
            clock.advance(1)
            assert (await call(client, "templates.php", fmt=3, get=1, cnt=1)).startswith("[{")

    @pytest.mark.anyio
    async def test_blocked_answers_even_a_bad_fmt(self, app):
        async with client_from(app, "10.0.0.9") as client:
            for _ in range(5):
                await call(client, "templates.php", get=1, psw="bad", x=_)
            assert await call(client, "templates.php", get=1, fmt="9") == BLOCKED[0]

    @pytest.mark.anyio
    async def test_failures_older_than_30_minutes_do_not_count(self, app, clock):
        async with client_from(app, "10.0.0.7") as client:
            for attempt in range(4):
                await call(client, "templates.php", get=1, psw="bad", x=attempt)
            clock.advance(30 * 60)
            await call(client, "templates.php", get=1, psw="bad", x=5)
            assert (await call(client, "templates.php", get=1)).startswith("id = 1001")
