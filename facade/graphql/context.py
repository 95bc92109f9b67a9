"""What every resolver gets: the account's `SmscClient`, request-scoped loaders, freshness."""

import dataclasses
from typing import Any, Self, TypeVar

from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from facade.credentials.scopes import SANDBOX_PRINCIPAL, Principal, Scope
from facade.domain.groups import Group
from facade.domain.messages import MessageRef, MessageState
from facade.errors import ForbiddenError
from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from facade.upstream.idempotency import Idempotency
from facade.upstream.pollers import Pollers
from facade.upstream.reads import Read

T = TypeVar("T")

_RANK = {Freshness.HIT: 0, Freshness.MISS: 1, Freshness.STALE: 2}


@dataclasses.dataclass(frozen=True, slots=True)
class FieldFreshness:
    """How fresh the data behind one top-level field is (the least fresh read wins)."""

    status: Freshness
    age: float

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "age": round(self.age, 3)}


@dataclasses.dataclass
class Context:
    smsc: SmscClient
    sandbox: bool = False
    principal: Principal = SANDBOX_PRINCIPAL
    idempotency: Idempotency | None = None  # serves `idempotencyKey` (graphql/idempotent.py)
    pollers: Pollers | None = None  # the account's live updates (graphql/subscriptions.py)
    # A graphql-transport-ws connection: its handshake, and the `connection_init` payload that
    # strawberry sets before `on_ws_connect`, which settles `principal` (graphql/http.py).
    websocket: WebSocket | None = None
    connection_params: dict[str, object] | None = None
    freshness: dict[str, FieldFreshness] = dataclasses.field(default_factory=dict)
    # The cache entries behind each top-level field, for answers kept by `answers.py`; and the
    # operation's type once it executes (`answers.RecordOperation`).
    field_reads: dict[str, list[Read]] = dataclasses.field(default_factory=dict)
    operation: OperationType | None = None
    groups_by_id: DataLoader[str, Group | None] = dataclasses.field(init=False)
    messages: DataLoader[MessageRef, Fetched[MessageState]] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.groups_by_id = DataLoader(load_fn=self._load_groups)
        self.messages = DataLoader(load_fn=self._load_messages)

    def for_operation(self) -> Self:
        """This caller's context for one more operation: its own freshness, reads and loaders.

        A WebSocket connection runs many operations, at once or one after another; sharing one
        context, a query's freshness showed in a later subscription's events.
        """
        return dataclasses.replace(self, freshness={}, field_reads={}, operation=None)

    @property
    def may_mutate(self) -> bool:
        """Mutations need the `write` scope; the HTTP view refuses them before executing."""
        return self.principal.allows(Scope.WRITE)

    def require(self, scope: Scope) -> None:
        """`ForbiddenError` unless the caller's token allows `scope`."""
        if not self.principal.allows(scope):
            raise ForbiddenError(f"This token lacks the {scope.value} scope.")

    async def _load_groups(self, ids: list[str]) -> list[Group | None]:
        """One upstream group list per request, however many contacts ask for their groups."""
        groups = {group.id: group for group in await self.read_groups()}
        return [groups.get(id) for id in ids]

    async def read_groups(self) -> list[Group]:
        return (await self.smsc.groups()).value

    async def _load_messages(self, refs: list[MessageRef]) -> list[Fetched[MessageState]]:
        """Every message an operation asks for, in one status.php request per 100: each with the
        freshness of the read that brought it."""
        fetched = await self.smsc.message_states(refs)
        return [Fetched(state, fetched.freshness, fetched.age) for state in fetched.value]

    def unwrap(self, info: Info[Any, Any], fetched: Fetched[T]) -> T:
        """The value of a read, its freshness recorded under the top-level field it serves."""
        path = info.path
        while path.prev is not None:
            path = path.prev
        key = str(path.key)
        seen = FieldFreshness(fetched.freshness, fetched.age)
        known = self.freshness.get(key)
        if known is not None:
            worst = max(known.status, seen.status, key=_RANK.__getitem__)
            seen = FieldFreshness(worst, max(known.age, seen.age))
        self.freshness[key] = seen
        if fetched.read is not None:
            self.field_reads.setdefault(key, []).append(fetched.read)
        return fetched.value
