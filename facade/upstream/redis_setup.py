"""What replicas need of their Redis and of each other, checked at start-up and kept (issue 14).

- Redis must not evict. Budgets, the connection cap and leader leases live there: an evicted
  entry lets the replicas overspend SMSC's limits. With `maxmemory` set, the policy must be
  `noeviction`; anything else refuses to start.
- Persistence (`appendonly yes`, or RDB `save` points) is advised, not required: a Redis that
  restarts empty forgets what was spent, and each replica then assumes the worst on its own.
  Idempotency records are not in Redis at all: they are durable in the data directory.
- Replicas that share Redis must share the data directory (tokens and idempotency records): a key
  replayed on a replica with another directory would be taken as new. Each replica announces its
  idempotency store's random id under one key while it runs (renewed with its replica slot); a
  replica that finds another id there refuses to start, and a running one that finds it later
  logs an error.
A server that refuses `CONFIG GET` (managed Redis often does) cannot be checked: that is logged.
"""

import logging
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from facade.errors import ConfigError
from facade.upstream.redis_state import PREFIX

logger = logging.getLogger("facade.upstream.redis")

DATA_DIR_KEY: Final = f"{PREFIX}:data-dir"
# Outlives a few missed renewals (every 10 s); an operator moving every replica to a new volume
# waits this long after the last old one stopped.
DATA_DIR_TTL: Final = 60

EVICTION: Final = (
    "FACADE_REDIS_URL: Redis may evict keys (maxmemory-policy {policy} with maxmemory set): "
    "SMSC's budgets and connection cap kept there could be lost mid-window; set "
    "maxmemory-policy noeviction"
)
OTHER_DATA_DIR: Final = (
    "FACADE_DATA_DIR: another replica of this Redis uses another data directory; replicas must "
    "share one (tokens and idempotency records live there)"
)


async def check_server(redis: Redis) -> None:
    """ConfigError when Redis may evict; a warning when it keeps nothing across a restart."""
    try:
        found = await redis.config_get("maxmemory*")
        persistence = await redis.config_get("appendonly")
        saves = await redis.config_get("save")
    except ResponseError:
        logger.warning(
            "Redis refuses CONFIG GET: its eviction policy and persistence are unchecked"
        )
        return
    settings = {_text(k): _text(v) for k, v in {**found, **persistence, **saves}.items()}
    policy = settings.get("maxmemory-policy", "noeviction")
    if int(settings.get("maxmemory", "0") or 0) > 0 and policy != "noeviction":
        raise ConfigError([EVICTION.format(policy=policy)])
    if settings.get("appendonly") != "yes" and not settings.get("save"):
        logger.warning(
            "Redis keeps nothing across a restart (no appendonly, no save points): after one, "
            "each replica assumes SMSC's budgets spent until their windows pass"
        )


async def announce_data_dir(redis: Redis, store_id: str) -> bool:
    """Announce this replica's data directory; False when another one is announced."""
    await redis.set(DATA_DIR_KEY, store_id, nx=True, ex=DATA_DIR_TTL)
    if _text(await redis.get(DATA_DIR_KEY)) != store_id:
        return False
    await redis.expire(DATA_DIR_KEY, DATA_DIR_TTL)
    return True


async def check_data_dir(redis: Redis, store_id: str) -> None:
    if not await announce_data_dir(redis, store_id):
        raise ConfigError([OTHER_DATA_DIR])


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
