"""`/v1/messages` and `/v1/balance`: single messages (send.php, status.php, balance.php), the same
calls as GraphQL's sendMessage, messageCost, message and balance.

A message is followed by its id and one recipient: `GET /v1/messages/{id}?phone=` answers one;
`GET /v1/messages?ref=<id>:<phone>&ref=...` answers up to 100 in one call (one status.php
request), in the order asked. A message SMSC does not know is answered all the same, with
status NOT_FOUND (status.php's own answer), never a 404.
"""

import contextlib
from collections.abc import AsyncIterator
from typing import Final
from urllib.parse import urlencode

from pydantic import Field

from facade.domain.messages import MessageRef, MessageSent, MessageState
from facade.errors import ErrorCode, InputError
from facade.rest.links import segment
from facade.rest.operations import Call, Event, NoParams, Params, Reply, Resource
from facade.upstream.pollers import Pollers, Subscription
from facade.upstream.settling import MessageSettling
from facade.vocabulary.messages import (
    MAX_MESSAGES_ASKED,
    Balance,
    Message,
    MessageCost,
    MessageId,
    MessageRefText,
    Recipient,
    SendMessage,
    SentMessage,
    parse_ref,
)

PREFIX = "/v1"
MESSAGES = f"{PREFIX}/messages"
EXAMPLE_ID: Final = "fxq3vkmw2hd7ta5ejry4c"
# What SMSC refuses a message for: send.php's errors 3, 6, 7 and 8 (`facade.errors`), answered
# 402 (the account must be topped up) and 422 (the message or its recipients must change).
REFUSALS: Final = (
    ErrorCode.INSUFFICIENT_FUNDS,
    ErrorCode.MESSAGE_DENIED,
    ErrorCode.RECIPIENT_REJECTED,
)
_REFUSALS_TOLD: Final = (
    "SMSC's refusals are problems with the `messageId` SMSC gave: 402 INSUFFICIENT_FUNDS (top the "
    "account up), 422 MESSAGE_DENIED (its text or sender) and 422 RECIPIENT_REJECTED (its "
    "recipients)."
)

resource = Resource(
    PREFIX,
    tag="Messages",
    description="Single messages: send one, price it, follow it to delivery; and the account's "
    "balance.",
    examples={"id": EXAMPLE_ID},
)


class MessagePath(Params):
    id: MessageId = Field(
        description="The message's id: the facade's (what sending answered), or SMSC's own.",
        examples=[EXAMPLE_ID],
    )


class MessagePhone(Params):
    phone: Recipient = Field(
        description="One recipient of the message: a phone (an e-mail address for an e-mail, a "
        "#id for Telegram). Give one; ask for several with GET /v1/messages?ref=.",
        examples=["79161234567"],
    )


class MessageRefs(Params):
    ref: list[MessageRefText] = Field(
        description=f"Each message as `<id>:<phone>` (its id, a colon, one recipient), 1 to "
        f"{MAX_MESSAGES_ASKED}: `?ref=fx...:79161234567&ref=fx...:79161234568`.",
        min_length=1,
        max_length=MAX_MESSAGES_ASKED,
        examples=[[f"{EXAMPLE_ID}:79161234567"]],
    )


def sent_reply(sent: MessageSent, phone: str) -> Reply:
    """201 with the sent message; `Location` is the message to its first recipient, `phone`."""
    location = f"{MESSAGES}/{segment(sent.id)}?{urlencode({'phone': phone})}"
    return Reply.created(SentMessage.from_domain(sent), location)


def _settling(call: Call[NoParams, NoParams, SendMessage]) -> MessageSettling[Reply]:
    phone = call.body.phones[0]
    return MessageSettling(call.smsc, phone, lambda sent: sent_reply(sent, phone))


