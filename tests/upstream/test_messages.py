"""`SmscClient`'s message calls against the in-process emulator: a send under the facade's own id,
settled by status.php when its answer is lost; statuses batched 100 to a request; the cost; the
balance within SMSC's 10 a minute; SMSC's identical-request limits per command."""

import asyncio
import decimal
from typing import Any

import pytest

from facade.domain.messages import (
    MessageRef,
    MessageSpec,
    MessageStatus,
    is_message_id,
)
from facade.emulator.faults import Fault
from facade.errors import (
    InProgressError,
    RateLimitedError,
    SmscNoMoney,
    SmscRecipientRejected,
    UpstreamOutcomeUnknown,
)
from facade.upstream.exchange import Freshness
from facade.upstream.idempotency import IdempotencyKey
from facade.upstream.job_marker import marking
from facade.upstream.settling import NOT_SENT, MessageSettling
from tests.upstream.lossy import CODEC, Counted, Rig, rig

pytestmark = pytest.mark.anyio

PHONE = "79990000001"
SPEC = MessageSpec(phones=(PHONE,), message="Your code: 4321")
ID = "fxbbbbbbbbbbbbbbbbbbbb"
ATTEMPTS = 3  # a read is tried this many times (UpstreamConfig.attempts)


@pytest.fixture
def lossy(tmp_path: Any) -> Rig:
    return rig(tmp_path)


def calls(r: Rig, endpoint: str, command: str | None = None) -> int:
    return sum(
        1
        for c in r.emulator.calls
        if c.path.endswith(f"/{endpoint}.php") and (command is None or c.command == command)
    )


async def test_a_send_goes_under_the_facades_own_id_and_is_followed_by_it(lossy: Rig) -> None:
    sent = await lossy.client.send_message(SPEC)
    assert is_message_id(sent.id)
    assert sent.parts == 1
    fetched = await lossy.client.message_states([MessageRef(sent.id, PHONE)])
    (state,) = fetched.value
    assert (state.id, state.phone) == (sent.id, PHONE)
    assert state.status is not MessageStatus.NOT_FOUND


async def test_an_idempotent_runs_marker_is_the_messages_id(lossy: Rig) -> None:
    with marking(ID):
        sent = await lossy.client.send_message(SPEC)
    assert sent.id == ID


async def test_a_lost_answer_is_settled_by_status_never_by_sending_again(lossy: Rig) -> None:
    lossy.emulator.faults.add(Fault("reset_after", path="send.php", times=1))
    sent = await lossy.client.send_message(SPEC)
    assert calls(lossy, "send", "send") == 1
    assert calls(lossy, "status") == 1
    assert is_message_id(sent.id)
    assert lossy.emulator.message(sent.id, PHONE) is not None


async def test_a_lost_send_smsc_never_got_stays_unknown(lossy: Rig) -> None:
    lossy.emulator.faults.add(Fault("reset", path="send.php", times=1))
    with marking(ID), pytest.raises(UpstreamOutcomeUnknown):
        await lossy.client.send_message(SPEC)
    assert lossy.emulator.message(ID, PHONE) is None  # the drop came before SMSC did anything
    assert calls(lossy, "status") == 1  # asked, and SMSC has no such message: still unknown


async def test_send_errors_are_typed_and_keep_the_id(lossy: Rig) -> None:
    with pytest.raises(SmscRecipientRejected) as invalid:
        await lossy.client.send_message(MessageSpec(phones=("123",), message="Hi"))
    assert invalid.value.upstream_code == 7
    assert invalid.value.message_id is not None
    lossy.emulator.set_balance(decimal.Decimal("0.10"))
    with pytest.raises(SmscNoMoney) as poor:
        await lossy.client.send_message(SPEC)
    assert poor.value.code == "INSUFFICIENT_FUNDS"
    assert poor.value.message_id is not None


async def test_the_balance_after_a_costed_send_is_written_through(lossy: Rig) -> None:
    before = (await lossy.client.balance()).value
    sent = await lossy.client.send_message(
        MessageSpec(phones=(PHONE,), message="Hi", with_cost=True)
    )
    assert sent.cost is not None
    assert sent.balance is not None
    after = await lossy.client.balance()
    assert after.freshness is Freshness.HIT
    assert after.value.amount == sent.balance == before.amount - sent.cost
    assert after.value.currency == before.currency
    assert calls(lossy, "balance") == 1


