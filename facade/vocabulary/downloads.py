"""Download tasks (the deferred exports of get_tasks)."""

import datetime as dt
from typing import Self

from pydantic import Field

from facade.domain import downloads
from facade.domain.downloads import DownloadTaskStatus
from facade.vocabulary.shapes import ID, Output, example


class DownloadTask(Output):
    """A deferred download (export) task."""

    model_config = example(
        {
            "id": "71",
            "name": "May report",
            "status": "COMPLETED",
            "statusCode": 2,
            "createdAt": "2025-06-01T10:00:00+03:00",
            "startAt": "2025-06-01T10:01:00+03:00",
            "fileName": "report_71.csv",
        }
    )

    id: ID
    name: str
    status: DownloadTaskStatus
    status_code: int = Field(description="SMSC's own status number.")
    created_at: dt.datetime | None
    start_at: dt.datetime | None
    file_name: str | None = Field(description="The file's name, once the task has one.")

    @classmethod
    def from_domain(cls, task: downloads.DownloadTask) -> Self:
        return cls(
            id=ID(task.id),
            name=task.name,
            status=task.status,
            status_code=task.status_raw,
            created_at=task.created_at,
            start_at=task.start_at,
            file_name=task.file_name,
        )


__all__ = ["DownloadTask"]
