"""Test doubles for time: a clock and a sleep that tests drive by hand."""

import anyio
import anyio.lowlevel


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSleep:
    """Records every sleep; returns at once unless `hold()` made sleepers wait for `release()`."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.waiting = 0
        self._gate: anyio.Event | None = None

    def hold(self) -> None:
        self._gate = anyio.Event()

    def release(self) -> None:
        assert self._gate is not None
        self._gate.set()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self._gate is None:
            await anyio.lowlevel.checkpoint()
            return
        self.waiting += 1
        try:
            await self._gate.wait()
        finally:
            self.waiting -= 1
