"""SMSC's error 2 history: the rule in process, the same rule shared through a real Redis by two
"replicas", what a replica does alone while Redis is away, and two `SmscClient`s on one emulator
that SMSC refuses for two hours."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette

from facade.domain.groups import GroupDraft
from facade.emulator.app import create_emulator
from facade.errors import SmscAuthError
from facade.settings import CACHE_TTLS
from facade.upstream.auth_errors import AuthErrors, AuthTicket, LocalAuthErrors, RedisAuthErrors
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.redis_state import connect, digest
from facade.upstream.shared import in_process
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.redis_server import RedisProcess
from tests.upstream.harness import BASE_URL, DEMO

if TYPE_CHECKING:
    from facade.emulator.state import EmulatorState

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

CONFIG = UpstreamConfig()  # back-off 10 s, 30 s, 2 min, 10 min; 4 errors in 30 minutes


def _local(
    clock: FakeClock,
    *,
    replicas: int = 1,
    known: Sequence[float] = (),
    streak: int = 0,
    last: float = 0.0,
) -> LocalAuthErrors:
    return LocalAuthErrors(
        backoff=CONFIG.auth_backoff,
        allowed=CONFIG.auth_errors_allowed,
        window=CONFIG.auth_error_window,
        clock=clock,
        replicas=replicas,
        known=known,
        streak=streak,
        last=last,
    )


async def _probe(errors: AuthErrors) -> AuthTicket:
    ticket = await errors.admit()
    assert isinstance(ticket, AuthTicket)
    assert ticket.probe is not None
    return ticket


async def _refused(errors: AuthErrors) -> float:
    wait = await errors.admit()
    assert isinstance(wait, float)
    assert wait > 0
    return wait


async def _the_rule(errors: AuthErrors, other: AuthErrors, clock: FakeClock) -> None:
    """One scenario for both implementations; `other` is another replica (or the same one)."""
    assert await errors.admit() == AuthTicket(), "nothing reserved while not failing"
    assert errors.retry_after() is None
    await errors.failed(AuthTicket())
    assert await _refused(other) == pytest.approx(10.0)
    assert errors.failing
    clock.advance(10)
    ticket = await _probe(other)
    assert await _refused(errors) == pytest.approx(10.0), "one probe at a time"
    await other.failed(ticket)
    assert await _refused(errors) == pytest.approx(30.0)
    # A call under way before the account failed, and answered now: counted, no longer wait.
    await errors.failed(AuthTicket())
    assert await _refused(errors) == pytest.approx(30.0)
    clock.advance(30)
    await errors.failed(await _probe(errors))  # errors at 0, 10, 10, 40: four in the window
    clock.advance(120)
    assert await _refused(other) == pytest.approx(1800 - 160)
    clock.advance(1800 - 160)
    ticket = await _probe(other)
    await other.succeeded(ticket)
    assert not other.failing
    assert await errors.admit() == AuthTicket()
    assert errors.retry_after() is None


async def test_the_rule_in_process() -> None:
    clock = FakeClock()
    errors = _local(clock)
    await _the_rule(errors, errors, clock)


async def test_a_success_of_a_call_made_before_the_error_clears_nothing() -> None:
    clock = FakeClock()
    errors = _local(clock)
    early = await errors.admit()
    assert early == AuthTicket()
    await errors.failed(AuthTicket())
    await errors.succeeded(early)  # SMSC took it before refusing the next one: says nothing now
    assert errors.failing
    assert errors.retry_after() == pytest.approx(10.0)


async def test_a_lost_probe_stays_counted_and_is_replaced_one_step_later() -> None:
    clock = FakeClock()
    errors = _local(clock)
    await errors.failed(AuthTicket())
    for _ in range(3):
        clock.advance(10)
        await _probe(errors)  # never reported: SMSC may have counted it
    clock.advance(10)
    assert await _refused(errors) == pytest.approx(1800 - 40), "four counted in the window"


@pytest.mark.parametrize(
    ("replicas", "known", "own_allowed"),
    [
        pytest.param(2, 0, 2, id="two-replicas-none-known"),
        pytest.param(2, 1, 1, id="two-replicas-one-known"),
        pytest.param(2, 3, 0, id="two-replicas-three-known"),
        pytest.param(3, 0, 1, id="three-replicas"),
        pytest.param(5, 0, 0, id="more-replicas-than-errors"),
    ],
)
async def test_alone_a_replica_takes_its_share_of_what_is_left(
    replicas: int, known: int, own_allowed: int
) -> None:
    clock = FakeClock()
    seen = [clock.now - 100.0 - i for i in range(known)]
    errors = _local(clock, replicas=replicas, known=seen, streak=1, last=clock.now - 1000)
    for _ in range(own_allowed):
        await errors.failed(await _probe(errors))
        clock.advance(600)
    assert await errors.admit() != AuthTicket()
    assert errors.retry_after() is not None, "no more of its own in the window"


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        LocalAuthErrors(backoff=(), allowed=4, window=1800.0, clock=FakeClock())
    with pytest.raises(ValueError, match="auth_backoff"):
        UpstreamConfig(auth_backoff=(10.0, 0.0))
    with pytest.raises(ValueError, match="auth_errors_allowed"):
        UpstreamConfig(auth_errors_allowed=0)


# --- Redis --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisProcess]:
    with RedisProcess() as server:
        yield server


@pytest.fixture
async def clients(redis: RedisProcess) -> AsyncIterator[tuple[Redis, Redis]]:
    first, second = connect(redis.url, timeout=0.5), connect(redis.url, timeout=0.5)
    await first.flushdb()
    yield first, second
    await first.aclose()
    await second.aclose()


def _degraded(errors: RedisAuthErrors) -> bool:
    # A call, so mypy does not keep `degraded` narrowed across the calls that change it.
    return errors.degraded


def _shared(client: Redis, clock: FakeClock, replicas: int = 2) -> RedisAuthErrors:
    return RedisAuthErrors(client, account="default", config=CONFIG, replicas=replicas, clock=clock)


async def test_the_rule_across_replicas(clients: tuple[Redis, Redis]) -> None:
    clock = FakeClock()
    await _the_rule(_shared(clients[0], clock), _shared(clients[1], clock), clock)


async def test_concurrent_replicas_take_one_probe(clients: tuple[Redis, Redis]) -> None:
    clock = FakeClock()
    replicas = [_shared(client, clock) for client in clients]
    await replicas[0].failed(AuthTicket())
    clock.advance(10)
    admitted = await asyncio.gather(*(replicas[i % 2].admit() for i in range(40)))
    assert sum(isinstance(a, AuthTicket) for a in admitted) == 1
    assert replicas[1].failing, "the other replica learned it from Redis"


async def test_keys_name_no_account(clients: tuple[Redis, Redis]) -> None:
    errors = RedisAuthErrors(
        clients[0], account="marketing", config=CONFIG, replicas=1, clock=FakeClock()
    )
    await errors.failed(AuthTicket())
    keys = {key.decode() for key in await clients[0].keys("*") if isinstance(key, bytes)}
    assert keys == {f"facade:auth:{digest('marketing')}:{name}" for name in ("errors", "state")}


async def test_alone_a_replica_keeps_within_its_share_and_hands_it_back(
    redis: RedisProcess, clients: tuple[Redis, Redis]
) -> None:
    clock = FakeClock()
    first, second = (_shared(client, clock) for client in clients)
    await first.failed(AuthTicket())
    clock.advance(10)
    await second.failed(await _probe(second))  # `second` knows of two errors, at 0 and 10 s
    redis.kill()
    clock.advance(30)
    # Alone: (4 - 2 known) // 2 replicas = one of its own in the window.
    await second.failed(await _probe(second))
    assert _degraded(second)
    assert second.failing
    clock.advance(120)
    assert await _refused(second) == pytest.approx(1800 - 160), "its share is spent"
    clock.advance(1800 - 160 + 10)  # the errors it knew of left the window: 4 // 2 = 2 now
    await second.failed(await _probe(second))
    redis.start()  # empty, as a restart without persistence leaves it
    for client in clients:  # the pools drop the connections the restart broke
        with contextlib.suppress(Exception):
            await client.ping()
    clock.advance(5)  # Redis is asked again
    assert await _refused(second) == pytest.approx(595.0)  # 10 minutes after the last
    assert not _degraded(second)
    # Its errors (at 40 s and 1810 s) are in Redis again, for the other replica too.
    assert await _refused(first) == pytest.approx(595.0)
    assert first.failing
    assert len(await clients[0].zrange(f"facade:auth:{digest('default')}:errors", 0, -1)) == 2


# --- two clients, one emulator, one Redis: SMSC refuses for two hours ---------------------------


@contextlib.asynccontextmanager
async def _replicas(url: str, clock: FakeClock, app: Starlette) -> AsyncIterator[list[SmscClient]]:
    """Two replicas: each its own cache, budget and Redis client; SMSC's error 2 shared."""
    config = UpstreamConfig(ttls=CACHE_TTLS, attempts=1)
    async with contextlib.AsyncExitStack() as stack:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        stack.push_async_callback(http.aclose)
        replicas = []
        for _ in range(2):
            redis = connect(url, timeout=0.5)
            stack.push_async_callback(redis.aclose)
            transport = SmscTransport(
                http, base_urls=[BASE_URL], config=config, sleep=FakeSleep(), jitter=lambda: 1.0
            )
            client = SmscClient(
                account="default",
                credentials=DEMO,
                transport=transport,
                config=config,
                clock=clock,
                shared=dataclasses.replace(
                    in_process(config, clock=clock),
                    auth_errors=RedisAuthErrors(
                        redis, account="default", config=config, replicas=2, clock=clock
                    ),
                ),
            )
            stack.push_async_callback(client.aclose)
            replicas.append(client)
        yield replicas


