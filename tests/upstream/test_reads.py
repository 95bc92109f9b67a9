"""Derived values live exactly as long as the cached reads they were built from."""

import asyncio
import gc

import pytest

from facade.domain.templates import MessageFormat, TemplateChanges, TemplateDraft
from facade.errors import RateLimitedError, SmscError, UpstreamUnavailable
from facade.upstream import reads
from facade.upstream.reads import DerivedCache
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio

DRAFT = TemplateDraft(name="fresh", message="hello", format=MessageFormat.SMS)


class Sized:
    def __init__(self, text: str) -> None:
        self.text = text

    def size(self) -> int:
        return len(self.text)


async def test_a_miss_and_a_hit_are_both_recorded_and_keep_a_derived_value():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as miss:
        await h.client.templates()
        await h.client.groups()
    assert miss.complete
    assert len(miss.reads) == 2
    with reads.recording() as hit:
        fetched = await h.client.templates()
    assert hit.complete
    assert fetched.read is not None
    assert hit.reads == [fetched.read]
    assert cache.put("answer", miss, "rendered")
    found = cache.get("answer")
    assert found is not None
    assert found.value == "rendered"


async def test_a_read_is_noted_in_the_innermost_recording_only():
    h = harness()
    await h.client.blacklist()  # no recording open: noted nowhere
    with reads.recording() as outer:
        templates = await h.client.templates()
        with reads.recording() as inner:
            groups = await h.client.groups()
        blacklist = await h.client.blacklist()
    assert outer.reads == [templates.read, blacklist.read]
    assert inner.reads == [groups.read]


async def test_a_write_through_update_ends_the_derived_value():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        templates = (await h.client.templates()).value
    assert cache.put("answer", log, "v1")
    await h.client.update_template(templates[0].id, TemplateChanges(name="renamed"))
    assert cache.get("answer") is None
    assert len(cache) == 0, "a derived value found invalid is forgotten"


async def test_an_invalidation_ends_it_and_a_rebuilt_one_lives_again():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        await h.client.jobs()
    assert cache.put("jobs", log, "v1")
    h.client.cache.entries.invalidate("jobs")
    assert cache.get("jobs") is None
    h.clock.advance(61)  # jobs.php allows one identical request a minute
    with reads.recording() as again:
        await h.client.jobs()
    assert cache.put("jobs", again, "v2")
    found = cache.get("jobs")
    assert found is not None
    assert found.value == "v2"


async def test_expiry_ends_it_and_age_grows_with_the_clock():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        await h.client.templates()
    assert cache.put("t", log, "v")
    h.clock.advance(5)
    found = cache.get("t")
    assert found is not None
    assert [read.age() for read in found.reads] == [5.0]
    ttl = h.client.config.ttl("templates.get")
    h.clock.advance(ttl)
    assert cache.get("t") is None


async def test_a_stale_answer_is_untracked_and_nothing_is_kept():
    h = harness()
    await h.client.templates()
    h.clock.advance(h.client.config.ttl("templates.get") + 1)
    h.emulator.add_fault("status", status=503)
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        fetched = await h.client.templates()
    assert fetched.freshness == "stale"
    assert fetched.read is None
    assert not log.complete
    assert not cache.put("t", log, "v")
    assert cache.get("t") is None


async def test_a_failed_read_a_write_and_a_file_download_are_untracked():
    h = harness()
    h.emulator.add_fault("status", status=503)
    with reads.recording() as failed, pytest.raises(UpstreamUnavailable):
        await h.client.templates()
    assert not failed.complete
    h.emulator.clear_faults()
    h.clock.advance(120)
    with reads.recording() as wrote:
        await h.client.create_template(DRAFT)
    assert not wrote.complete
    with reads.recording() as downloaded, pytest.raises(SmscError):
        await h.client.download_file(id="999999")
    assert not downloaded.complete


async def test_a_value_whose_read_changed_while_it_was_built_is_not_kept():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        await h.client.templates()
    h.client.cache.entries.invalidate("templates")
    assert not cache.put("t", log, "v")


async def test_size_bounds_what_is_kept():
    h = harness()
    cache: DerivedCache[str, Sized] = DerivedCache(maxsize=10, max_item=6)
    with reads.recording() as log:
        await h.client.templates()
    assert not cache.put("big", log, Sized("x" * 7)), "over the item bound"
    assert cache.put("a", log, Sized("x" * 6))
    assert cache.put("b", log, Sized("x" * 4))
    assert cache.put("c", log, Sized("x" * 2))
    assert cache.get("a") is None, "the least recently used left to make room"
    assert cache.get("b") is not None
    assert cache.get("c") is not None
    cache.clear()
    assert len(cache) == 0


async def test_a_derived_value_does_not_keep_an_old_entry_alive():
    h = harness()
    with reads.recording() as log:
        await h.client.templates()
    (read,) = log.reads
    h.client.purge()
    gc.collect()
    assert read.entry() is None
    assert not read.valid()
    assert read.age() == 0.0


async def test_concurrent_builders_wait_for_the_one_under_way():
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    order: list[str] = []
    gate = asyncio.Event()

    async def leader() -> None:
        with cache.building("k"):
            order.append("leader started")
            await gate.wait()
            order.append("leader done")

    async def follower() -> None:
        await cache.settled("k")
        order.append("follower resumed")

    lead = asyncio.create_task(leader())
    await asyncio.sleep(0)
    follow = asyncio.create_task(follower())
    await asyncio.sleep(0)
    assert order == ["leader started"]
    gate.set()
    await asyncio.gather(lead, follow)
    assert order == ["leader started", "leader done", "follower resumed"]
    await cache.settled("k")  # nothing under way: returns at once


async def test_a_second_builder_of_a_key_under_way_does_not_take_it_over():
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with cache.building("k"):
        with cache.building("k"):
            pass
        waiter = asyncio.create_task(cache.settled("k"))
        await asyncio.sleep(0)
        assert not waiter.done(), "the first build still runs"
    await waiter


async def test_the_budget_refusal_is_untracked():
    h = harness(read_budget=1)
    h.budget.try_spend("/sys/templates.php?get=1", 1)
    with reads.recording() as log, pytest.raises(RateLimitedError):
        await h.client.templates()
    assert not log.complete


async def test_each_read_of_a_served_value_counts_as_a_cache_hit():
    h = harness()
    cache: DerivedCache[str, str] = DerivedCache(maxsize=10)
    with reads.recording() as log:
        await h.client.templates()
        await h.client.groups()
    assert cache.put("answer", log, "v")
    hits = h.client.stats.cache["hit"]
    assert cache.get("answer") is not None
    assert h.client.stats.cache["hit"] == hits + 2
