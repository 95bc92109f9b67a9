"""Deferred download tasks (downloads.php `get_list`, `get_file`)."""

import dataclasses
import datetime as dt
import enum


# A download task's status (smsc-downloads.txt); `UNKNOWN` is a status SMSC added later
# (`DownloadTask.status_raw` keeps its code).
class DownloadTaskStatus(enum.StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


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
