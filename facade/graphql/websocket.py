"""GraphQL over WebSocket (graphql-transport-ws): strawberry's handler, holding authentication
for the connection's life and giving each operation a context of its own."""

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, cast

from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)

from facade.credentials.auth import SessionGuard, guard_of
from facade.graphql.context import Context

if TYPE_CHECKING:
    import strawberry.asgi

logger = logging.getLogger(__name__)


class _OwnContexts:
    """The schema as a connection's handler uses it: strawberry runs every operation of a
    connection with the connection's context; here each gets its own (`Context.for_operation`)."""

    def __init__(self, schema: BaseSchema) -> None:
        self._schema = schema

    async def stream(self, query: str | None, **options: Any) -> Any:
        context = options.get("context_value")
        if isinstance(context, Context):
            options["context_value"] = context.for_operation()
        return await self._schema.stream(query, **options)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    """strawberry's graphql-transport-ws handler, holding authentication for the connection's life.

    Once `connection_init` is accepted, the `SessionGuard` that `on_connect` kept in the socket's
    scope is asked before each message is handled and before each is sent, and watched meanwhile:
    when the token lapses (revoked, by any process, or expired), the socket is closed with 4403,
    its operations are cancelled, and nothing more is run or sent.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast("BaseSchema", _OwnContexts(self.schema))
        self._socket = cast("strawberry.asgi.ASGIWebSocketAdapter", self.websocket).ws
        self._guard: SessionGuard | None = None
        self._watch: asyncio.Task[None] | None = None
        self._lapsed = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._watch is None:
            self._guard = guard_of(self._socket.scope)
            if self._guard is not None:
                self._watch = asyncio.create_task(self._close_when_lapsed(self._guard))

    async def handle_message(self, message: Message) -> None:
        if await self._refused():
            return
        await super().handle_message(message)

    async def send_message(self, message: Message) -> None:
        if await self._refused():
            return
        await super().send_message(message)

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().shutdown()

    async def _refused(self) -> bool:
        """The token has lapsed (the socket is then closed): nothing may be run or sent."""
        if not self._lapsed and (self._guard is None or self._guard.holds()):
            return False
        await self._close_lapsed()
        return True

    async def _close_when_lapsed(self, guard: SessionGuard) -> None:
        await guard.lapsed()
        await self._close_lapsed()

    async def _close_lapsed(self) -> None:
        if self._lapsed:
            return
        self._lapsed = True
        logger.info("WebSocket connection closed: its token was revoked or has expired")
        if self._socket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(WebSocketDisconnect):  # the client left meanwhile
                await self.websocket.close(code=4403, reason="Forbidden")
        # Last: this may be one of them, whose next await then ends it.
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
