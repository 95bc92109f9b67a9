"""Incoming messages (get.php `get_answers`)."""

import dataclasses
import datetime as dt

# SMSC's limits for get_answers (smsc-answers.txt).
MAX_ANSWER_HOURS = 168
MAX_ANSWER_COUNT = 10_000


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
