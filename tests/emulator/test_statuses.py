"""status.php in every fmt, and how a message's status moves with the emulator's clock."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import json
from typing import Any

import httpx
import pytest

from facade.emulator.assumptions import DELIVERY_SECONDS, TEST_NUMBER_PREFIX, TEST_NUMBERS
from tests.emulator.conftest import WALL_START, call

PHONE = "79991112233"
SENT = int(WALL_START)
DONE = SENT + 5
PLACE = ("Россия", "Эмулятор", "г.Москва и Московская область")
ASK = {"id": "fx1,nope,", "phone": f"{PHONE},{PHONE},", "all": 2}


@pytest.fixture
async def delivered(client, clock):
    """`fx1` to PHONE, sent at 12:00:00 and delivered at 12:00:05 (Moscow)."""
    assert await call(client, "send.php", fmt=1, phones=PHONE, mes="Привет, мир", id="fx1") == (
        "fx1,1"
    )
    clock.advance(10)


async def status(client: httpx.AsyncClient, **params: Any) -> str:
    return await call(client, "status.php", **params)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            f"id = fx1, phone = {PHONE}, Status = 1, check_time = 15.11.2025 12:00:05, err = 0, "
            "send_date = 15.11.2025 12:00:00, cost = 2.50, country = Россия, operator = Эмулятор, "
            "region = г.Москва и Московская область, sender_id = SMSC.RU, "
            "status_name = Доставлено, sms_cnt = 1, message = Привет, мир\n"
            f"id = nope, phone = {PHONE}, Status = -3, check_time = 15.11.2025 12:00:10",
            id="fmt0",
        ),
        pytest.param(
            1,
            f"fx1,{PHONE},1,{DONE},0,{SENT},2.50,{','.join(PLACE)},SMSC.RU,Доставлено,1,Привет, мир\n"
            f"nope,{PHONE},-3,{SENT + 10}",
            id="fmt1-message-last",
        ),
        pytest.param(
            2,
            f"<list>\n<sms>\n<id>fx1</id>\n<phone>{PHONE}</phone>\n<status>1</status>\n"
            f"<last_date>15.11.2025 12:00:05</last_date>\n<last_timestamp>{DONE}</last_timestamp>\n"
            "<err>0</err>\n<send_date>15.11.2025 12:00:00</send_date>\n"
            f"<send_timestamp>{SENT}</send_timestamp>\n<cost>2.50</cost>\n"
            "<sender_id>SMSC.RU</sender_id>\n<status_name>Доставлено</status_name>\n"
            "<message>Привет, мир</message>\n<sms_cnt>1</sms_cnt>\n<country>Россия</country>\n"
            "<operator>Эмулятор</operator>\n<region>г.Москва и Московская область</region>\n</sms>\n"
            f"<sms>\n<id>nope</id>\n<phone>{PHONE}</phone>\n<status>-3</status>\n"
            "<last_date>15.11.2025 12:00:10</last_date>\n"
            f"<last_timestamp>{SENT + 10}</last_timestamp>\n</sms>\n</list>",
            id="fmt2",
        ),
        pytest.param(
            3,
            f'[{{\n"id": "fx1",\n"phone": "{PHONE}",\n"status": 1,\n'
            f'"last_date": "15.11.2025 12:00:05",\n"last_timestamp": {DONE},\n"err": 0,\n'
            f'"send_date": "15.11.2025 12:00:00",\n"send_timestamp": {SENT},\n"cost": "2.50",\n'
            '"sender_id": "SMSC.RU",\n"status_name": "Доставлено",\n"message": "Привет, мир",\n'
            '"sms_cnt": 1,\n"country": "Россия",\n"operator": "Эмулятор",\n'
            '"region": "г.Москва и Московская область"\n},\n'
            f'{{\n"id": "nope",\n"phone": "{PHONE}",\n"status": -3,\n'
            f'"last_date": "15.11.2025 12:00:10",\n"last_timestamp": {SENT + 10}\n}}]',
            id="fmt3",
        ),
    ],
)
async def test_multiple_form(client, delivered, fmt, body):
    assert await status(client, fmt=fmt, **ASK) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "level", "body"),
    [
        pytest.param(1, 0, f"fx1,{PHONE},1,{DONE},0", id="fmt1-all0"),
        pytest.param(
            1,
            1,
            f"fx1,{PHONE},1,{DONE},0,{SENT},2.50,SMSC.RU,Доставлено,1,Привет, мир",
            id="fmt1-all1",
        ),
        pytest.param(
            0,
            0,
            f"id = fx1, phone = {PHONE}, Status = 1, check_time = 15.11.2025 12:00:05, err = 0",
            id="fmt0-all0",
        ),
        pytest.param(
            3,
            0,
            f'[{{\n"id": "fx1",\n"phone": "{PHONE}",\n"status": 1,\n'
            f'"last_date": "15.11.2025 12:00:05",\n"last_timestamp": {DONE},\n"err": 0\n}}]',
            id="fmt3-all0",
        ),
    ],
)
async def test_multiple_form_by_level(client, delivered, fmt, level, body):
    assert await status(client, fmt=fmt, id="fx1,", phone=f"{PHONE},", all=level) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "level", "body"),
    [
        pytest.param(0, 0, "Status = 1, check_time = 15.11.2025 12:00:05, err = 0", id="fmt0"),
        pytest.param(1, 0, f"1,{DONE},0", id="fmt1"),
        pytest.param(
            2,
            0,
            "<result>\n<status>1</status>\n<last_date>15.11.2025 12:00:05</last_date>\n"
            f"<last_timestamp>{DONE}</last_timestamp>\n<err>0</err>\n</result>",
            id="fmt2",
        ),
        pytest.param(
            3,
            0,
            f'{{\n"status": 1,\n"last_date": "15.11.2025 12:00:05",\n"last_timestamp": {DONE}\n}}',
            id="fmt3-no-err-when-0",
        ),
        pytest.param(
            1,
            1,
            f"1,{DONE},0,{SENT},+{PHONE},2.50,SMSC.RU,Доставлено,Привет, мир",
            id="fmt1-all1",
        ),
        pytest.param(
            1,
            2,
            f"1,{DONE},0,{SENT},+{PHONE},2.50,{','.join(PLACE)},SMSC.RU,Доставлено,Привет, мир",
            id="fmt1-all2",
        ),
        pytest.param(
            0,
            1,
            "Status = 1, check_time = 15.11.2025 12:00:05, err = 0, "
            f"send_date = 15.11.2025 12:00:00, phone = +{PHONE}, cost = 2.50, sender_id = SMSC.RU, "
            "status_name = Доставлено, message = Привет, мир",
            id="fmt0-all1",
        ),
    ],
)
async def test_single_form_answers_one_record(client, delivered, fmt, level, body):
    # The phone is written as it was asked for, `+` and all [A].
    assert await status(client, fmt=fmt, id="fx1", phone=f"+{PHONE}", all=level) == body


@pytest.mark.anyio
async def test_single_form_fmt3_all2(client, delivered):
    record = json.loads(await status(client, fmt=3, id="fx1", phone=PHONE, all=2))
    assert list(record) == [
        "status",
        "last_date",
        "last_timestamp",
        "send_date",
        "send_timestamp",
        "phone",
        "cost",
        "sender_id",
        "status_name",
        "message",
        "sms_cnt",
        "country",
        "operator",
        "region",
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "Status = -3, check_time = 15.11.2025 12:00:00", id="fmt0"),
        pytest.param(1, f"-3,{SENT}", id="fmt1"),
        pytest.param(
            3,
            f'{{\n"status": -3,\n"last_date": "15.11.2025 12:00:00",\n"last_timestamp": {SENT}\n}}',
            id="fmt3",
        ),
    ],
)
async def test_single_form_unknown_message(client, fmt, body):
    assert await status(client, fmt=fmt, id="8001", phone=PHONE, all=2) == body


@pytest.mark.anyio
async def test_records_follow_the_request_order_and_numeric_ids_are_numbers(client):
    await call(client, "send.php", phones="79991112233,79994445566", mes="a")
    await call(client, "send.php", phones="79991112233", mes="b")
    ids, phones = "8002,8001,8001,8001,", "79991112233,79994445566,79991112233,79990000000,"
    listed = json.loads(await status(client, fmt=3, id=ids, phone=phones, all=2))
    assert [(r["id"], r["phone"], r["status"]) for r in listed] == [
        (8002, "79991112233", 0),
        (8001, "79994445566", 0),
        (8001, "79991112233", 0),
        (8001, "79990000000", -3),
    ]
    assert [r["message"] for r in listed[:3]] == ["b", "a", "a"]


@pytest.mark.anyio
async def test_one_hundred_pairs_at_most(client):
    ok = json.loads(await status(client, fmt=3, id="1," * 100, phone=f"{PHONE}," * 100))
    assert len(ok) == 100
    refused = await status(client, fmt=3, id="1," * 101, phone=f"{PHONE}," * 101)
    assert json.loads(refused) == {"error": "parameters error", "error_code": 1}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"id": "1,2,", "phone": f"{PHONE},"}, id="fewer-phones"),
        pytest.param({"id": "1,", "phone": f"{PHONE},{PHONE},"}, id="more-phones"),
        pytest.param({"id": "1,,", "phone": f"{PHONE},{PHONE},"}, id="empty-id"),
        pytest.param({"id": "a b,", "phone": f"{PHONE},"}, id="bad-id"),
        pytest.param({"id": "1,2,", "phone": f"{PHONE},,"}, id="empty-phone"),
        pytest.param({"id": "1", "phone": None}, id="no-phone"),
        pytest.param({"id": None, "phone": PHONE}, id="no-id"),
        pytest.param({"id": "1", "phone": PHONE, "all": 3}, id="all-3"),
        pytest.param({"id": "1", "phone": PHONE, "del": 1}, id="del-not-supported"),
    ],
)
async def test_parameters_error(client, params):
    assert await status(client, **params) == "ERROR = 1 (parameters error)"


@pytest.mark.anyio
async def test_status_moves_with_the_clock(client, clock, state):
    await call(client, "send.php", phones=PHONE, mes="a", id="fx1")
    assert (state.message_status("fx1", PHONE).status, state.message_status("fx1", PHONE).at) == (
        0,
        WALL_START,
    )
    clock.advance(DELIVERY_SECONDS - 0.1)
    assert await status(client, fmt=1, id="fx1", phone=PHONE) == f"0,{SENT},0"
    clock.advance(0.1)
    assert await status(client, fmt=1, id="fx1", phone=PHONE) == f"1,{DONE},0"


@pytest.mark.anyio
async def test_a_scheduled_message_waits_for_its_time(client, clock, state):
    assert await call(client, "send.php", fmt=1, phones=PHONE, mes="a", id="fx1", time="+10") == (
        "fx1,1"
    )
    step = state.message_status("fx1", PHONE)
    assert (step.status, step.at) == (-1, WALL_START)
    clock.advance(599)
    assert state.message_status("fx1", PHONE).status == -1
    clock.advance(1)
    assert state.message_status("fx1", PHONE).status == 0
    clock.advance(DELIVERY_SECONDS)
    step = state.message_status("fx1", PHONE)
    assert (step.status, step.at) == (1, WALL_START + 600 + DELIVERY_SECONDS)


@pytest.mark.anyio
@pytest.mark.parametrize(("suffix", "steps"), list(TEST_NUMBERS.items()))
async def test_test_numbers_end_in_their_status(client, clock, state, suffix, steps):
    phone = TEST_NUMBER_PREFIX + suffix
    await call(client, "send.php", phones=phone, mes="a", id="fx1")
    for status_code, err in steps:
        assert state.message_status("fx1", phone).status != status_code
        clock.advance(DELIVERY_SECONDS)
        step = state.message_status("fx1", phone)
        assert (step.status, step.err) == (status_code, err)
    clock.advance(3600)
    assert (state.message_status("fx1", phone).status, state.message_status("fx1", phone).err) == (
        steps[-1]
    )


@pytest.mark.anyio
async def test_undeliverable_after_delivery_shows_err_in_every_fmt(client, clock):
    phone = TEST_NUMBER_PREFIX + "20"
    await call(client, "send.php", phones=phone, mes="a", id="fx1")
    clock.advance(DELIVERY_SECONDS)
    assert await status(client, fmt=1, id="fx1,", phone=f"{phone},", all=0) == (
        f"fx1,{phone},20,{DONE},1"
    )
    assert await status(client, fmt=3, id="fx1", phone=phone) == (
        f'{{\n"status": 20,\n"last_date": "15.11.2025 12:00:05",\n"last_timestamp": {DONE},\n'
        '"err": 1\n}'
    )


@pytest.mark.anyio
async def test_a_forced_status_holds_from_now_on(client, clock, state):
    await call(client, "send.php", phones=PHONE, mes="a", id="fx1")
    clock.advance(1)
    state.force_message_status("fx1", PHONE, 20, 13)
    clock.advance(3600)
    step = state.message_status("fx1", PHONE)
    assert (step.status, step.err, step.at) == (20, 13, WALL_START + 1)
    with pytest.raises(KeyError):
        state.force_message_status("fx9", PHONE, 1)


@pytest.mark.anyio
async def test_a_later_send_with_the_same_id_replaces_the_record(client, clock, state):
    await call(client, "send.php", phones=PHONE, mes="first", id="fx1")
    clock.advance(60)
    await call(client, "send.php", phones=PHONE, mes="second", id="fx1")
    assert state.message("fx1", PHONE).text == "second"
    assert state.message_status("fx1", PHONE).status == 0


@pytest.mark.anyio
async def test_the_fourth_identical_status_request_within_a_minute_is_error_9(client):
    for _ in range(3):
        await status(client, id="fx1", phone=PHONE)
    assert await status(client, id="fx1", phone=PHONE) == (
        "ERROR = 9 (duplicate request, wait a minute)"
    )
