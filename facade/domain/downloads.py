"""Deferred download tasks (downloads.php `get_list`, `get_file`)."""

import dataclasses
import datetime as dt

from facade.domain.common import OpenEnum


class DownloadTaskStatus(OpenEnum):
    """smsc-downloads.txt: 0 pending, 1 in progress, 2 completed, 3 cancelled, 4 failed."""

    PENDING = 0
    IN_PROGRESS = 1
    COMPLETED = 2
    CANCELLED = 3
    FAILED = 4
    UNKNOWN = -1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DownloadTask:
    id: str
    name: str
    status: DownloadTaskStatus
    status_raw: int
    created_at: dt.datetime | None
    start_at: dt.datetime | None
    file_name: str | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DownloadFile:
    """A completed task's file, as SMSC sent it (CSV)."""

    content: bytes
    file_name: str | None
    media_type: str
