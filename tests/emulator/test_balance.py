"""balance.php in every fmt, with and without `cur=1`, and its ten-a-minute limit."""

import httpx
import pytest

from facade.emulator.state import AccountCredentials
from tests.emulator.conftest import call

DUPLICATE = "ERROR = 9 (duplicate request, wait a minute)"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "cur", "body"),
    [
        pytest.param(0, None, "1500.00", id="fmt0"),
        pytest.param(1, None, "1500.00", id="fmt1"),
        pytest.param(2, None, "<balance>1500.00</balance>", id="fmt2-bare"),
        pytest.param(3, None, '{\n"balance": "1500.00"\n}', id="fmt3-string"),
        pytest.param(0, 1, "1500.00,RUR", id="fmt0-cur"),
        pytest.param(1, 1, "1500.00,RUR", id="fmt1-cur"),
        pytest.param(
            2,
            1,
            "<result>\n<balance>1500.00</balance>\n<currency>RUR</currency>\n</result>",
            id="fmt2-cur",
        ),
        pytest.param(3, 1, '{\n"balance": "1500.00",\n"currency": "RUR"\n}', id="fmt3-cur"),
        pytest.param(1, 0, "1500.00", id="cur-0"),
    ],
)
async def test_balance(client, fmt, cur, body):
    assert await call(client, "balance.php", fmt=fmt, cur=cur) == body


@pytest.mark.anyio
async def test_a_credit_shows_in_fmt3_only(client, state):
    state.set_balance("-12.5", credit="100")
    assert await call(client, "balance.php", fmt=3, cur=1) == (
        '{\n"balance": "-12.50",\n"credit": "100.00",\n"currency": "RUR"\n}'
    )
    assert await call(client, "balance.php", fmt=1, cur=1) == "-12.50,RUR"


@pytest.mark.anyio
async def test_every_account_has_its_own_balance(make_app):
    app = make_app(
        accounts=[
            AccountCredentials("demo", "demo"),
            AccountCredentials("other", "pw"),
        ]
    )
    state = app.state.emulator
    state.set_balance("1.00", login="other")
    assert state.account().balance != state.account("other").balance


class TestLimit:
    @pytest.mark.anyio
    async def test_the_eleventh_balance_request_within_a_minute_is_error_9(self, client, clock):
        # Not identical ones: the limit counts every balance request of the login.
        for index in range(10):
            assert await call(client, "balance.php", fmt=index % 4) != DUPLICATE
        clock.advance(59)
        assert await call(client, "balance.php", cur=1) == DUPLICATE
        clock.advance(1)
        assert await call(client, "balance.php") == "1500.00"

    @pytest.mark.anyio
    async def test_ten_identical_ones_are_allowed(self, client):
        for _ in range(10):
            assert await call(client, "balance.php", cur=1) == "1500.00,RUR"
        assert await call(client, "balance.php", cur=1) == DUPLICATE

    @pytest.mark.anyio
    async def test_per_login(self, make_app):
        app = make_app(
            accounts=[
                AccountCredentials("demo", "demo"),
                AccountCredentials("other", "pw"),
            ]
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
            for _ in range(10):
                await call(client, "balance.php")
            assert await call(client, "balance.php") == DUPLICATE
            assert await call(client, "balance.php", login="other", psw="pw") == "1500.00"