async def test_two_replicas_risk_at_most_four_errors_in_any_30_minutes(
    redis: RedisProcess, clients: tuple[Redis, Redis]
) -> None:
    clock = FakeClock()
    app = create_emulator(seed="demo", clock=clock)
    emulator: EmulatorState = app.state.emulator
    emulator.add_fault("auth")
    seen: list[float] = []

    def errors() -> int:
        return sum(call.error == 2 for call in emulator.calls)

    async with _replicas(redis.url, clock, app) as replicas:
        calls: list[Callable[[SmscClient], Awaitable[object]]] = [
            lambda c: c.templates(),
            lambda c: c.groups(),
            lambda c: c.blacklist(),
            lambda c: c.contacts(),
            lambda c: c.answers(),
            lambda c: c.create_group(GroupDraft(name="g")),
        ]
        for tick in range(2 * 3600 // 5):  # each replica has a caller every 5 s, for two hours
            before = errors()
            for replica in replicas:
                with pytest.raises(SmscAuthError):
                    await calls[tick % len(calls)](replica)
            seen += [clock.now] * (errors() - before)
            clock.advance(5)
        assert {call.error for call in emulator.calls} == {2}, "never blocked (error 4)"
        assert max(sum(t <= u < t + 1800 for u in seen) for t in seen) == 4
        emulator.clear_faults()  # SMSC takes the credentials again: the next probe finds out
        for _ in range(600 // 5 + 1):
            try:
                await replicas[1].create_group(GroupDraft(name="works again"))
            except SmscAuthError:
                clock.advance(5)
            else:
                break
        assert replicas[1].gate.condition is None
        clock.advance(5)  # the other replica asks Redis again within a few seconds
        assert (await replicas[0].groups()).value
        assert replicas[0].gate.condition is None
