import anyio
import pytest

from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscError,
    SmscNotFound,
    SmscRateLimited,
    SmscRejected,
    UpstreamUnavailable,
)
from facade.upstream.auth_errors import AuthTicket, LocalAuthErrors
from facade.upstream.limits import (
    AccountGate,
    BreakerState,
    CircuitBreaker,
    ConcurrencyCap,
    RequestBudget,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- RequestBudget ---------------------------------------------------------------------------


def test_budget_refuses_third_until_oldest_use_leaves() -> None:
    clock = FakeClock()
    budget = RequestBudget(window=60.0, clock=clock)
    assert budget.try_spend("balance", 2) is None
    clock.advance(10)
    assert budget.try_spend("balance", 2) is None
    clock.advance(5)
    assert budget.retry_after("balance", 2) == pytest.approx(45.0)
    assert budget.try_spend("balance", 2) == pytest.approx(45.0)
    clock.advance(44.9)
    assert budget.try_spend("balance", 2) == pytest.approx(0.1)
    clock.advance(0.1)  # the first use is exactly 60 s old: it has left the window
    assert budget.try_spend("balance", 2) is None
    assert budget.try_spend("balance", 2) == pytest.approx(10.0)


def test_budget_refusals_do_not_count_as_uses() -> None:
    clock = FakeClock()
    budget = RequestBudget(window=60.0, clock=clock)
    budget.try_spend("k", 1)
    for _ in range(5):
        clock.advance(1)
        assert budget.try_spend("k", 1) is not None
    clock.advance(55)
    assert budget.try_spend("k", 1) is None


def test_budget_peek_does_not_spend() -> None:
    budget = RequestBudget(window=60.0, clock=FakeClock())
    for _ in range(3):
        assert budget.retry_after("k", 1) is None
    assert budget.try_spend("k", 1) is None
    assert budget.retry_after("k", 1) == 60.0


def test_budget_keys_are_independent() -> None:
    budget = RequestBudget(window=60.0, clock=FakeClock())
    assert budget.try_spend("a", 1) is None
    assert budget.try_spend("b", 1) is None
    assert budget.try_spend("a", 1) == 60.0
    assert budget.try_spend("c", 1) is None


@pytest.mark.parametrize(
    ("limit", "allowed"),
    [
        pytest.param(1, 1, id="job-creation"),
        pytest.param(2, 2, id="read"),
        pytest.param(3, 3, id="smsc-own-limit"),
    ],
)
def test_budget_allows_exactly_limit_uses(limit: int, allowed: int) -> None:
    budget = RequestBudget(window=60.0, clock=FakeClock())
    results = [budget.try_spend("jobs.create", limit) for _ in range(allowed + 1)]
    assert results[:allowed] == [None] * allowed
    assert results[allowed] == 60.0


def test_budget_smaller_limit_on_a_busier_key() -> None:
    clock = FakeClock()
    budget = RequestBudget(window=60.0, clock=clock)
    budget.try_spend("k", 3)
    clock.advance(10)
    budget.try_spend("k", 3)
    clock.advance(10)
    # Two uses, limit 1: both must leave before one is free, so the wait is the newest's.
    assert budget.retry_after("k", 1) == pytest.approx(50.0)


def test_budget_forgets_keys_whose_uses_left_the_window() -> None:
    clock = FakeClock()
    budget = RequestBudget(window=60.0, clock=clock)
    for i in range(10_000):
        budget.try_spend(f"key-{i}", 2)
        budget.try_spend(f"key-{i}", 2)
    assert budget.tracked_keys == 10_000
    clock.advance(30)
    budget.try_spend("late", 2)
    clock.advance(30)
    assert budget.retry_after("anything", 2) is None
    assert budget.tracked_keys == 1  # only "late" is still inside the window
    clock.advance(30)
    budget.retry_after("anything", 2)
    assert budget.tracked_keys == 0


@pytest.mark.parametrize("window", [0.0, -1.0])
def test_budget_rejects_bad_window(window: float) -> None:
    with pytest.raises(ValueError, match="window"):
        RequestBudget(window=window, clock=FakeClock())


def test_budget_rejects_bad_limit() -> None:
    budget = RequestBudget(window=60.0, clock=FakeClock())
    with pytest.raises(ValueError, match="limit"):
        budget.try_spend("k", 0)


# --- ConcurrencyCap --------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("limit", [1, 3, 14])
async def test_cap_never_exceeds_limit(limit: int) -> None:
    cap = ConcurrencyCap(limit=limit, wait=5.0)
    seen: list[int] = []

    async def hold() -> None:
        async with cap.slot():
            seen.append(cap.in_flight)
            await anyio.sleep(0.001)

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(hold)
    assert len(seen) == 50
    assert max(seen) == limit
    assert cap.max_in_flight == limit
    assert cap.in_flight == 0
    assert cap.rejected == 0


@pytest.mark.anyio
async def test_cap_gives_up_after_wait() -> None:
    cap = ConcurrencyCap(limit=1, wait=0.05)
    async with cap.slot():
        started = anyio.current_time()
        with pytest.raises(UpstreamUnavailable, match="busy") as info:
            async with cap.slot():
                pytest.fail("got a second slot")
        assert anyio.current_time() - started >= 0.05
        assert isinstance(info.value.__cause__, TimeoutError)
    assert cap.rejected == 1
    assert cap.in_flight == 0
    async with cap.slot():
        assert cap.in_flight == 1


@pytest.mark.anyio
async def test_cap_zero_wait_takes_a_free_slot_and_refuses_at_once() -> None:
    cap = ConcurrencyCap(limit=1, wait=0.0)
    async with cap.slot():
        with pytest.raises(UpstreamUnavailable):
            async with cap.slot():
                pytest.fail("got a second slot")
    assert cap.rejected == 1


@pytest.mark.anyio
async def test_cap_waiter_gets_the_released_slot() -> None:
    cap = ConcurrencyCap(limit=1, wait=5.0)
    order: list[str] = []
    release = anyio.Event()

    async def first() -> None:
        async with cap.slot():
            order.append("first")
            await release.wait()

    async def second() -> None:
        async with cap.slot():
            order.append("second")

    async with anyio.create_task_group() as tg:
        tg.start_soon(first)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(second)
        await anyio.wait_all_tasks_blocked()
        assert order == ["first"]
        release.set()
    assert order == ["first", "second"]
    assert cap.in_flight == 0


@pytest.mark.anyio
async def test_cap_cancelled_waiter_takes_no_slot() -> None:
    cap = ConcurrencyCap(limit=1, wait=5.0)
    async with cap.slot():
        with anyio.CancelScope() as scope:
            scope.deadline = anyio.current_time() + 0.02
            async with cap.slot():
                pytest.fail("got a second slot")
        assert scope.cancelled_caught
        assert cap.in_flight == 1
    assert cap.in_flight == 0
    assert cap.rejected == 0
    async with cap.slot():  # the slot is free again, without waiting
        assert cap.in_flight == 1


@pytest.mark.anyio
async def test_cap_releases_on_exception() -> None:
    cap = ConcurrencyCap(limit=1, wait=0.0)
    with pytest.raises(RuntimeError, match="boom"):
        async with cap.slot():
            raise RuntimeError("boom")
    assert cap.in_flight == 0
    async with cap.slot():
        assert cap.max_in_flight == 1


@pytest.mark.parametrize(
    ("limit", "wait", "match"),
    [
        pytest.param(0, 1.0, "limit", id="zero"),
        pytest.param(15, 1.0, "limit", id="smsc-refuses-15"),
        pytest.param(8, -1.0, "wait", id="negative-wait"),
    ],
)
def test_cap_rejects_bad_config(limit: int, wait: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ConcurrencyCap(limit=limit, wait=wait)


# --- CircuitBreaker --------------------------------------------------------------------------


def _state(breaker: CircuitBreaker) -> BreakerState:
    # A call, so mypy does not keep `breaker.state` narrowed across the calls that change it.
    return breaker.state


def _breaker(clock: FakeClock, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(threshold=threshold, cooldown=30.0, clock=clock)


def test_breaker_opens_at_threshold() -> None:
    clock = FakeClock()
    breaker = _breaker(clock)
    for _ in range(2):
        assert breaker.before_call() is None
        breaker.record_failure()
    assert _state(breaker) is BreakerState.CLOSED
    breaker.record_failure()
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.before_call() == 30.0
    clock.advance(12)
    assert breaker.before_call() == pytest.approx(18.0)


def test_breaker_success_resets_consecutive_count() -> None:
    breaker = _breaker(FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert _state(breaker) is BreakerState.CLOSED
    assert breaker.before_call() is None


def _open(clock: FakeClock) -> CircuitBreaker:
    breaker = _breaker(clock, threshold=1)
    breaker.record_failure()
    clock.advance(30)
    return breaker


def test_breaker_half_open_lets_one_probe_through() -> None:
    clock = FakeClock()
    breaker = _open(clock)
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.before_call() is None
    assert _state(breaker) is BreakerState.HALF_OPEN
    assert breaker.before_call() == 30.0
    clock.advance(5)
    assert breaker.before_call() == pytest.approx(25.0)


def test_breaker_probe_success_closes() -> None:
    breaker = _open(FakeClock())
    breaker.before_call()
    breaker.record_success()
    assert _state(breaker) is BreakerState.CLOSED
    assert [breaker.before_call() for _ in range(3)] == [None, None, None]


def test_breaker_probe_failure_reopens_for_a_full_cooldown() -> None:
    clock = FakeClock()
    breaker = _open(clock)
    breaker.before_call()
    clock.advance(3)
    breaker.record_failure()
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.before_call() == 30.0


def test_breaker_lost_probe_is_replaced_after_cooldown() -> None:
    clock = FakeClock()
    breaker = _open(clock)
    assert breaker.before_call() is None
    clock.advance(30)
    assert breaker.before_call() is None
    assert breaker.before_call() == 30.0


def test_breaker_retry_after_asks_without_taking_the_probe() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, threshold=1)
    assert breaker.retry_after() is None
    breaker.record_failure()
    assert breaker.retry_after() == 30.0
    clock.advance(30)
    assert [breaker.retry_after() for _ in range(3)] == [None, None, None]
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.before_call() is None  # the probe is still there to take
    assert _state(breaker) is BreakerState.HALF_OPEN
    assert breaker.retry_after() == 30.0


def test_breaker_released_probe_goes_to_the_next_caller_at_once() -> None:
    clock = FakeClock()
    breaker = _open(clock)
    assert breaker.before_call() is None
    trial = breaker.trials
    clock.advance(2)
    breaker.release(trial)  # refused by a later check, or its caller was cancelled
    assert _state(breaker) is BreakerState.OPEN
    assert breaker.retry_after() is None
    assert breaker.before_call() is None
    assert breaker.trials == trial + 1
    breaker.release(trial)  # an earlier probe's release takes nothing from the current one
    assert _state(breaker) is BreakerState.HALF_OPEN
    assert breaker.before_call() == 30.0
    breaker.record_success()
    breaker.release(trial + 1)  # a probe that reported has nothing to give back
    assert _state(breaker) is BreakerState.CLOSED


def test_breaker_late_failures_while_open_do_not_extend() -> None:
    clock = FakeClock()
    breaker = _breaker(clock, threshold=1)
    breaker.record_failure()
    clock.advance(20)
    breaker.record_failure()
    assert breaker.before_call() == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("threshold", "cooldown", "match"),
    [
        pytest.param(0, 30.0, "threshold", id="zero-threshold"),
        pytest.param(5, 0.0, "cooldown", id="zero-cooldown"),
    ],
)
def test_breaker_rejects_bad_config(threshold: int, cooldown: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CircuitBreaker(threshold=threshold, cooldown=cooldown, clock=FakeClock())


# --- AccountGate -----------------------------------------------------------------------------

AUTH = SmscAuthError(2, "authorization error", endpoint="balance.php")
BLOCKED = SmscBlocked(4, "IP blocked", endpoint="send.php")
ENDPOINT = "/sys/templates.php?get"


def _gate(clock: FakeClock) -> AccountGate:
    auth = LocalAuthErrors(
        backoff=(10.0, 30.0, 120.0, 600.0), allowed=4, window=1800.0, clock=clock
    )
    return AccountGate(auth=auth, ip_block_pause=300.0, clock=clock)


def _assert_copy_of(got: SmscError | AuthTicket | None, original: SmscError) -> None:
    assert isinstance(got, SmscError)
    assert got is not original
    assert type(got) is type(original)
    assert (got.upstream_code, got.description, got.endpoint, got.message) == (
        original.upstream_code,
        original.description,
        original.endpoint,
        original.message,
    )


async def _probe(gate: AccountGate) -> AuthTicket:
    """The probe `admit` lets through: the gate had nothing to say before it."""
    assert gate.before_call(ENDPOINT) is None
    ticket = await gate.admit(ENDPOINT)
    assert isinstance(ticket, AuthTicket)
    assert ticket.probe is not None
    return ticket


@pytest.mark.anyio
async def test_gate_open_by_default() -> None:
    gate = _gate(FakeClock())
    assert gate.before_call(ENDPOINT) is None
    assert await gate.admit(ENDPOINT) == AuthTicket()
    assert gate.condition is None


@pytest.mark.anyio
async def test_gate_auth_error_allows_one_probe_per_back_off_step() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), AUTH)
    assert gate.condition == "auth_failed"
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
    clock.advance(9.5)
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
    clock.advance(0.5)
    await _probe(gate)
    # Everyone else while it runs, whether they ask before or after the other checks.
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
    _assert_copy_of(await gate.admit(ENDPOINT), AUTH)
    clock.advance(9.5)
    _assert_copy_of(await gate.admit(ENDPOINT), AUTH)
    clock.advance(0.5)
    await _probe(gate)  # a probe that never reported is replaced, one step later


@pytest.mark.anyio
async def test_gate_failed_probes_back_off_step_by_step() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), AUTH)
    for step in (10.0, 30.0, 120.0):
        clock.advance(step - 1)
        _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
        clock.advance(1)
        await gate.record(await _probe(gate), AUTH)
    assert gate.auth_errors == 4
    # Four errors in 160 s: the fifth would block the address, so none until the first is
    # 30 minutes old, whatever the back-off's last step (10 minutes) says.
    clock.advance(600)
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
    clock.advance(1800 - 160 - 600 - 0.5)
    _assert_copy_of(await gate.admit(ENDPOINT), AUTH)
    clock.advance(0.5)
    await gate.record(await _probe(gate), AUTH)
    clock.advance(599.5)
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)
    clock.advance(0.5)
    await _probe(gate)  # 10 minutes on: three of the four have left the window


