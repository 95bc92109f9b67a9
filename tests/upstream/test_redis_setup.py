"""What replicas need of Redis and of each other, against a real redis-server."""

import logging
import pathlib
from collections.abc import AsyncIterator, Iterator

import pytest
import redis
from redis.asyncio import Redis

from facade.errors import ConfigError
from facade.upstream.redis_setup import (
    DATA_DIR_KEY,
    DATA_DIR_TTL,
    OTHER_DATA_DIR,
    announce_data_dir,
    check_server,
)
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from tests.loopback import free_port, running
from tests.redis_server import redis_server

pytestmark = [pytest.mark.anyio, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def shared(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    await client.flushdb()
    await client.config_set("maxmemory", 0)
    await client.config_set("maxmemory-policy", "noeviction")
    yield client
    await client.config_set("maxmemory", 0)
    await client.config_set("maxmemory-policy", "noeviction")
    await client.aclose()


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-ttl", "allkeys-random"])
async def test_a_redis_that_may_evict_is_refused(shared, policy):
    await shared.config_set("maxmemory", 100 * 2**20)
    await shared.config_set("maxmemory-policy", policy)

    with pytest.raises(ConfigError) as refused:
        await check_server(shared)

    assert "noeviction" in refused.value.message
    assert policy in refused.value.message


async def test_an_eviction_policy_without_maxmemory_never_evicts(shared, caplog):
    await shared.config_set("maxmemory-policy", "allkeys-lru")

    await check_server(shared)


async def test_a_redis_without_persistence_is_warned_about(shared, caplog):
    caplog.set_level(logging.WARNING, "facade.upstream.redis")

    await check_server(shared)  # tests' servers run with --save "" --appendonly no

    assert any("nothing across a restart" in r.getMessage() for r in caplog.records)
    caplog.clear()
    await shared.config_set("appendonly", "yes")
    try:
        await check_server(shared)
    finally:
        await shared.config_set("appendonly", "no")
    assert caplog.records == []


async def test_replicas_of_one_redis_announce_one_data_directory(shared):
    assert await announce_data_dir(shared, "a" * 32)
    assert await announce_data_dir(shared, "a" * 32)  # renewed
    assert 0 < await shared.ttl(DATA_DIR_KEY) <= DATA_DIR_TTL

    assert not await announce_data_dir(shared, "b" * 32)
    await shared.delete(DATA_DIR_KEY)  # every replica of the old directory gone long enough
    assert await announce_data_dir(shared, "b" * 32)


async def test_a_replica_with_another_data_directory_does_not_start(shared):
    first = Scaleout(connect_again(shared), replicas=2, data_dir="a" * 32)
    second = Scaleout(connect_again(shared), replicas=2, data_dir="b" * 32)
    try:
        await first.start()
        with pytest.raises(ConfigError) as refused:
            await second.start()
    finally:
        await first.aclose()
        await second.aclose()

    assert refused.value.problems == [OTHER_DATA_DIR]


def connect_again(client: Redis) -> Redis:
    kwargs = client.connection_pool.connection_kwargs
    return connect(f"redis://{kwargs['host']}:{kwargs['port']}/0")


def test_facade_serve_refuses_another_data_directory(
    tmp_path: pathlib.Path, redis_url: str
) -> None:
    with redis.Redis.from_url(redis_url) as fresh:
        fresh.flushdb()
    environ = {
        "SMSC_LOGIN": "demo",
        "SMSC_PASSWORD": "demo",
        "SMSC_BASE_URL": "http://127.0.0.1:9",
        "FACADE_REDIS_URL": redis_url,
        "FACADE_REPLICAS": "2",
    }
    port = free_port()
    with running(
        ["serve", "--port", str(port)],
        ready_path="/healthz",
        port=port,
        env={**environ, "FACADE_DATA_DIR": str(tmp_path / "one")},
    ):
        other = free_port()
        with (
            pytest.raises(RuntimeError, match="exited early") as refused,
            running(
                ["serve", "--port", str(other)],
                ready_path="/healthz",
                port=other,
                env={**environ, "FACADE_DATA_DIR": str(tmp_path / "two")},
            ),
        ):
            pass
    assert "FACADE_DATA_DIR" in str(refused.value)
