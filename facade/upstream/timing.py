"""Time as the upstream layer sees it: an injectable monotonic clock and sleep."""

import time
from collections.abc import Awaitable, Callable

import anyio

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_CLOCK: Clock = time.monotonic


async def default_sleep(seconds: float) -> None:
    await anyio.sleep(seconds)