@pytest.mark.anyio
async def test_gate_success_clears_auth_lock() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), AUTH)
    clock.advance(10)
    await gate.record(await _probe(gate), None)
    assert gate.condition is None
    assert [await gate.admit(ENDPOINT) for _ in range(3)] == [AuthTicket()] * 3
    await gate.record(AuthTicket(), AUTH)
    assert gate.before_call(ENDPOINT) is not None
    clock.advance(10)
    await _probe(gate)  # the back-off starts again from its first step


@pytest.mark.anyio
async def test_gate_ip_block_pauses_every_call_then_clears() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), BLOCKED)
    assert gate.condition == "ip_blocked"
    for _ in range(3):
        _assert_copy_of(gate.before_call(ENDPOINT), BLOCKED)
    clock.advance(299.9)
    _assert_copy_of(gate.before_call(ENDPOINT), BLOCKED)
    clock.advance(0.1)
    assert [gate.before_call(ENDPOINT) for _ in range(3)] == [None, None, None]


@pytest.mark.anyio
async def test_gate_block_outranks_auth_probe() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), AUTH)
    clock.advance(10)
    await gate.record(await _probe(gate), BLOCKED)
    _assert_copy_of(gate.before_call(ENDPOINT), BLOCKED)
    clock.advance(300)
    await _probe(gate)  # the auth probe, now that the pause is over
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)


