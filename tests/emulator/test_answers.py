"""get.php?get_answers=1: incoming messages (reference/smsc-answers.txt)."""

# ruff: noqa: RUF001 - Cyrillic test data on purpose

import json
from typing import Any

import httpx
import pytest

from tests.emulator.conftest import call


@pytest.fixture
def app(make_app):
    return make_app(seed="empty")


async def answer_ids(client: httpx.AsyncClient, **params: Any) -> list[int]:
    return [
        a["id"] for a in json.loads(await call(client, "get.php", fmt=3, get_answers=1, **params))
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(
            0,
            "id = 6001, received = 15.11.2025 12:00:00, phone = 79991112233, message = Да, спасибо"
            "\nвторая строка, to_phone = 79370000001, sent = 15.11.2025 12:00:00",
            id="fmt0-message-in-the-middle",
        ),
        pytest.param(
            1,
            "6001,15.11.2025 12:00:00,79991112233,79370000001,15.11.2025 12:00:00,Да, спасибо\nвторая строка",
            id="fmt1-message-last",
        ),
        pytest.param(
            2,
            "<sms_answers>\n<sms>\n<id>6001</id>\n<received>15.11.2025 12:00:00</received>\n"
            "<phone>79991112233</phone>\n<message>Да, спасибо\nвторая строка</message>\n"
            "<to_phone>79370000001</to_phone>\n<sent>15.11.2025 12:00:00</sent>\n</sms>\n</sms_answers>",
            id="fmt2-sms-answers",
        ),
        pytest.param(
            3,
            '[{\n"id": 6001,\n"received": "15.11.2025 12:00:00",\n"phone": "79991112233",\n'
            '"message": "Да, спасибо\\nвторая строка",\n"to_phone": "79370000001",\n'
            '"sent": "15.11.2025 12:00:00"\n}]',
            id="fmt3",
        ),
    ],
)
async def test_get_answers(client, state, fmt, body):
    state.inject_answer(
        phone="79991112233", message="Да, спасибо\nвторая строка", to_phone="79370000001"
    )
    assert await call(client, "get.php", fmt=fmt, get_answers=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "body"),
    [(0, ""), (1, ""), (2, "<sms_answers>\n</sms_answers>"), (3, "[]")],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
async def test_empty_is_an_empty_list(client, fmt, body):
    assert await call(client, "get.php", fmt=fmt, get_answers=1) == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "ids"),
    [
        pytest.param({}, [6002, 6003], id="default-24-hours"),
        pytest.param({"hour": 1}, [6003], id="last-hour"),
        pytest.param({"hour": 168}, [6001, 6002, 6003], id="a-week"),
        pytest.param({"hour": 168, "after_id": 6001}, [6002, 6003], id="after-id"),
        pytest.param({"hour": 168, "to_phone": "+79370000002"}, [6002], id="to-phone"),
        pytest.param({"hour": 168, "cnt": 2}, [6001, 6002], id="count"),
    ],
)
async def test_filters(client, state, clock, params, ids):
    state.inject_answer(phone="79991112233", message="a", to_phone="79370000001")
    clock.advance(30 * 3600)
    state.inject_answer(phone="79991112233", message="b", to_phone="79370000002")
    clock.advance(2 * 3600)
    state.inject_answer(phone="79991112233", message="c", to_phone="79370000001")
    assert await answer_ids(client, **params) == ids


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"hour": 0}, id="hour-0"),
        pytest.param({"hour": 169}, id="hour-169"),
        pytest.param({"hour": "x"}, id="hour-text"),
        pytest.param({"cnt": 0}, id="cnt-0"),
        pytest.param({"cnt": 10001}, id="cnt-10001"),
        pytest.param({"after_id": "-5"}, id="after-id-negative"),
    ],
)
async def test_bad_parameters_are_error_1(client, params):
    assert await call(client, "get.php", get_answers=1, **params) == "ERROR = 1 (parameters error)"


class TestDemoAnswers:
    @pytest.fixture
    def app(self, make_app):
        return make_app(seed="demo")

    @pytest.mark.anyio
    async def test_spread_over_the_last_days(self, client):
        assert await answer_ids(client) == [6004, 6005, 6006]
        assert await answer_ids(client, hour=168) == list(range(6001, 6007))
