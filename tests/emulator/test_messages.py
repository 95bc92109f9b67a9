"""send.php: sending and asking the price, in every fmt (docs/smsc-wire.md, "Messages")."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from facade.emulator.assumptions import CURRENCY, DEFAULT_BALANCE
from tests.emulator.conftest import call

SEND = {"phones": "79991112233", "mes": "Привет", "id": "fx1"}
LATIN = "a" * 200  # two parts
ERRORS = {
    0: "ERROR = {code} ({description}), ID - {id}",
    1: "{id},-{code}",
    2: "<result>\n<error>{description}</error>\n<error_code>{code}</error_code>\n<id>{id}</id>\n</result>",
    3: '{{\n"error": "{description}",\n"error_code": {code},\n"id": {json_id}\n}}',
}


def error(fmt: int, code: int, description: str, message_id: int | str) -> str:
    json_id = json.dumps(message_id)
    return ERRORS[fmt].format(code=code, description=description, id=message_id, json_id=json_id)


async def send(client: httpx.AsyncClient, **params: Any) -> str:
    return await call(client, "send.php", **{**SEND, **params})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "cost", "body"),
    [
        pytest.param(0, None, "OK - 1 SMS, ID - fx1", id="fmt0"),
        pytest.param(1, None, "fx1,1", id="fmt1"),
        pytest.param(2, None, "<result>\n<id>fx1</id>\n<cnt>1</cnt>\n</result>", id="fmt2"),
        pytest.param(3, None, '{\n"id": "fx1",\n"cnt": 1\n}', id="fmt3-id-a-string"),
        pytest.param(0, 2, "OK - 1 SMS, ID - fx1, COST - 2.50", id="fmt0-cost2"),
        pytest.param(1, 2, "fx1,1,2.50", id="fmt1-cost2"),
        pytest.param(0, 3, "OK - 1 SMS, ID - fx1, COST - 2.50, BALANCE - 1497.50", id="fmt0-cost3"),
        pytest.param(1, 3, "fx1,1,2.50,1497.50", id="fmt1-cost3"),
        pytest.param(
            2,
            3,
            "<result>\n<id>fx1</id>\n<cnt>1</cnt>\n<cost>2.50</cost>\n<balance>1497.50</balance>\n</result>",
            id="fmt2-cost3",
        ),
        pytest.param(
            3,
            3,
            '{\n"id": "fx1",\n"cnt": 1,\n"cost": "2.50",\n"balance": "1497.50"\n}',
            id="fmt3-cost3-strings",
        ),
        pytest.param(3, 0, '{\n"id": "fx1",\n"cnt": 1\n}', id="fmt3-cost0"),
    ],
)
async def test_send(client, fmt, cost, body):
    assert await send(client, fmt=fmt, cost=cost) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "OK - 2 SMS, ID - fx1\n123 - STATUS = 22, ERR = 249\n79990000308 - STATUS = 25, ERR = 248",
            id="fmt0",
        ),
        pytest.param(1, "fx1,2\n123,22,249\n79990000308,25,248", id="fmt1"),
        pytest.param(
            2,
            "<result>\n<id>fx1</id>\n<cnt>2</cnt>\n<phones>\n"
            "<phone>\n<number>123</number>\n<status>22</status>\n<error>249</error>\n</phone>\n"
            "<phone>\n<number>79990000308</number>\n<status>25</status>\n<error>248</error>\n</phone>\n"
            "</phones>\n</result>",
            id="fmt2",
        ),
        pytest.param(
            3,
            '{\n"id": "fx1",\n"cnt": 2,\n"phones": [{"phone": "123", "status": 22, "error": 249}, '
            '{"phone": "79990000308", "status": 25, "error": 248}]\n}',
            id="fmt3",
        ),
    ],
)
async def test_refused_recipients_are_listed_with_err_1(client, state, fmt, body):
    phones = "79991112233; 123 ,79990000308,+79994445566,79991112233"
    assert await send(client, fmt=fmt, err=1, phones=phones) == body
    assert state.message_status("fx1", "123").status == 22
    assert state.message_status("fx1", "79994445566").status == 0


@pytest.mark.anyio
async def test_refused_recipients_are_not_listed_without_err(client):
    assert await send(client, fmt=1, phones="79991112233,123") == "fx1,1"


@pytest.mark.anyio
async def test_a_send_without_id_gets_the_accounts_next_number(client):
    assert await call(client, "send.php", fmt=3, phones="79991112233", mes="a") == (
        '{\n"id": 8001,\n"cnt": 1\n}'
    )
    assert await call(client, "send.php", phones="79991112233", mes="b") == "OK - 1 SMS, ID - 8002"
    # A refused send takes an id too.
    assert await call(client, "send.php", fmt=1, phones="1", mes="c") == "8003,-7"
    assert await call(client, "send.php", fmt=1, phones="79991112233", mes="d") == "8004,1"


@pytest.mark.anyio
async def test_a_numeric_id_given_is_a_json_number(client):
    assert await send(client, fmt=3, id="42") == '{\n"id": 42,\n"cnt": 1\n}'
    assert await send(client, fmt=3, id="042") == '{\n"id": "042",\n"cnt": 1\n}'


@pytest.mark.anyio
async def test_a_send_debits_the_balance_and_a_cost_request_does_not(client, state):
    assert state.account().balance == Decimal(DEFAULT_BALANCE)
    await send(client, phones="79991112233,79994445566", mes=LATIN)
    assert state.account().balance == Decimal("1490.00")
    await send(client, cost=1, id=None)
    assert state.account().balance == Decimal("1490.00")
    assert await call(client, "balance.php", cur=1) == f"1490.00,{CURRENCY}"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "cnt", "cost"),
    [
        pytest.param({"mes": "a" * 160}, 1, "2.50", id="160-gsm-one-part"),
        pytest.param({"mes": "a" * 161}, 2, "5.00", id="161-gsm-two-parts"),
        pytest.param({"mes": "a" * 307}, 3, "7.50", id="307-gsm-three-parts"),
        pytest.param({"mes": "{" * 80}, 1, "2.50", id="gsm-extension-counts-two"),
        pytest.param({"mes": "{" * 81}, 2, "5.00", id="gsm-extension-over-160"),
        pytest.param({"mes": "я" * 70}, 1, "2.50", id="70-ucs2-one-part"),
        pytest.param({"mes": "я" * 71}, 2, "5.00", id="71-ucs2-two-parts"),
        pytest.param({"mes": "я" * 135}, 3, "7.50", id="135-ucs2-three-parts"),
        pytest.param({"mes": "😀" * 35}, 1, "2.50", id="emoji-two-units"),
        pytest.param({"mes": "😀" * 36}, 2, "5.00", id="emoji-over-70-units"),
        pytest.param({"mes": "я" * 100, "translit": 1}, 1, "2.50", id="translit-counts-gsm"),
        pytest.param({"mes": "a" * 1000, "maxsms": 2}, 2, "5.00", id="maxsms-truncates"),
        pytest.param({"phones": "79991112233,79994445566", "mes": LATIN}, 4, "10.00", id="x2"),
        pytest.param({"phones": "G100"}, 3, "7.50", id="group-by-number"),
        pytest.param({"hlr": 1, "mes": None}, 1, "0.50", id="hlr-no-text"),
        pytest.param({"ping": 1, "mes": None}, 1, "0.20", id="ping-no-text"),
        pytest.param({"viber": 1, "mes": LATIN}, 1, "1.50", id="viber-one-message"),
        pytest.param({"mail": 1, "phones": "a@example.com", "subj": "Hi"}, 1, "0.30", id="mail"),
        pytest.param({"tg": 1, "phones": "@emulator_user,#12345"}, 2, "2.00", id="telegram"),
        pytest.param({"bin": 2, "mes": "0605040B8423F0"}, 1, "2.50", id="binary-hex"),
        pytest.param({"call": 1, "voice": "w2", "param": "10,60,3"}, 1, "3.00", id="call"),
    ],
)
async def test_parts_and_price(client, params, cnt, cost):
    request = {"fmt": 1, "id": None, **params}
    assert await send(client, cost=1, **request) == f"{cost},{cnt}"
    assert (
        await send(client, cost=3, **request)
        == f"8001,{cnt},{cost},{Decimal(1500) - Decimal(cost)}"
    )


@pytest.mark.anyio
async def test_maxsms_keeps_the_truncated_text(client, state):
    await send(client, mes="a" * 1000, maxsms=1)
    assert state.message("fx1", "79991112233").text == "a" * 160


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "10.00 (4 SMS)", id="fmt0"),
        pytest.param(1, "10.00,4", id="fmt1-cost-first"),
        pytest.param(2, "<result>\n<cost>10.00</cost>\n<cnt>4</cnt>\n</result>", id="fmt2"),
        pytest.param(3, '{\n"cost": "10.00",\n"cnt": 4\n}', id="fmt3-cost-a-string"),
    ],
)
async def test_cost(client, state, fmt, body):
    phones = "79991112233,79994445566,123"
    assert await send(client, fmt=fmt, cost=1, id=None, phones=phones, mes=LATIN) == body
    assert not state.account().messages.messages


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"phones": None}, id="no-phones"),
        pytest.param({"phones": ""}, id="empty-phones"),
        pytest.param({"mes": None}, id="no-text"),
        pytest.param({"mes": "a" * 1001}, id="text-over-1000"),
        pytest.param({"translit": 3}, id="translit"),
        pytest.param({"flash": 1, "viber": 1}, id="two-channels"),
        pytest.param({"bin": 3}, id="bin"),
        pytest.param({"cost": 4}, id="cost"),
        pytest.param({"err": 2}, id="err"),
        pytest.param({"maxsms": 0}, id="maxsms"),
        pytest.param({"valid": "25:00"}, id="valid"),
        pytest.param({"voice": "x"}, id="voice"),
        pytest.param({"param": "10,3601,3"}, id="param"),
        pytest.param({"id": "has space"}, id="id-characters"),
        pytest.param({"id": "x" * 41}, id="id-over-40"),
        pytest.param({"sender": "TwelveChars!"}, id="sender-over-11"),
        pytest.param({"list": "79991112233:Hi"}, id="list-not-supported"),
        pytest.param({"tz": "x"}, id="tz"),
    ],
)
async def test_parameters_error_carries_no_id(client, state, clock, params):
    assert await send(client, **params) == "ERROR = 1 (parameters error)"
    clock.advance(60)
    assert await send(client, **{"cost": 1, **params}) == "ERROR = 1 (parameters error)"
    assert not state.account().messages.messages


@pytest.mark.anyio
async def test_a_long_digit_sender_is_allowed(client):
    assert await send(client, fmt=1, sender="123456789012345") == "fx1,1"


@pytest.mark.anyio
async def test_bad_time_is_error_5(client):
    assert await send(client, time="31.02.25 10:00") == "ERROR = 5 (invalid date format)"
    assert await send(client, time="soon") == "ERROR = 5 (invalid date format)"


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(
    ("params", "code", "description"),
    [
        pytest.param({"mes": "Buy now SPAM-DENIED"}, 6, "message is denied", id="6-text"),
        pytest.param({"sender": "SPAM-DENIED"}, 6, "message is denied", id="6-sender"),
        pytest.param({"phones": "123,abc"}, 7, "invalid number", id="7-all-invalid"),
        pytest.param({"phones": "123,79990000308"}, 7, "invalid number", id="7-mixed"),
        pytest.param({"phones": "a@example.com"}, 7, "invalid number", id="7-mail-not-sms"),
        pytest.param({"phones": "G999"}, 7, "invalid number", id="7-empty-group"),
        pytest.param({"phones": "79990000308"}, 8, "can't to deliver", id="8"),
    ],
)
async def test_rejections_carry_the_id(client, state, fmt, params, code, description):
    assert await send(client, fmt=fmt, **params) == error(fmt, code, description, "fx1")
    assert await send(client, fmt=fmt, id=None, **params) == error(fmt, code, description, 8001)
    assert state.account().balance == Decimal(DEFAULT_BALANCE)
    assert not state.account().messages.messages


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
async def test_no_money_is_error_3_with_the_id(client, state, clock, fmt):
    state.set_balance("4.99")
    body = await send(client, fmt=fmt, mes=LATIN)
    assert body == error(fmt, 3, "no money", "fx1")
    assert state.account().balance == Decimal("4.99")
    assert state.message("fx1", "79991112233") is None
    # A cost request does not look at the money.
    assert await send(client, fmt=1, mes=LATIN, cost=1) == "5.00,2"
    # A credit counts as money.
    state.set_balance("4.99", credit="0.01")
    clock.advance(60)  # the refused send counts towards the identical-request limit
    assert await send(client, fmt=1, mes=LATIN) == "fx1,2"
    assert state.account().balance == Decimal("-0.01")


@pytest.mark.anyio
async def test_a_cost_request_checks_recipients_but_carries_no_id(client):
    assert await send(client, cost=1, phones="123") == "ERROR = 7 (invalid number)"
    assert await send(client, cost=1, mes="SPAM-DENIED") == "ERROR = 6 (message is denied)"


@pytest.mark.anyio
async def test_get_works_as_post(client):
    assert await send(client, method="GET", fmt=1) == "fx1,1"


@pytest.mark.anyio
async def test_the_call_log_names_send_and_cost(client, state):
    await send(client)
    await send(client, cost=1)
    await send(client, cost=3, id="fx2")
    assert [call.command for call in state.calls] == ["send", "cost", "send"]


@pytest.mark.anyio
async def test_a_fault_can_target_sends_only(client, state):
    state.add_fault("status", path="send.php", command="send", status=503)
    response = await client.post("/sys/send.php", data={"login": "demo", "psw": "demo", **SEND})
    assert response.status_code == 503
    assert await send(client, cost=1, fmt=1) == "2.50,1"


class TestLimits:
    DUPLICATE = "ERROR = 9 (duplicate request, wait a minute)"

    @pytest.mark.anyio
    async def test_a_second_identical_send_within_a_minute_is_error_9(self, client, clock, state):
        assert await send(client) == "OK - 1 SMS, ID - fx1"
        clock.advance(59)
        assert await send(client) == self.DUPLICATE
        assert state.account().balance == Decimal("1497.50")
        # Another id is another request.
        assert await send(client, id="fx2") == "OK - 1 SMS, ID - fx2"
        clock.advance(1)
        assert await send(client) == self.DUPLICATE  # the refused one counted too
        clock.advance(60)
        assert await send(client) == "OK - 1 SMS, ID - fx1"

    @pytest.mark.anyio
    async def test_the_sixth_identical_cost_request_within_a_minute_is_error_9(self, client, clock):
        for _ in range(5):
            assert await send(client, cost=1) == "2.50 (1 SMS)"
        assert await send(client, cost=1) == self.DUPLICATE
        assert await send(client, cost=1, mes="other") == "2.50 (1 SMS)"
        clock.advance(60)
        assert await send(client, cost=1) == "2.50 (1 SMS)"
