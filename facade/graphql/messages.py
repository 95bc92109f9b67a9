"""Single messages in GraphQL (DESIGN.md, "Messages"): `balance`, `message`, `messageCost` and
`sendMessage`, thin over `SmscClient`; schema.py merges them into Query and Mutation.

Every `message(...)` field of one operation is loaded together (`Context.messages`, a
DataLoader): however many a document asks for, they travel in one status.php request per 100.
Reads record their freshness under their top-level field (`Context.unwrap`), as every read does.
"""

from typing import Annotated

import strawberry

from facade.graphql.errors import InvalidInputError, RateLimitedError, UpstreamError
from facade.graphql.inputs import SendMessage
from facade.graphql.mutations import ContextInfo, mutation
from facade.graphql.types import Balance, Message, MessageCost, SentMessage
from facade.upstream.settling import MessageSettling
from facade.vocabulary.messages import message_ref

# The members SMSC's refusals of a send reach clients by: INSUFFICIENT_FUNDS, MESSAGE_DENIED and
# RECIPIENT_REJECTED are UpstreamErrors with their own code, `upstreamCode` and `messageId`.
SendMessageResult = Annotated[
    SentMessage | InvalidInputError | RateLimitedError | UpstreamError,
    strawberry.union("SendMessageResult"),
]


@strawberry.type
class MessageQuery:
    @strawberry.field(description="The SMSC account's balance.")
    async def balance(self, info: ContextInfo) -> Balance:
        return Balance.from_domain(info.context.unwrap(info, await info.context.smsc.balance()))

    @strawberry.field(
        description="A message to one recipient, as SMSC reports it now: `id` is the message's "
        "(the facade's, or SMSC's own), `phone` the recipient's phone (an e-mail address for an "
        "e-mail, a #id for Telegram). A message SMSC does not know is a Message with status "
        "NOT_FOUND, never null. Every message of one query is asked for in one request to SMSC."
    )
    async def message(self, info: ContextInfo, id: strawberry.ID, phone: str) -> Message | None:
        ref = message_ref(id, phone)
        state = info.context.unwrap(info, await info.context.messages.load(ref))
        return Message.from_domain(state)

    @strawberry.field(
        description="What sendMessage would cost for the same input, and its SMS parts: SMSC "
        "prices it without sending anything."
    )
    async def message_cost(self, info: ContextInfo, input: SendMessage) -> MessageCost:
        fetched = await info.context.smsc.message_cost(input.to_domain())
        return MessageCost.from_domain(info.context.unwrap(info, fetched))


@strawberry.type
class MessageMutation:
    @mutation(
        "Send a message to one or more recipients, at once or at sendTime; follow it with "
        "message(id, phone). SMSC's refusals are UpstreamErrors coded INSUFFICIENT_FUNDS, "
        "MESSAGE_DENIED or RECIPIENT_REJECTED (with the messageId SMSC gave); a recipient refused "
        "within a send SMSC accepted is in `rejected`. Under an idempotencyKey a send whose answer "
        "from SMSC was lost is settled when repeated: the message SMSC has (found by status.php, "
        "which tells the first recipient's parts and cost, and no balance), or an "
        "InvalidInputError saying it was not sent.",
        settling=lambda context, arguments: MessageSettling(
            context.smsc, arguments["input"].phones[0], SentMessage.from_domain
        ),
    )
    async def send_message(self, info: ContextInfo, input: SendMessage) -> SendMessageResult:
        return SentMessage.from_domain(await info.context.smsc.send_message(input.to_domain()))


__all__ = ["MessageMutation", "MessageQuery", "SendMessageResult"]
