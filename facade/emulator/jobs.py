"""`sys/jobs.php`: add, del, cancel, get, get_all (reference/smsc-jobs.txt; docs/smsc-wire.md).

Required on add: `name` + `phones` + `mes` (or `tpl`), or `name` + `list`. Record layout and
statuses are docs/smsc-wire.md, "jobs.php get=1&id= and get_all=1" (all [A]).
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import (
    JOB_CANCELLED,
    JOB_DONE,
    JOB_SAVE_ERROR,
    JOB_WAITING,
    JOBS_DEFAULT_LIMIT,
    JOBS_DEFAULT_MONTHS,
    PARAMETERS_ERROR,
    PRICE_PER_SMS,
    RECORD_NOT_FOUND,
)
from facade.emulator.command import (
    CommandError,
    Context,
    Handler,
    Reply,
    parse_day,
    parse_number,
)
from facade.emulator.records import AccountData, Job, job_record
from facade.emulator.render import MOSCOW, render_created, render_list, render_ok, render_record
from facade.emulator.schedule import parse_options, parse_send_time, parse_tz

if TYPE_CHECKING:
    from collections.abc import Sequence

FIRST_ID: Final = 2001
_RECIPIENT_SEPARATORS: Final = re.compile(r"[,;\s]+")
_GROUP_CODE: Final = re.compile(r"[Gg](\d{1,9})", re.ASCII)
# `list` lines: `[sender[,tz]|]phones:message` (or `;` before the message).
_LIST_LINE: Final = re.compile(r"(?:[^|:;]*\|)?([^|:;]+)[:;](.*)", re.DOTALL)
# SMS sizes, reference/smsc-jobs.txt `mes`: 160/153 Latin, 70/67 Cyrillic characters.
_SINGLE: Final = {True: 160, False: 70}
_MULTI: Final = {True: 153, False: 67}


def count_recipients(data: AccountData, raw: str) -> int:
    """Phones, or `G<number>` for every contact of the group with that number."""
    count = 0
    for item in _RECIPIENT_SEPARATORS.split(raw.strip()):
        if match := _GROUP_CODE.fullmatch(item):
            number = int(match[1])
            groups = [g.id for g in data.groups.values() if g.number == number]
            count += sum(data.group_size(group_id) for group_id in groups)
        elif item:
            count += 1
    return count


def sms_parts(message: str) -> int:
    latin = message.isascii()
    if len(message) <= _SINGLE[latin]:
        return 1
    return math.ceil(len(message) / _MULTI[latin])


def _from_list(data: AccountData, raw: str) -> tuple[int, str]:
    """Recipients of a `list` job, and its first message as the job's message [A]."""
    count, messages = 0, []
    for line in raw.splitlines():
        if not line.strip():
            continue
        match = _LIST_LINE.fullmatch(line)
        if not match:
            raise CommandError(PARAMETERS_ERROR)
        count += count_recipients(data, match[1])
        messages.append(match[2])
    if not messages:
        raise CommandError(PARAMETERS_ERROR)
    return count, messages[0]


def _message(ctx: Context) -> str:
    message, tpl = ctx.text("mes"), ctx.text("tpl")
    if message and tpl:
        raise CommandError(PARAMETERS_ERROR)
    if tpl:
        template = ctx.data.templates.get(parse_number(tpl))
        if template is None:
            raise CommandError(RECORD_NOT_FOUND)
        return template.message
    if message or "1" in (ctx.text("hlr"), ctx.text("ping")):
        return message
    raise CommandError(PARAMETERS_ERROR)


def add(ctx: Context) -> Reply:
    name = ctx.required("name")
    if ctx.text("list"):
        cnt, message = _from_list(ctx.data, ctx.text("list"))
    else:
        phones = ctx.required("phones")
        message = _message(ctx)
        cnt = count_recipients(ctx.data, phones)
    options = parse_options(ctx.params)
    scheduled = parse_send_time(ctx.text("time"), parse_tz(ctx.text("tz")), ctx.now)
    job = Job(
        id=ctx.data.next_id("job", start=FIRST_ID),
        name=name,
        status=JOB_WAITING if scheduled is not None else JOB_DONE,
        created=ctx.now,
        message=message,
        cnt=cnt,
        time=scheduled,
        options=options,
    )
    ctx.data.jobs[job.id] = job
    cost = None
    if options.get("cost") == "1":
        cost = f"{cnt * sms_parts(message) * PRICE_PER_SMS:.2f}"
    return Reply(render_created(ctx.fmt, job.id, label="OK, ID - ", xml_root="result", cost=cost))


def _find(ctx: Context) -> Job:
    job = ctx.data.jobs.get(ctx.number("id"))
    if job is None:
        raise CommandError(RECORD_NOT_FOUND)
    return job


def delete(ctx: Context) -> Reply:
    del ctx.data.jobs[_find(ctx).id]
    return Reply(render_ok(ctx.fmt, json_result=False))


def cancel(ctx: Context) -> Reply:
    """Only a waiting job can be cancelled ("disable a mailing that is waiting"); else 3 [A]."""
    job = _find(ctx)
    if job.status != JOB_WAITING:
        raise CommandError(JOB_SAVE_ERROR)
    job.status = JOB_CANCELLED
    return Reply(render_ok(ctx.fmt, json_result=False))


def get(ctx: Context) -> Reply:
    return Reply(render_record(ctx.fmt, job_record(_find(ctx)), tag="job"))


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def select_jobs(jobs: Sequence[Job], start: date | None, end: date, today: date) -> list[Job]:
    """`start`..`end` inclusive on the creation date, newest first; without `start` the last
    2 months and no more than 10 (reference/smsc-jobs.txt, `start`)."""
    first = start or months_before(today, JOBS_DEFAULT_MONTHS)
    chosen = [
        job for job in jobs if first <= datetime.fromtimestamp(job.created, MOSCOW).date() <= end
    ]
    chosen.sort(key=lambda job: (job.created, job.id), reverse=True)
    return chosen if start else chosen[:JOBS_DEFAULT_LIMIT]


def get_all(ctx: Context) -> Reply:
    today = ctx.moscow_now().date()
    start = parse_day(ctx.text("start")) if ctx.text("start") else None
    end = parse_day(ctx.text("end")) if ctx.text("end") else today
    jobs = select_jobs(list(ctx.data.jobs.values()), start, end, today)
    return Reply(render_list(ctx.fmt, [job_record(job) for job in jobs], tag="job"))


COMMANDS: Final[dict[str, Handler]] = {
    "add": add,
    "del": delete,
    "cancel": cancel,
    "get": get,
    "get_all": get_all,
}