@resource.post(
    "/messages",
    "sendMessage",
    "Send a message to one or more recipients, at once or at sendTime.",
    response=SentMessage,
    status=201,
    errors=REFUSALS,
    settling=_settling,
    description="Answers the message's id and parts (with `withCost`, its cost and the balance "
    "after it), and the recipients SMSC refused within the send it accepted (`rejected`); "
    f"`Location` is the message to its first recipient. {_REFUSALS_TOLD} Under an "
    "`Idempotency-Key`, a send whose answer from SMSC was lost is settled when repeated: the "
    "message SMSC has (found by status.php, which tells the first recipient's parts and cost, and "
    "no balance), or a 422 saying it was not sent.",
)
async def send_message(call: Call[NoParams, NoParams, SendMessage]) -> Reply:
    spec = call.body.to_domain()
    return sent_reply(await call.smsc.send_message(spec), spec.phones[0])


@resource.post(
    "/messages/cost",
    "getMessageCost",
    "What sending this message would cost, and its SMS parts; nothing is sent.",
    response=MessageCost,
    read=True,
    errors=REFUSALS,
    description="A read, not a change: the body is the message sendMessage would send, SMSC "
    "prices it and sends nothing. It takes no `Idempotency-Key`; `X-Facade-Cache` and `Age` say "
    f"where the answer came from (prices are kept a while). {_REFUSALS_TOLD}",
)
async def get_message_cost(call: Call[NoParams, NoParams, SendMessage]) -> Reply:
    fetched = await call.smsc.message_cost(call.body.to_domain())
    return Reply.read(MessageCost.from_domain(fetched.value), fetched)


@resource.get(
    "/messages",
    "getMessages",
    "Several messages, each to one recipient, as SMSC reports them now.",
    response=list[Message],
    cache="status.get",
    description=f"Up to {MAX_MESSAGES_ASKED} messages in one call, and in one request to SMSC, "
    "in the order asked (the same one twice is answered twice). A message SMSC does not know "
    "has status NOT_FOUND.",
)
async def get_messages(call: Call[NoParams, MessageRefs, None]) -> Reply:
    refs = [parse_ref(ref, f"ref[{index}]") for index, ref in enumerate(call.query.ref)]
    fetched = await call.smsc.message_states(refs)
    return Reply.read([Message.from_domain(state) for state in fetched.value], fetched)


@resource.get(
    "/messages/{id}",
    "getMessage",
    "A message to one recipient, as SMSC reports it now.",
    response=Message,
    cache="status.get",
    description="A message SMSC does not know is answered with status NOT_FOUND (what SMSC "
    "says of it), not 404. One `phone`: for several, GET /v1/messages?ref=.",
)
async def get_message(call: Call[MessagePath, MessagePhone, None]) -> Reply:
    if len(call.request.query_params.getlist("phone")) > 1:
        raise InputError(
            "phone", "give one phone; ask for several with GET /v1/messages?ref=<id>:<phone>"
        )
    fetched = await call.smsc.message_states([MessageRef(call.path.id, call.query.phone)])
    (state,) = fetched.value
    return Reply.read(Message.from_domain(state), fetched)


@resource.get(
    "/balance", "getBalance", "The SMSC account's balance.", response=Balance, cache="balance.get"
)
async def get_balance(call: Call[NoParams, NoParams, None]) -> Reply:
    fetched = await call.smsc.balance()
    return Reply.read(Balance.from_domain(fetched.value), fetched)


@resource.stream(
    "/messages/{id}/events",
    "streamMessageEvents",
    "A message's status, then each change, as Server-Sent Events.",
    event="status",
    data=Message,
    resumable=False,
    description="`text/event-stream`: a `status` event with the message to that recipient as "
    "it is now (as getMessage gives it), then one each time its status changes; the stream "
    "ends after a final status (`final: true`). SMSC's callbacks bring a change at once when "
    "the account has them; else one poll of SMSC per account serves every followed message "
    "(every 30 s by default, 100 messages to a status.php request). A comment every 15 s keeps "
    "the connection open. Its events carry no id: a client that reconnects gets the status "
    "as it is then, and the changes after it.",
)
@contextlib.asynccontextmanager
async def stream_message(
    call: Call[MessagePath, MessagePhone, None], live: Pollers
) -> AsyncIterator[AsyncIterator[Event]]:
    async with live.message(MessageRef(call.path.id, call.query.phone)) as updates:
        yield _statuses(updates)


async def _statuses(updates: Subscription[MessageState]) -> AsyncIterator[Event]:
    async for state in updates:
        yield Event(Message.from_domain(state))
