import dataclasses
from typing import Any

import pytest

from facade.upstream.cache import CannotUpdate, Entry, ResponseCache


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    id: int
    name: str


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> ResponseCache:
    return ResponseCache(maxsize=16, clock=clock)


def put(cache: ResponseCache, key: str, value: Any, *tags: str, ttl: float = 60.0) -> Entry[Any]:
    return cache.put(key, value, ttl=ttl, max_stale=3600.0, tags=tags)


def test_entry_age_and_freshness() -> None:
    entry = Entry("v", fetched_at=10.0, expires_at=70.0, stale_until=3610.0)
    assert entry.age(25.0) == 15.0
    assert entry.is_fresh(69.9)
    assert not entry.is_fresh(70.0)
    assert not entry.local


def test_put_returns_the_stored_entry(cache: ResponseCache, clock: FakeClock) -> None:
    entry = put(cache, "k", (Item(1, "a"),), "t")
    assert entry == Entry((Item(1, "a"),), fetched_at=1000.0, expires_at=1060.0, stale_until=4600.0)
    assert cache.get("k") is entry
    assert len(cache) == 1


def test_get_absent_is_none(cache: ResponseCache) -> None:
    assert cache.get("nope") is None


def test_entry_goes_from_fresh_to_stale_to_gone(cache: ResponseCache, clock: FakeClock) -> None:
    put(cache, "k", "v")
    clock.now = 1059.9
    entry = cache.get("k")
    assert entry is not None
    assert entry.is_fresh(clock.now)
    clock.now = 1060.0
    entry = cache.get("k")
    assert entry is not None
    assert not entry.is_fresh(clock.now)
    assert entry.age(clock.now) == 60.0
    clock.now = 4599.9
    assert cache.get("k") is not None
    clock.now = 4600.0
    assert cache.get("k") is None
    assert len(cache) == 0


def test_non_positive_ttl_is_never_fresh_but_usable_as_stale(
    cache: ResponseCache, clock: FakeClock
) -> None:
    entry = put(cache, "k", "v", ttl=0.0)
    assert entry.expires_at == entry.fetched_at
    assert not entry.is_fresh(clock.now)
    assert put(cache, "n", "v", ttl=-5.0).expires_at == clock.now
    clock.now += 3599.0
    assert cache.get("k") is entry


def test_ttl_above_max_stale_keeps_entry_while_fresh(
    cache: ResponseCache, clock: FakeClock
) -> None:
    entry = cache.put("k", "v", ttl=7200.0, max_stale=60.0, tags=())
    assert entry.stale_until == entry.expires_at == 8200.0
    clock.now = 8199.0
    assert cache.get("k") is entry


def test_put_with_no_lifetime_stores_nothing_and_drops_the_old_entry(
    cache: ResponseCache,
) -> None:
    put(cache, "k", "old", "t")
    entry = cache.put("k", "new", ttl=0.0, max_stale=0.0, tags=("t",))
    assert entry.value == "new"
    assert cache.get("k") is None
    assert cache.invalidate("t") == 0
    assert cache._tags_of == {}
    assert cache._keys_of == {}


def test_put_replaces_value_and_clears_local(cache: ResponseCache, clock: FakeClock) -> None:
    put(cache, "k", ["a"], "t")
    cache.update("t", lambda _key, value: [*value, "b"])
    clock.now += 10
    entry = put(cache, "k", ["c"], "t")
    assert cache.get("k") is entry
    assert entry.value == ["c"]
    assert entry.fetched_at == clock.now
    assert not entry.local


def test_invalidate_expires_but_keeps_as_stale(cache: ResponseCache, clock: FakeClock) -> None:
    first = put(cache, "a", 1, "t", "u")
    put(cache, "b", 2, "t")
    put(cache, "c", 3, "u")
    clock.now += 5
    assert cache.invalidate("t") == 2
    entry = cache.get("a")
    assert entry is not None
    assert entry.value == 1
    assert entry.fetched_at == first.fetched_at
    assert entry.expires_at == clock.now
    assert entry.stale_until == first.stale_until
    assert not entry.is_fresh(clock.now)
    untouched = cache.get("c")
    assert untouched is not None
    assert untouched.is_fresh(clock.now)
    assert len(cache) == 3


def test_invalidate_counts_only_entries_it_expired(cache: ResponseCache, clock: FakeClock) -> None:
    put(cache, "a", 1, "t")
    put(cache, "b", 2, "t", ttl=0.0)
    assert cache.invalidate("t") == 1
    clock.now += 1
    assert cache.invalidate("t") == 0
    entry = cache.get("a")
    assert entry is not None
    assert entry.expires_at == clock.now - 1  # a second invalidation does not move it later


def test_invalidate_unknown_tag(cache: ResponseCache) -> None:
    put(cache, "a", 1, "t")
    assert cache.invalidate("other") == 0


