"""The `/__emulator__/` controls for messages, the balance and callbacks."""

import httpx
import pytest

from facade.emulator.assumptions import DELIVERY_SECONDS
from tests.emulator.conftest import WALL_START, call

PHONE = "79991112233"
URL = "http://facade.test/smsc/callback/k?charset=utf-8"


@pytest.fixture
def received() -> list[httpx.Request]:
    return []


@pytest.fixture
def app(make_app, received):
    def handler(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, text="OK")

    return make_app(seed="empty", callback_transport=httpx.MockTransport(handler))


@pytest.mark.anyio
async def test_messages_list_and_one(client, clock):
    await call(client, "send.php", phones=f"{PHONE},123", mes="Hi", id="fx1", sender="Shop")
    clock.advance(DELIVERY_SECONDS)
    listed = (await client.get("/__emulator__/messages")).json()["messages"]
    assert listed == [
        {
            "id": "fx1",
            "phone": PHONE,
            "status": 1,
            "err": 0,
            "changed": WALL_START + DELIVERY_SECONDS,
            "sent": WALL_START,
            "parts": 1,
            "cost": "2.50",
            "sender": "Shop",
            "message": "Hi",
        },
        {
            "id": "fx1",
            "phone": "123",
            "status": 22,
            "err": 249,
            "changed": WALL_START,
            "sent": WALL_START,
            "parts": 0,
            "cost": "0.00",
            "sender": "Shop",
            "message": "Hi",
        },
    ]
    one = await client.get(f"/__emulator__/messages/fx1/{PHONE}")
    assert one.json() == listed[0]
    assert (await client.get("/__emulator__/messages/fx2/1")).status_code == 404
    assert (await client.get("/__emulator__/messages?login=nobody")).status_code == 404
    assert (await client.get(f"/__emulator__/messages/fx1/{PHONE}?login=x")).status_code == 404


@pytest.mark.anyio
async def test_force_a_status(client, state):
    await call(client, "send.php", phones=PHONE, mes="Hi", id="fx1")
    path = f"/__emulator__/messages/fx1/{PHONE}/status"
    response = await client.post(path, json={"status": 25, "err": 248})
    assert response.json() == {"id": "fx1", "phone": PHONE, "status": 25, "err": 248}
    assert (state.message_status("fx1", PHONE).status, state.message_status("fx1", PHONE).err) == (
        25,
        248,
    )
    assert (await client.post(path, json={"status": "25"})).status_code == 400
    assert (await client.post(path, json={"status": 1, "err": True})).status_code == 400
    assert (await client.post(path, content=b"[")).status_code == 400
    missing = "/__emulator__/messages/fx9/1/status"
    assert (await client.post(missing, json={"status": 1})).status_code == 404
    assert (await client.post(path, json={"status": 1, "login": "x"})).status_code == 404


@pytest.mark.anyio
async def test_set_the_balance(client, state):
    response = await client.post("/__emulator__/balance", json={"balance": "10", "credit": 5})
    assert response.json() == {"balance": "10.00", "credit": "5.00"}
    assert await call(client, "balance.php", fmt=3) == '{\n"balance": "10.00",\n"credit": "5.00"\n}'
    response = await client.post("/__emulator__/balance", json={"balance": 2.5})
    assert response.json() == {"balance": "2.50", "credit": None}
    assert state.account().credit is None
    for body in ({}, {"balance": "ten"}, {"balance": True}, {"balance": [1]}):
        assert (await client.post("/__emulator__/balance", json=body)).status_code == 400
    response = await client.post("/__emulator__/balance", json={"balance": "1", "login": "x"})
    assert response.status_code == 404


@pytest.mark.anyio
async def test_callback_settings(client, state):
    assert (await client.get("/__emulator__/callback")).json() == {"callbacks": {}}
    response = await client.post("/__emulator__/callback", json={"url": URL, "secret": "s"})
    expected = {"demo": {"url": URL, "secret": "s", "checksum": "md5"}}
    assert response.json() == {"callbacks": expected}
    assert (await client.get("/__emulator__/callback")).json() == {"callbacks": expected}
    sha1 = await client.post("/__emulator__/callback", json={"url": URL, "checksum": "sha1"})
    assert sha1.json()["callbacks"]["demo"]["checksum"] == "sha1"
    for body in ({}, {"url": URL, "checksum": "crc32"}, {"url": URL, "secret": 1}):
        assert (await client.post("/__emulator__/callback", json=body)).status_code == 400
    assert (
        await client.post("/__emulator__/callback", json={"url": URL, "login": "x"})
    ).status_code == 404
    assert (await client.delete("/__emulator__/callback")).json() == {"callbacks": {}}
    assert (await client.delete("/__emulator__/callback?login=x")).status_code == 404


@pytest.mark.anyio
async def test_callbacks_log_and_deliver(client, clock, received):
    await client.post("/__emulator__/callback", json={"url": URL})
    await call(client, "send.php", phones=PHONE, mes="Hi", id="fx1")
    log = (await client.get("/__emulator__/callbacks")).json()
    assert log["delivered"] == log["dropped"] == []
    assert [(c["fields"]["status"], c["outcome"], c["attempts"]) for c in log["pending"]] == [
        ("0", "pending", 0)
    ]
    clock.advance(DELIVERY_SECONDS)
    response = await client.post("/__emulator__/callbacks/deliver")
    assert response.json() == {"delivered": 2, "pending": 0}
    assert len(received) == 2
    log = (await client.get("/__emulator__/callbacks")).json()
    assert [c["fields"]["status"] for c in log["delivered"]] == ["0", "1"]
    assert log["delivered"][0] == {
        "url": URL,
        "fields": {
            "id": "fx1",
            "phone": PHONE,
            "status": "0",
            "err": "0",
            "ts": str(int(WALL_START)),
            "cnt": "1",
            "cost": "2.50",
            "sender": "SMSC.RU",
        },
        "attempts": 1,
        "outcome": "delivered",
        "error": None,
    }
