"""`/v1/answers`: incoming messages (get.php `get_answers`), the same call as GraphQL's `answers`;
`/v1/answers/stream`: new ones as they arrive (Server-Sent Events), GraphQL's `answerReceived`.

SMSC assigns answer ids in ascending order, so a page resumes by id, as GraphQL's connection
does: the next page starts at the first answer with a greater id than the cursor's, wherever it
now is. New messages and messages leaving the `sinceHours` window never shift a page. The cursor,
the order and the resume rule are `facade.vocabulary.paging`'s, shared with GraphQL.
"""

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Final

from pydantic import AfterValidator, Field

from facade.domain.answers import MAX_ANSWER_HOURS, AnswerQuery
from facade.domain.answers import Answer as DomainAnswer
from facade.domain.rules import require_listed_phone
from facade.rest.events import last_event_id
from facade.rest.operations import Call, Event, NoParams, Params, Reply, Resource
from facade.rest.pagination import Page, PageQuery, page_reply
from facade.upstream.pollers import DEFAULT_QUEUE_SIZE, Pollers, Subscription
from facade.vocabulary.answers import Answer
from facade.vocabulary.fields import Phone
from facade.vocabulary.paging import ANSWERS, paginate

PREFIX: Final = "/v1/answers"
TTL: Final = "get.get_answers"

resource = Resource(
    PREFIX, tag="Answers", description="Incoming messages (replies to the account)."
)


def _listed_phone(value: str) -> str:
    return require_listed_phone(value, "toPhone")


ListedPhone = Annotated[Phone, AfterValidator(_listed_phone)]


class _Answers(Params):
    since_hours: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ANSWER_HOURS,
        description=f"Messages of the last hours (1-{MAX_ANSWER_HOURS}); SMSC's default is 24.",
    )
    to_phone: ListedPhone | None = Field(
        default=None, description="Only messages sent to this number of the account."
    )


class AnswersQuery(PageQuery, _Answers):
    """`sinceHours` and `toPhone`, then the page: the fault named first, as in GraphQL."""


@resource.get(
    "",
    "listAnswers",
    "Incoming messages, oldest first, a page at a time.",
    response=Page[Answer],
    cache=TTL,
    description="Pages resume by id: messages arriving, or leaving the `sinceHours` window, "
    "while a client walks the pages never shift them. Every page slices one cached listing.",
)
async def list_answers(call: Call[NoParams, AnswersQuery, None]) -> Reply:
    request = call.query.page(ANSWERS)  # a bad cursor is refused before SMSC is asked
    query = AnswerQuery(hours=call.query.since_hours, to_phone=call.query.to_phone)
    fetched = await call.smsc.answers(query)
    page = paginate(fetched.value, ANSWERS, request)
    return page_reply(Page[Answer], call, PREFIX, page, Answer.from_domain, fetched)


class StreamQuery(Params):
    to_phone: ListedPhone | None = Field(
        default=None, description="Only messages sent to this number of the account."
    )


@resource.stream(
    "/stream",
    "streamAnswers",
    "New incoming messages as they arrive (Server-Sent Events).",
    event="answer",
    data=Answer,
    description="`text/event-stream`: each message is an `answer` event whose `id` is the "
    "message's and whose `data` is the message as `listAnswers` gives it; a comment every 15 s "
    "keeps the connection open. One poll of SMSC per account serves every stream and GraphQL "
    "subscription (every 30 s by default), so a message arrives within one poll interval. "
    "With `Last-Event-ID` (sent by browsers when they reconnect) the messages after that id, of "
    "the last 168 hours (the most SMSC lists), come first, from one read of the account's messages. A stream that lets "
    f"{DEFAULT_QUEUE_SIZE} messages pile up unread ends with an `error` event holding a problem "
    "(RATE_LIMITED): reconnect with `Last-Event-ID` to go on where it stopped.",
)
@contextlib.asynccontextmanager
async def stream_answers(
    call: Call[NoParams, StreamQuery, None], live: Pollers
) -> AsyncIterator[AsyncIterator[Event]]:
    resume = last_event_id(call.request)
    phone = call.query.to_phone
    missed: list[DomainAnswer] = []
    if resume is not None:
        # SMSC's longest window: `after_id` already bounds what comes back.
        query = AnswerQuery(hours=MAX_ANSWER_HOURS, after_id=resume, to_phone=phone)
        fetched = await call.smsc.answers(query)
        missed = sorted(
            (answer for answer in fetched.value if int(answer.id) > int(resume)),
            key=lambda answer: int(answer.id),
        )
    after = missed[-1].id if missed else resume
    async with live.answers(to_phone=phone, after=after) as updates:
        yield _events(missed, updates)


async def _events(
    missed: Sequence[DomainAnswer], updates: Subscription[DomainAnswer]
) -> AsyncIterator[Event]:
    for answer in missed:
        yield Event(Answer.from_domain(answer), id=answer.id)
    async for answer in updates:
        yield Event(Answer.from_domain(answer), id=answer.id)