@pytest.mark.anyio
async def test_gate_success_clears_block() -> None:
    gate = _gate(FakeClock())
    await gate.record(AuthTicket(), BLOCKED)
    await gate.record(AuthTicket(), None)
    assert gate.before_call(ENDPOINT) is None


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(SmscRateLimited(9, "too many", endpoint="send.php"), id="rate-limited-9"),
        pytest.param(SmscRejected(7, "cannot deliver", endpoint="send.php"), id="rejected-7"),
        pytest.param(SmscNotFound(3, "not found", endpoint="phones.php"), id="not-found-3"),
    ],
)
@pytest.mark.anyio
async def test_gate_other_errors_lock_nothing_and_end_an_auth_lock(error: SmscError) -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), error)
    assert gate.before_call(ENDPOINT) is None
    await gate.record(AuthTicket(), AUTH)
    clock.advance(10)
    # SMSC gives these only once it has taken the credentials.
    await gate.record(await _probe(gate), error)
    assert gate.condition is None


@pytest.mark.anyio
async def test_gate_error_1_on_a_probe_says_nothing_of_the_credentials() -> None:
    clock = FakeClock()
    gate = _gate(clock)
    await gate.record(AuthTicket(), AUTH)
    clock.advance(10)
    await gate.record(await _probe(gate), SmscBadRequest(1, "parameters error", endpoint="x"))
    assert gate.condition == "auth_failed"
    _assert_copy_of(gate.before_call(ENDPOINT), AUTH)


