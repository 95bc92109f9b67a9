"""Operations on one WebSocket do not share per-operation state: a query's `extensions.freshness`
stays with that query's answer (uvicorn on loopback, pollers on fake time)."""

import pytest

from tests.graphql.test_subscriptions import (
    ALL_ANSWERS,
    Sandbox,
    init,
    receive,
    serving,
    socket,
    subscribe,
    until,
)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]


async def test_a_querys_freshness_does_not_reach_a_later_subscriptions_events() -> None:
    box = Sandbox()
    async with serving(box.app) as url, socket(url) as ws:
        await init(ws)
        await subscribe(ws, "query", "{ templates { id } }")
        answer = await receive(ws)
        assert await receive(ws) == {"id": "query", "type": "complete"}
        await subscribe(ws, "live", ALL_ANSWERS)
        await until(lambda: bool(box.pollers.answer_poller.subscribers))
        await box.ticker.settle()
        box.upstream.emulator.inject_answer(phone="79990001122", message="hi")
        await box.ticker.advance(30.0)
        event = await receive(ws)
        await subscribe(ws, "again", "{ groups { id } }")
        again = await receive(ws)

    assert answer["payload"]["extensions"] == {
        "freshness": {"templates": {"status": "miss", "age": 0.0}}
    }
    assert event["id"] == "live"
    assert "extensions" not in event["payload"]
    assert again["payload"]["extensions"] == {
        "freshness": {"groups": {"status": "miss", "age": 0.0}}
    }
