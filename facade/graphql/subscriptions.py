"""The Subscription type: incoming messages, job status and message status, live, over
graphql-transport-ws.

Every subscriber of an account shares that account's pollers (`facade.upstream.pollers`): one
upstream request per poll interval, whatever the number of subscribers or their filters.
`StreamErrors` gives the errors a WebSocket sends the codes and masking HTTP responses get.
"""

import logging
import re
from collections.abc import AsyncGenerator, Iterator
from typing import ClassVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.execution import ExecutionResult, StreamExecutionResult

from facade.credentials.scopes import Scope
from facade.domain.rules import require_id, require_listed_phone
from facade.errors import ErrorCode, FacadeError
from facade.graphql.context import Context
from facade.graphql.errors import INTERNAL_MESSAGE, coded
from facade.graphql.types import Answer, Job, Message
from facade.upstream.pollers import DEFAULT_QUEUE_SIZE, Pollers
from facade.vocabulary.messages import message_ref

logger = logging.getLogger("facade.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _pollers(context: Context) -> Pollers:
    context.require(Scope.READ)
    if context.pollers is None:
        raise RuntimeError("this context has no pollers: live updates are not wired")
    return context.pollers


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each message received from now on; with `toPhone`, only those sent to "
        "that number of the account. One poll of SMSC per account serves every subscriber, "
        "every 30 s by default, so a message arrives within one poll interval. A subscriber "
        f"that lets {DEFAULT_QUEUE_SIZE} messages pile up unread is dropped with RATE_LIMITED: "
        "subscribe again and read `answers` for what came meanwhile."
    )
    async def answer_received(
        self, info: Info[Context, None], to_phone: str | None = None
    ) -> AsyncGenerator[Answer, None]:
        pollers = _pollers(info.context)
        phone = None if to_phone is None else require_listed_phone(to_phone, "toPhone")
        async with pollers.answers(to_phone=phone) as updates:
            async for answer in updates:
                yield Answer.from_domain(answer)

    @strawberry.subscription(
        description="The job as it is now, then again each time its status changes. One poll "
        "of the account's job list serves every subscriber, every 60 s by default (SMSC allows "
        "one identical jobs request a minute). NOT_FOUND for an unknown job."
    )
    async def job_changed(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AsyncGenerator[Job, None]:
        pollers = _pollers(info.context)
        async with pollers.job(require_id(id, "id")) as updates:
            async for job in updates:
                yield Job.from_domain(job)

    @strawberry.subscription(
        description="The message to one recipient as it is now, then again each time its "
        "status changes, until a final status (`final`), after which the subscription "
        "completes. SMSC's callbacks bring a change at once when the account has them; else "
        "one poll of SMSC per account serves every followed message, every 30 s by default, "
        "100 messages to a request."
    )
    async def message_status_changed(
        self, info: Info[Context, None], id: strawberry.ID, phone: str
    ) -> AsyncGenerator[Message, None]:
        pollers = _pollers(info.context)
        async with pollers.message(message_ref(id, phone)) as updates:
            async for state in updates:
                yield Message.from_domain(state)


class StreamErrors(SchemaExtension):
    """Codes (and masking) on each result a WebSocket operation sends, before it is sent.

    `ErrorExtension` and `HideSuggestions` act when an operation ends, which for a stream is after
    its results went out. An error raised by a subscription's source has no `path`; unless it is
    a `FacadeError` it is masked as INTERNAL here (`coded` would take it for graphql-core's own).
    """

    hide_suggestions: ClassVar[bool] = False

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = [self._coded(error) for error in result.errors]
        yield
        # Sent: the operation's end must not code and log the last result a second time.
        if self.execution_context.result is result:
            self.execution_context.result = None

    def _coded(self, error: GraphQLError) -> GraphQLError:
        if self.hide_suggestions:
            error.message = _SUGGESTION.sub("", error.message)
        original = error.original_error
        if error.path is None and original is not None and not isinstance(original, FacadeError):
            logger.error("unexpected error in a stream", exc_info=original)
            return GraphQLError(INTERNAL_MESSAGE, extensions={"code": ErrorCode.INTERNAL.value})
        return coded(error)


class ProductionStreamErrors(StreamErrors):
    """Also drops graphql-core's "Did you mean ...?" hints, as `HideSuggestions` does for HTTP."""

    hide_suggestions = True
