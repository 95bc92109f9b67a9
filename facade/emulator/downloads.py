"""`sys/downloads.php`: deferred download tasks, get_list and get_file (reference/smsc-downloads.txt).

Statuses 0 pending, 1 in progress, 2 completed, 3 cancelled, 4 failed; only a completed task has
a file, a CSV answered as itself, not an envelope (docs/smsc-wire.md, "downloads.php" [A]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import CSV_MEDIA_TYPE, PARAMETERS_ERROR, RECORD_NOT_FOUND
from facade.emulator.command import CommandError, Context, Handler, Reply
from facade.emulator.records import download_record
from facade.emulator.render import render_list

if TYPE_CHECKING:
    from facade.emulator.records import DownloadTask

FIRST_ID: Final = 71
COMPLETED: Final = 2


def get_list(ctx: Context) -> Reply:
    after = ctx.number("after_id", 0)
    limit = ctx.number("cnt", low=1) if ctx.text("cnt") else None
    tasks = [task for task_id, task in sorted(ctx.data.downloads.items()) if task_id > after]
    records = [download_record(task) for task in tasks[:limit]]
    return Reply(render_list(ctx.fmt, records, tag="task"))


def _find(ctx: Context) -> DownloadTask | None:
    if ctx.text("id"):
        return ctx.data.downloads.get(ctx.number("id"))
    name = ctx.text("name")
    return next((t for t in ctx.data.downloads.values() if name in (t.name, t.file)), None)


def get_file(ctx: Context) -> Reply:
    """The CSV itself, `text/csv` with `Content-Disposition: attachment`; 3 unless completed."""
    if not (ctx.text("id") or ctx.text("name")):
        raise CommandError(PARAMETERS_ERROR)
    task = _find(ctx)
    if task is None or task.status != COMPLETED:
        raise CommandError(RECORD_NOT_FOUND)
    disposition = f'attachment; filename="{task.file}"'
    return Reply(task.content, CSV_MEDIA_TYPE, {"content-disposition": disposition})


COMMANDS: Final[dict[str, Handler]] = {"get_list": get_list, "get_file": get_file}
