"""`/v1/answers`: incoming messages (get.php `get_answers`), the same call as GraphQL's `answers`.

SMSC assigns answer ids in ascending order, so a page resumes by id, as GraphQL's connection
does (`facade.graphql.connections.paginate_answers`): the next page starts at the first answer
with a greater id than the cursor's, wherever it now is. New messages and messages leaving the
`sinceHours` window never shift a page. The cursor is `pagination`'s; the resume rule is the
GraphQL one, repeated here because the two APIs' cursor modules sit side by side.
"""

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Final

from pydantic import AfterValidator, Field

from facade.domain.answers import MAX_ANSWER_HOURS, AnswerQuery
from facade.domain.answers import Answer as DomainAnswer
from facade.domain.rules import require_listed_phone
from facade.errors import InputError
from facade.rest.operations import Call, Model, NoParams, Reply, Resource
from facade.rest.pagination import Page, PageQuery, Slice, decode_cursor, encode_cursor, page_reply

PREFIX: Final = "/v1/answers"
TTL: Final = "get.get_answers"
KIND: Final = "answer"

resource = Resource(
    PREFIX, tag="Answers", description="Incoming messages (replies to the account)."
)


class Answer(Model):
    """An incoming message."""

    id: str
    received_at: dt.datetime
    phone: str = Field(description="Who sent it.")
    message: str
    to_phone: str | None = Field(description="The account's number it was sent to.")
    sent_at: dt.datetime | None

    @classmethod
    def from_domain(cls, answer: DomainAnswer) -> "Answer":
        return cls(
            id=answer.id,
            received_at=answer.received_at,
            phone=answer.phone,
            message=answer.message,
            to_phone=answer.to_phone,
            sent_at=answer.sent_at,
        )


def _listed_phone(value: str) -> str:
    return require_listed_phone(value, "toPhone")


ListedPhone = Annotated[str, AfterValidator(_listed_phone)]


class AnswersQuery(PageQuery):
    since_hours: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ANSWER_HOURS,
        description=f"Messages of the last hours (1-{MAX_ANSWER_HOURS}); SMSC's default is 24.",
    )
    to_phone: ListedPhone | None = Field(
        default=None, description="Only messages sent to this number of the account."
    )


def resume_after(cursor: str | None) -> int | None:
    """The id a cursor resumes after; None for the first page."""
    if cursor is None:
        return None
    _, key = decode_cursor(cursor, KIND)
    if not (key.isascii() and key.isdigit()):
        raise InputError("cursor", "is not a cursor this API issued")
    return int(key)


def page_of_answers(
    answers: Sequence[DomainAnswer], limit: int, after: int | None
) -> Slice[DomainAnswer]:
    """Oldest first; after a cursor, from the first answer with a greater id."""
    ordered = sorted(answers, key=lambda answer: int(answer.id))
    start = 0
    if after is not None:
        start = bisect.bisect_right([int(answer.id) for answer in ordered], after)
    chosen = ordered[start : start + limit]
    end = start + len(chosen)
    following = encode_cursor(KIND, end, chosen[-1].id) if chosen and end < len(ordered) else None
    return Slice(chosen, len(ordered), following)


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
    after = resume_after(call.query.cursor)  # a bad cursor is refused before SMSC is asked
    query = AnswerQuery(hours=call.query.since_hours, to_phone=call.query.to_phone)
    fetched = await call.smsc.answers(query)
    page = page_of_answers(fetched.value, call.query.limit, after)
    return page_reply(Page[Answer], call.request.url, page, Answer.from_domain, fetched)