def test_update_writes_through_and_keeps_freshness(cache: ResponseCache, clock: FakeClock) -> None:
    original = put(cache, "a", (Item(1, "x"),), "t")
    clock.now += 30
    seen: list[str] = []

    def rename(key: str, value: tuple[Item, ...]) -> tuple[Item, ...]:
        seen.append(key)
        return tuple(dataclasses.replace(item, name="y") for item in value)

    assert cache.update("t", rename) == 1
    assert seen == ["a"]
    entry = cache.get("a")
    assert entry is not None
    assert entry.value == (Item(1, "y"),)
    assert original.value == (Item(1, "x"),)
    assert entry.local
    assert (entry.fetched_at, entry.expires_at, entry.stale_until) == (
        original.fetched_at,
        original.expires_at,
        original.stale_until,
    )
    assert entry.is_fresh(clock.now)


def test_update_reaches_stale_entries(cache: ResponseCache, clock: FakeClock) -> None:
    put(cache, "a", [1], "t")
    clock.now += 120
    assert cache.update("t", lambda _key, value: [*value, 2]) == 1
    entry = cache.get("a")
    assert entry is not None
    assert entry.value == [1, 2]
    assert entry.local
    assert not entry.is_fresh(clock.now)


def test_update_that_cannot_apply_invalidates_that_entry(
    cache: ResponseCache, clock: FakeClock
) -> None:
    put(cache, "list", [1], "t")
    put(cache, "scalar", 7, "t")
    put(cache, "old", [1], "t", ttl=0.0)
    clock.now += 1

    def append(_key: str, value: Any) -> Any:
        if not isinstance(value, list):
            raise CannotUpdate
        return [*value, 2]

    assert cache.update("t", append) == 2
    scalar = cache.get("scalar")
    assert scalar is not None
    assert scalar.value == 7
    assert not scalar.local
    assert scalar.expires_at == clock.now
    old = cache.get("old")
    assert old is not None
    assert old.value == [1, 2]
    assert old.expires_at == clock.now - 1


def test_update_that_cannot_apply_keeps_an_earlier_expiry(
    cache: ResponseCache, clock: FakeClock
) -> None:
    put(cache, "a", 1, "t", ttl=0.0)
    clock.now += 1

    def refuse(_key: str, _value: Any) -> Any:
        raise CannotUpdate

    assert cache.update("t", refuse) == 0
    entry = cache.get("a")
    assert entry is not None
    assert entry.expires_at == clock.now - 1


def test_update_other_exceptions_propagate(cache: ResponseCache) -> None:
    put(cache, "a", 1, "t")

    def broken(_key: str, _value: Any) -> Any:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        cache.update("t", broken)
    entry = cache.get("a")
    assert entry is not None
    assert entry.value == 1


def test_update_skips_entries_past_stale_until(cache: ResponseCache, clock: FakeClock) -> None:
    cache.put("short", 1, ttl=1.0, max_stale=1.0, tags=("t",))
    put(cache, "long", 2, "t")
    clock.now += 2
    assert cache.update("t", lambda _key, value: value + 1) == 1
    assert cache.get("short") is None
    assert cache._keys_of == {"t": {"long"}}


def test_reput_with_other_tags_moves_the_key(cache: ResponseCache) -> None:
    put(cache, "k", 1, "a", "b")
    put(cache, "k", 2, "b", "c")
    assert cache.invalidate("a") == 0
    assert cache._keys_of == {"b": {"k"}, "c": {"k"}}
    assert cache.invalidate("c") == 1


def test_drop_and_clear(cache: ResponseCache) -> None:
    put(cache, "a", 1, "t")
    put(cache, "b", 2, "t")
    cache.drop("a")
    cache.drop("a")
    cache.drop("never")
    assert cache.get("a") is None
    assert cache._keys_of == {"t": {"b"}}
    assert cache.invalidate("t") == 1
    cache.clear()
    assert len(cache) == 0
    assert cache.get("b") is None
    assert cache._keys_of == {}
    assert cache._tags_of == {}


def test_drop_of_an_entry_past_stale_until(cache: ResponseCache, clock: FakeClock) -> None:
    cache.put("a", 1, ttl=1.0, max_stale=1.0, tags=("t",))
    clock.now += 5
    cache.drop("a")
    assert cache._tags_of == {}


def test_lru_eviction_bounds_size(clock: FakeClock) -> None:
    cache = ResponseCache(maxsize=2, clock=clock)
    put(cache, "a", 1, "t")
    put(cache, "b", 2, "t")
    assert cache.get("a") is not None  # a is now the most recently used
    put(cache, "c", 3, "t")
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert len(cache) == 2
    assert cache.invalidate("t") == 2


@pytest.mark.parametrize("cause", ["eviction", "expiry"])
def test_tag_index_stays_bounded(clock: FakeClock, cause: str) -> None:
    maxsize = 4
    cache = ResponseCache(maxsize=maxsize, clock=clock)
    for i in range(1000):
        if cause == "expiry":
            clock.now += 2
        cache.put(f"k{i}", i, ttl=1.0, max_stale=1.0, tags=(f"own{i}", "all"))
        assert len(cache._tags_of) <= 2 * maxsize
        assert len(cache._keys_of) <= 2 * maxsize + 1
        assert sum(map(len, cache._keys_of.values())) <= 2 * 2 * maxsize
    live = 1 if cause == "expiry" else maxsize
    assert len(cache) == live
    assert cache.invalidate("all") == live
    assert cache.update("own999", lambda _key, value: value) == 1


def test_maxsize_must_be_positive(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="maxsize"):
        ResponseCache(maxsize=0, clock=clock)
