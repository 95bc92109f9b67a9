"""Following messages: the message poller against the emulator on fake time, and the statuses
and incoming messages SMSC's callbacks hand over at once (`Pollers.deliver_*`)."""

import datetime as dt
import math
from collections.abc import AsyncIterator

import anyio
import pytest

from facade.domain.answers import Answer
from facade.domain.jobs import SendAfter
from facade.domain.messages import MessageRef, MessageSpec, MessageState, MessageStatus
from facade.upstream.config import DEFAULT_POLL_MESSAGES
from facade.upstream.message_poller import MessageWatch
from facade.upstream.pollers import Kind, Pollers, Subscription, poll_interval
from tests.upstream.harness import Harness, harness
from tests.upstream.test_pollers import Ticker

pytestmark = pytest.mark.anyio

PHONE = "79990000001"
EXPIRES = "79990000303"  # the emulator's test number whose message ends EXPIRED
INTERVAL = DEFAULT_POLL_MESSAGES


@pytest.fixture
async def rigged() -> AsyncIterator[tuple[Harness, Ticker, Pollers]]:
    h = harness()
    ticker = Ticker(h.clock)
    pollers = Pollers(h.client, clock=h.clock, sleep=ticker.sleep)
    yield h, ticker, pollers
    await pollers.aclose()


def status_calls(h: Harness) -> int:
    return sum(1 for call in h.emulator.calls if call.path.endswith("/status.php"))


async def send(h: Harness, phone: str = PHONE) -> MessageRef:
    sent = await h.client.send_message(MessageSpec(phones=(phone,), message=f"Hi {phone}"))
    return MessageRef(sent.id, phone)


async def take(subscription: AsyncIterator[MessageState]) -> MessageState:
    with anyio.fail_after(5):
        return await anext(subscription)


def test_the_interval_keeps_status_php_within_its_budget() -> None:
    h = harness()
    assert poll_interval(h.client.config, Kind.MESSAGES) == INTERVAL == 30.0


async def test_a_followed_message_reports_each_change_and_ends_at_its_final_status(
    rigged: tuple[Harness, Ticker, Pollers],
) -> None:
    h, ticker, pollers = rigged
    ref = await send(h, EXPIRES)
    async with pollers.message(ref) as subscription:
        first = await take(subscription)
        assert (first.id, first.phone) == (ref.id, ref.phone)
        assert not first.final
        await ticker.settle()
        await ticker.advance(INTERVAL)
        last = await take(subscription)
        assert last.status is MessageStatus.EXPIRED
        assert last.final
        with anyio.fail_after(5):
            assert [state async for state in subscription] == []  # ended after the final one
    assert not pollers.message_poller.subscribers


async def test_a_final_message_is_answered_and_ended_without_polling(
    rigged: tuple[Harness, Ticker, Pollers],
) -> None:
    _, _, pollers = rigged
    ref = MessageRef("fxcccccccccccccccccccc", PHONE)  # SMSC has none: NOT_FOUND is final
    async with pollers.message(ref) as subscription:
        states = [state async for state in subscription]
    assert [state.status for state in states] == [MessageStatus.NOT_FOUND]
    assert not pollers.message_poller.running


async def test_a_hundred_followed_messages_cost_one_status_request_an_interval(
    rigged: tuple[Harness, Ticker, Pollers],
) -> None:
    h, ticker, pollers = rigged
    later = SendAfter(600)  # each waits ten minutes: followed through every interval below
    refs = []
    for n in range(100):
        phone = f"7999{n:07d}"
        spec = MessageSpec(phones=(phone,), message="Later", send_time=later)
        refs.append(MessageRef((await h.client.send_message(spec)).id, phone))
    for ref in refs:
        pollers.message_poller.add(Subscription(), MessageWatch(ref, None, h.clock()))
    await ticker.settle()
    before = status_calls(h)
    for _ in range(3):
        await ticker.advance(INTERVAL)
    assert status_calls(h) - before == 3 * math.ceil(100 / 100)


async def test_a_callback_reaches_the_subscriber_at_once_and_a_poll_repeats_nothing(
    rigged: tuple[Harness, Ticker, Pollers],
) -> None:
    h, ticker, pollers = rigged
    ref = await send(h)
    async with pollers.message(ref) as subscription:
        await take(subscription)
        await ticker.settle()
        calls = status_calls(h)
        delivered = MessageState(
            id=ref.id, phone=ref.phone, status=MessageStatus.DELIVERED, status_code=1, error_code=0
        )
        pollers.deliver_message(delivered)
        assert await take(subscription) == delivered
        assert status_calls(h) == calls  # nothing asked of SMSC
    assert not pollers.message_poller.subscribers


async def test_an_incoming_message_called_back_is_not_handed_over_again_by_a_poll(
    rigged: tuple[Harness, Ticker, Pollers],
) -> None:
    h, ticker, pollers = rigged
    async with pollers.answers() as subscription:
        await ticker.settle()
        await ticker.advance(30.0)  # the baseline
        answer = h.emulator.inject_answer(
            phone="79990001122", message="Yes", to_phone="79370000009"
        )
        pushed = Answer(
            id=str(answer),
            received_at=dt.datetime.now(dt.UTC),
            phone="79990001122",
            message="Yes",
            to_phone="79370000009",
            sent_at=None,
        )
        pollers.deliver_answer(pushed)
        with anyio.fail_after(5):
            assert (await anext(subscription)).id == pushed.id
        await ticker.advance(30.0)  # the poll lists it too
        assert subscription.pending == 0
