"""get.php `get_answers=1`: incoming messages (smsc-answers.txt).

fmt 0 has `message` in the middle (`id, received, phone, message, to_phone, sent`); fmt 1 puts it
last (`id,received,phone,to_phone,sent,message`); fmt 2 is `<sms_answers>` of `<sms>`; fmt 3 writes
`id` as a number, the rest as strings. Both times are `DD.MM.YYYY hh:mm:ss`, Moscow time.
"""

from typing import TYPE_CHECKING

from facade.domain.answers import Answer
from facade.smsc.parse.fields import ID, MOMENT, PHONE, TEXT, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list, reorder

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_answers"]

_FIELDS = (
    Field("id", ID),
    Field("received", MOMENT),
    Field("phone", PHONE),
    Field("message", TEXT, optional=True),
    Field("to_phone", PHONE, optional=True, omissible=True),
    Field("sent", MOMENT, optional=True, omissible=True),
)
SPEC = RecordSpec(
    fields=_FIELDS,
    xml_list="sms_answers",
    xml_item="sms",
    csv_layouts=(reorder(_FIELDS, ("id", "received", "phone", "to_phone", "sent", "message")),),
)


def parse_answers(reply: "Reply") -> list[Answer]:
    """The messages of a `get_answers` reply; error 3 or an empty list read as `[]`."""
    return read_list(reply, SPEC, _answer)


def _answer(record: Record) -> Answer:
    return Answer(
        id=record.text("id"),
        received_at=record.required_moment("received"),
        phone=record.text("phone"),
        message=record.text("message"),
        to_phone=record.optional_text("to_phone"),
        sent_at=record.moment("sent"),
    )
