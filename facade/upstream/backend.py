"""Where every account's shared state lives, chosen once at start-up (`facade.app`): this
process's memory (`InProcess`), or Redis across the replicas (`scaleout.Scaleout`)."""

from typing import Protocol

from facade.upstream.config import UpstreamConfig
from facade.upstream.pollers import LOCAL, Polling
from facade.upstream.shared import SharedState, in_process
from facade.upstream.timing import Clock


class Backend(Protocol):
    """Gives each account its `SharedState` and each account's pollers their `polling`."""

    @property
    def polling(self) -> Polling: ...

    def account(self, account: str, *, config: UpstreamConfig, clock: Clock) -> SharedState: ...

    async def start(self) -> None:
        """Start what runs in the background (the app's lifespan)."""
        ...

    async def aclose(self) -> None: ...


class InProcess:
    """Every account's state in this process's memory: one replica."""

    @property
    def polling(self) -> Polling:
        return LOCAL

    def account(self, account: str, *, config: UpstreamConfig, clock: Clock) -> SharedState:
        return in_process(config, clock=clock)

    async def start(self) -> None:
        """Nothing runs in the background."""

    async def aclose(self) -> None:
        """Nothing to close."""