@pytest.mark.anyio
async def test_gate_without_an_error_of_its_own_refuses_with_smscs_usual_one() -> None:
    clock = FakeClock()
    auth = LocalAuthErrors(backoff=(10.0,), allowed=4, window=1800.0, clock=clock)
    await auth.failed(AuthTicket())  # another replica's error, as Redis would tell it
    gate = AccountGate(auth=auth, ip_block_pause=300.0, clock=clock)
    refused = gate.before_call(ENDPOINT)
    assert isinstance(refused, SmscAuthError)
    assert (refused.upstream_code, refused.description, refused.endpoint) == (
        2,
        "authorise error",
        ENDPOINT,
    )
    assert gate.auth_errors == 0, "not an answer this replica got"


@pytest.mark.anyio
async def test_gate_copy_has_no_traceback_of_earlier_raises() -> None:
    gate = _gate(FakeClock())
    await gate.record(AuthTicket(), BLOCKED)
    for _ in range(2):
        error = gate.before_call(ENDPOINT)
        assert error is not None
        with pytest.raises(SmscBlocked):
            raise error
    fresh = gate.before_call(ENDPOINT)
    assert fresh is not None
    assert fresh.__traceback__ is None


def test_gate_rejects_bad_config() -> None:
    auth = LocalAuthErrors(backoff=(10.0,), allowed=4, window=1800.0, clock=FakeClock())
    with pytest.raises(ValueError, match="must be positive"):
        AccountGate(auth=auth, ip_block_pause=-1.0, clock=FakeClock())
