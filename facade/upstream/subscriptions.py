"""One subscriber's end of a poller (`pollers.py`): a bounded queue of updates, fed without
waiting, that drops a subscriber falling too far behind."""

import asyncio
from collections import deque
from typing import Final, Generic, TypeVar

from facade.errors import FacadeError, RateLimitedError

__all__ = ["DEFAULT_QUEUE_SIZE", "FellBehindError", "Subscription"]

T = TypeVar("T")

DEFAULT_QUEUE_SIZE: Final = 1000


class FellBehindError(RateLimitedError):
    """A subscriber let too many updates pile up and was dropped after the ones it had: it may
    subscribe again at once (`retry_after` 0)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retry_after=0.0)


class Subscription(Generic[T]):
    """One subscriber's end of a poller: an async iterator of updates, fed without waiting.

    At most `limit` updates wait; one more ends the subscription with `FellBehindError`, raised
    once the waiting ones are read. With `latest_only` a new update replaces any unread one. An
    ended subscription (its poller closed) stops iterating after the updates it has.
    """

    def __init__(self, *, limit: int = DEFAULT_QUEUE_SIZE, latest_only: bool = False) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._latest_only = latest_only
        self._items: deque[T] = deque()
        self._ready = asyncio.Event()
        self._ended = False
        self._error: FacadeError | None = None

    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def pending(self) -> int:
        """How many updates wait to be read."""
        return len(self._items)

    def offer(self, item: T) -> bool:
        """Queue `item` without waiting; False when the subscription has ended, now or before."""
        if self._ended:
            return False
        if self._latest_only:
            self._items.clear()
        elif len(self._items) >= self._limit:
            self.end(
                FellBehindError(
                    f"This subscriber fell {self._limit} updates behind and was dropped; "
                    "subscribe again (an event stream resumes from its Last-Event-ID)."
                )
            )
            return False
        self._items.append(item)
        self._ready.set()
        return True

    def end(self, error: FacadeError | None = None) -> None:
        if not self._ended:
            self._ended = True
            self._error = error
            self._ready.set()

    def __aiter__(self) -> "Subscription[T]":
        return self

    async def __anext__(self) -> T:
        while not self._items:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()