async def test_two_hundred_balance_reads_over_a_minute_stay_within_smscs_ten(lossy: Rig) -> None:
    """Each group of reads follows a send that makes the balance read again: within the budget
    SMSC is asked, beyond it the last balance is answered stale, never an error."""
    answered = []
    for n in range(20):
        spec = MessageSpec(phones=(f"7999000{n:04d}",), message="Hi")
        await lossy.client.send_message(spec)
        answered += await asyncio.gather(*(lossy.client.balance() for _ in range(10)))
        lossy.clock.advance(3.0)
    assert len(answered) == 200
    assert {one.value.currency for one in answered} == {"RUR"}
    assert Freshness.STALE in {one.freshness for one in answered}
    assert calls(lossy, "balance") <= 10
    assert not [c for c in lossy.emulator.calls if c.error == 9]


async def test_statuses_travel_a_hundred_to_a_request(lossy: Rig) -> None:
    refs = [MessageRef(f"fx{n:020d}", PHONE) for n in range(250)]
    fetched = await lossy.client.message_states(refs)
    assert [(s.id, s.phone) for s in fetched.value] == [(r.id, r.phone) for r in refs]
    assert {s.status for s in fetched.value} == {MessageStatus.NOT_FOUND}
    assert calls(lossy, "status") == 3


async def test_identical_sends_are_held_to_one_a_minute_whatever_their_ids(lossy: Rig) -> None:
    await lossy.client.send_message(SPEC)
    with pytest.raises(RateLimitedError):
        await lossy.client.send_message(SPEC)
    assert calls(lossy, "send", "send") == 1
    lossy.clock.advance(61.0)
    await lossy.client.send_message(SPEC)
    assert calls(lossy, "send", "send") == 2


async def test_the_cost_is_asked_without_sending_and_cached(lossy: Rig) -> None:
    first = await lossy.client.message_cost(SPEC)
    again = await lossy.client.message_cost(SPEC)
    assert first.value.parts == 1
    assert first.value.cost > 0
    assert again.freshness is Freshness.HIT
    assert calls(lossy, "send", "cost") == 1
    assert calls(lossy, "send", "send") == 0


async def test_a_lost_idempotent_send_is_settled_on_its_repeat(lossy: Rig) -> None:
    client = lossy.client
    key = IdempotencyKey("default", "tester", "k1", "idempotencyKey")
    settling = MessageSettling(client, PHONE, lambda sent: {"id": sent.id})

    async def send() -> dict[str, Any]:
        return {"id": (await client.send_message(SPEC)).id}

    # SMSC sends it, the answer is lost, and status.php cannot be asked either just then.
    lossy.emulator.faults.add(Fault("reset_after", path="send.php", times=1))
    lossy.emulator.faults.add(Fault("reset", path="status.php", times=ATTEMPTS))
    first = await lossy.idempotency.run(key, "f", send, CODEC, settling=settling)
    assert isinstance(first.error, UpstreamOutcomeUnknown)
    # Those status attempts spent the minute's budget: a repeat now hears "not known yet".
    with pytest.raises(InProgressError) as settling_now:
        await lossy.idempotency.run(key, "f", send, CODEC, settling=settling)
    assert settling_now.value.outcome_unknown
    lossy.clock.advance(settling_now.value.retry_after)
    again = await lossy.idempotency.run(key, "f", send, CODEC, settling=settling)
    assert again.replayed
    assert again.value is not None
    assert lossy.emulator.message(again.value["id"], PHONE) is not None
    assert calls(lossy, "send", "send") == 1
    third = await lossy.idempotency.run(key, "f", Counted(), CODEC, settling=settling)
    assert third.value == again.value


async def test_a_lost_idempotent_send_smsc_never_had_is_spent_after_the_settle_time(
    lossy: Rig,
) -> None:
    key = IdempotencyKey("default", "tester", "k2", "idempotencyKey")
    settling = MessageSettling(lossy.client, PHONE, lambda sent: {"id": sent.id})

    async def send() -> dict[str, Any]:
        return {"id": (await lossy.client.send_message(SPEC)).id}

    lossy.emulator.faults.add(Fault("reset", path="send.php", times=1))
    first = await lossy.idempotency.run(key, "f", send, CODEC, settling=settling)
    assert isinstance(first.error, UpstreamOutcomeUnknown)
    lossy.wall.advance(61.0)
    lossy.clock.advance(61.0)
    spent = await lossy.idempotency.run(key, "f", send, CODEC, settling=settling)
    assert spent.error is not None
    assert spent.error.message == f"idempotencyKey: {NOT_SENT}"
    assert spent.replayed
