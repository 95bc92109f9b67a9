"""Authentication for the life of a connection: `TokenStore.is_live` and `SessionGuard`."""

import pathlib
from collections.abc import Callable, Iterator

import pytest

from facade.credentials.auth import Authenticator, SessionGuard, guard_of, keep_guard
from facade.credentials.scopes import SANDBOX_PRINCIPAL, Principal, Scope
from facade.credentials.tokens import TokenStore
from tests.fakes import FakeClock

DAY = 86400.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: pathlib.Path, clock: FakeClock) -> Iterator[TokenStore]:
    with TokenStore.in_dir(data_dir, clock=clock) as store:
        yield store


class Sleeps:
    """A fake `sleep` that records each interval and does `then(n)` after the n-th sleep."""

    def __init__(self, then: Callable[[int], None]) -> None:
        self.seconds: list[float] = []
        self._then = then

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self._then(len(self.seconds))


def principal_of(store: TokenStore, expires_days: float | None = None) -> Principal:
    issued = store.issue("web", scopes=[Scope.READ], account="default", expires_days=expires_days)
    return store.verify(issued.token)


def test_a_live_token_is_live(store: TokenStore) -> None:
    principal = principal_of(store)
    assert principal.key_id is not None
    assert store.is_live(principal.key_id)


def test_an_unknown_key_is_not_live(store: TokenStore) -> None:
    assert not store.is_live("k_000000000000")


def test_a_revocation_by_another_store_is_seen_at_once(
    store: TokenStore, data_dir: pathlib.Path
) -> None:
    principal = principal_of(store)
    assert principal.key_id is not None
    with TokenStore.in_dir(data_dir) as cli:  # as `facade token revoke` would, elsewhere
        cli.revoke("web")
    assert not store.is_live(principal.key_id)


def test_a_token_is_not_live_from_its_expiry_on(store: TokenStore, clock: FakeClock) -> None:
    principal = principal_of(store, expires_days=1.0)
    assert principal.key_id is not None
    clock.advance(DAY - 1)
    assert store.is_live(principal.key_id)
    clock.advance(1)
    assert not store.is_live(principal.key_id)


@pytest.mark.anyio
async def test_a_guard_lapses_at_the_check_after_a_revocation_elsewhere(
    store: TokenStore, data_dir: pathlib.Path
) -> None:
    def revoke_after_the_second(n: int) -> None:
        if n == 2:
            with TokenStore.in_dir(data_dir) as cli:
                cli.revoke("web")

    sleeps = Sleeps(revoke_after_the_second)
    guard = Authenticator(store, ["default"], recheck=0.25, sleep=sleeps).guard(principal_of(store))
    assert guard is not None
    assert guard.holds()

    await guard.lapsed()

    assert sleeps.seconds == [0.25, 0.25]
    assert not guard.holds()


@pytest.mark.anyio
async def test_a_guard_lapses_when_its_token_expires(store: TokenStore, clock: FakeClock) -> None:
    sleeps = Sleeps(lambda _: clock.advance(0.5))
    principal = principal_of(store, expires_days=2 / DAY)
    guard = Authenticator(store, ["default"], sleep=sleeps).guard(principal)
    assert guard is not None

    await guard.lapsed()

    assert sleeps.seconds == [0.5] * 4


def test_sandbox_mode_has_nothing_to_guard() -> None:
    assert Authenticator(None, ["default"]).guard(SANDBOX_PRINCIPAL) is None


def test_a_guard_is_kept_in_the_connection_scope(store: TokenStore) -> None:
    guard = Authenticator(store, ["default"]).guard(principal_of(store))
    scope: dict[str, object] = {"type": "websocket"}
    assert guard_of(scope) is None
    keep_guard(scope, None)
    assert scope == {"type": "websocket"}
    keep_guard(scope, guard)
    assert isinstance(guard_of(scope), SessionGuard)
    assert guard_of(scope) is guard


def test_a_guard_keeps_no_token(store: TokenStore) -> None:
    issued = store.issue("web", scopes=[Scope.READ], account="default")
    guard = Authenticator(store, ["default"]).guard(store.verify(issued.token))
    assert all(issued.token not in repr(value) for value in vars(guard).values())
