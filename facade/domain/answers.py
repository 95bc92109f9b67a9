"""Incoming messages (get.php `get_answers`)."""

import dataclasses
import datetime as dt

from facade.domain.bounds import MAX_ANSWER_COUNT as MAX_ANSWER_COUNT
from facade.domain.bounds import MAX_ANSWER_HOURS as MAX_ANSWER_HOURS


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    id: str
    received_at: dt.datetime
    phone: str
    message: str
    to_phone: str | None
    sent_at: dt.datetime | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AnswerQuery:
    """Filters of an answers listing; all optional."""

    hours: int | None = None
    after_id: str | None = None
    to_phone: str | None = None
    count: int | None = None
