"""`sys/get.php?get_answers=1`: incoming messages (reference/smsc-answers.txt).

Parameters `hour` (1-168), `after_id`, `to_phone`, `cnt` (1-10000); defaults and the rule that
`hour` and `after_id` both apply are assumptions (facade.emulator.assumptions). Ascending by id;
fmt 1 moves the message last (docs/smsc-wire.md, "get.php get_answers=1").
"""

from __future__ import annotations

from typing import Final

from facade.emulator.assumptions import (
    ANSWERS_DEFAULT_COUNT,
    ANSWERS_DEFAULT_HOURS,
    ANSWERS_MAX_COUNT,
    ANSWERS_MAX_HOURS,
)
from facade.emulator.command import Context, Handler, Reply
from facade.emulator.records import answer_record
from facade.emulator.render import render_list

FIRST_ID: Final = 6001


def get_answers(ctx: Context) -> Reply:
    hours = ctx.number("hour", ANSWERS_DEFAULT_HOURS, low=1, high=ANSWERS_MAX_HOURS)
    after = ctx.number("after_id", 0)
    limit = ctx.number("cnt", ANSWERS_DEFAULT_COUNT, low=1, high=ANSWERS_MAX_COUNT)
    to_phone = ctx.text("to_phone").lstrip("+")
    since = ctx.now - hours * 3600
    answers = [
        answer
        for answer_id, answer in sorted(ctx.data.answers.items())
        if answer_id > after
        and answer.received >= since
        and (not to_phone or answer.to_phone.lstrip("+") == to_phone)
    ][:limit]
    records = [answer_record(answer, message_last=ctx.fmt == 1) for answer in answers]
    return Reply(render_list(ctx.fmt, records, tag="sms", root="sms_answers"))


COMMANDS: Final[dict[str, Handler]] = {"get_answers": get_answers}
