"""Incoming messages (get_answers)."""

import datetime as dt
from typing import Self

from pydantic import Field

from facade.domain import answers
from facade.vocabulary.shapes import ID, Output, example


class Answer(Output):
    """An incoming message."""

    model_config = example(
        {
            "id": "6001",
            "receivedAt": "2025-06-02T10:00:05+03:00",
            "phone": "79161234567",
            "message": "YES",
            "toPhone": "79370000001",
            "sentAt": "2025-06-02T10:00:00+03:00",
        }
    )

    id: ID
    received_at: dt.datetime
    phone: str = Field(description="Who sent it.")
    message: str
    to_phone: str | None = Field(description="The account's number it was sent to.")
    sent_at: dt.datetime | None

    @classmethod
    def from_domain(cls, answer: answers.Answer) -> Self:
        return cls(
            id=ID(answer.id),
            received_at=answer.received_at,
            phone=answer.phone,
            message=answer.message,
            to_phone=answer.to_phone,
            sent_at=answer.sent_at,
        )


__all__ = ["Answer"]
