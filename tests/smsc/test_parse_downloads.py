import datetime as dt

import pytest

from facade.domain.common import MOSCOW
from facade.domain.downloads import DownloadFile, DownloadTask
from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscNotFound,
    SmscRateLimited,
    UpstreamProtocolError,
)
from facade.smsc.enums import DOWNLOAD_TASK_STATUSES
from facade.smsc.parse.downloads import parse_download_file, parse_download_tasks
from facade.smsc.wire import Reply
from tests.smsc.samples import SAMPLES, reply

FMTS = (0, 1, 2, 3)


def msk(day: int, month: int, year: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW)


def task(
    id_: str,
    name: str,
    status: int,
    created: dt.datetime | None,
    start: dt.datetime | None,
    file_name: str | None,
) -> DownloadTask:
    return DownloadTask(
        id=id_,
        name=name,
        status=DOWNLOAD_TASK_STATUSES.decode(status),
        status_raw=status,
        created_at=created,
        start_at=start,
        file_name=file_name,
    )


TASKS = [
    task(
        "31",
        "March report",
        2,
        msk(1, 4, 2024, 8, 0),
        msk(1, 4, 2024, 8, 0, 10),
        "messages_31.csv",
    ),
    task("32", "April, part 1", 1, msk(2, 5, 2024, 9, 0), msk(2, 5, 2024, 9, 0, 5), None),
    task("33", "Queued", 0, msk(2, 5, 2024, 9, 10), None, None),
]


def tasks(path: str) -> Reply:
    return reply(f"downloads/{path}", "get_list")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(pytest.param(tasks(f"tasks.fmt{n}.txt"), TASKS, id=f"fmt{n}-list") for n in FMTS),
        *(
            pytest.param(tasks(f"tasks-empty.fmt{n}.txt"), [], id=f"fmt{n}-empty-list")
            for n in FMTS
        ),
        *(
            pytest.param(tasks(f"error-not-found.fmt{n}.txt"), [], id=f"fmt{n}-error-3-is-empty")
            for n in FMTS
        ),
        pytest.param(
            tasks("tasks-unknown-status.fmt3.txt"),
            [task("34", "Odd", 9, msk(3, 5, 2024, 10, 0), None, None)],
            id="fmt3-unknown-status-time-and-file-left-out",
        ),
    ],
)
def test_parse_download_tasks(sample, expected):
    assert parse_download_tasks(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(tasks(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
        *(
            pytest.param(tasks(f"error-params.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-params")
            for n in FMTS
        ),
        *(
            pytest.param(tasks(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
    ],
)
def test_parse_download_tasks_errors(sample, expected):
    with pytest.raises(expected):
        parse_download_tasks(sample)


def test_parse_download_tasks_protocol_error():
    with pytest.raises(UpstreamProtocolError):
        parse_download_tasks(tasks("file.fmt3.txt"))


def file(path: str, **kwargs: str) -> Reply:
    return reply(f"downloads/{path}", "get_file", **kwargs)


def raw(path: str) -> bytes:
    return (SAMPLES / "downloads" / path).read_bytes()


CSV = 'attachment; filename="messages_31.csv"'


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        pytest.param(
            file(
                "file.fmt3.txt",
                content_type="text/csv; charset=windows-1251",
                content_disposition=CSV,
            ),
            DownloadFile(
                content=raw("file.fmt3.txt"), file_name="messages_31.csv", media_type="text/csv"
            ),
            id="fmt3-csv-with-name",
        ),
        pytest.param(
            file("file.fmt3.txt"),
            DownloadFile(content=raw("file.fmt3.txt"), file_name=None, media_type="text/csv"),
            id="fmt3-no-headers",
        ),
        pytest.param(
            file(
                "file-cp1251.fmt1.txt",
                content_type=" Text/CSV ",
                content_disposition="attachment; filename=report.csv",
            ),
            DownloadFile(
                content=raw("file-cp1251.fmt1.txt"), file_name="report.csv", media_type="text/csv"
            ),
            id="fmt1-windows-1251-bytes-kept-token-filename",
        ),
        pytest.param(
            file(
                "file.fmt3.txt",
                content_type="application/octet-stream",
                content_disposition="attachment; filename=\"fallback.csv\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.csv",
            ),
            DownloadFile(
                content=raw("file.fmt3.txt"),
                file_name="отчёт.csv",
                media_type="application/octet-stream",
            ),
            id="fmt3-rfc5987-filename-preferred",
        ),
        pytest.param(
            file(
                "file.fmt3.txt",
                content_disposition="attachment; filename*=x-unknown''a.csv; filename=\"plain.csv\"",
            ),
            DownloadFile(
                content=raw("file.fmt3.txt"), file_name="plain.csv", media_type="text/csv"
            ),
            id="fmt3-undecodable-rfc5987-falls-back-to-filename",
        ),
        pytest.param(
            file(
                "file.fmt3.txt",
                content_disposition='attachment; filename="a \\"quoted\\" name.csv"',
            ),
            DownloadFile(
                content=raw("file.fmt3.txt"), file_name='a "quoted" name.csv', media_type="text/csv"
            ),
            id="fmt3-quoted-pair-in-filename",
        ),
        pytest.param(
            file("file.fmt3.txt", content_disposition="attachment", content_type=""),
            DownloadFile(content=raw("file.fmt3.txt"), file_name=None, media_type="text/csv"),
            id="fmt3-disposition-without-name",
        ),
        pytest.param(
            file("file-starts-like-error.fmt0.txt"),
            DownloadFile(
                content=raw("file-starts-like-error.fmt0.txt"),
                file_name=None,
                media_type="text/csv",
            ),
            id="fmt0-file-starting-like-an-error-is-a-file",
        ),
        pytest.param(
            file("file-looks-like-json.fmt3.txt"),
            DownloadFile(
                content=raw("file-looks-like-json.fmt3.txt"), file_name=None, media_type="text/csv"
            ),
            id="fmt3-file-like-a-bad-envelope-is-a-file",
        ),
        pytest.param(
            file("file-looks-like-xml.fmt2.txt"),
            DownloadFile(
                content=raw("file-looks-like-xml.fmt2.txt"), file_name=None, media_type="text/csv"
            ),
            id="fmt2-file-like-broken-xml-is-a-file",
        ),
        pytest.param(
            file("file-binary.fmt0.txt"),
            DownloadFile(
                content=raw("file-binary.fmt0.txt"), file_name=None, media_type="text/csv"
            ),
            id="fmt0-bytes-not-in-the-charset-are-a-file",
        ),
        pytest.param(
            file("file-empty.fmt3.txt"),
            DownloadFile(content=b"", file_name=None, media_type="text/csv"),
            id="fmt3-empty-file",
        ),
        pytest.param(
            reply("templates/list.fmt3.txt", "get_file"),
            DownloadFile(
                content=(SAMPLES / "templates" / "list.fmt3.txt").read_bytes(),
                file_name=None,
                media_type="text/csv",
            ),
            id="fmt3-any-body-that-is-no-envelope",
        ),
    ],
)
def test_parse_download_file(sample, expected):
    assert parse_download_file(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(file(f"error-not-found.fmt{n}.txt"), SmscNotFound, id=f"fmt{n}-not-found")
            for n in FMTS
        ),
        *(
            pytest.param(
                file(f"error-duplicate.fmt{n}.txt"), SmscRateLimited, id=f"fmt{n}-duplicate"
            )
            for n in FMTS
        ),
        *(
            pytest.param(file(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
    ],
)
def test_parse_download_file_errors(sample, expected):
    with pytest.raises(expected):
        parse_download_file(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(
            file("file.fmt3.txt", content_type="csv"), id="fmt3-content-type-without-slash"
        ),
        pytest.param(
            file("file.fmt3.txt", content_disposition="attachment; filename*=utf-8''%FF.csv"),
            id="fmt3-undecodable-rfc5987-without-filename",
        ),
        pytest.param(
            file("file.fmt3.txt", content_disposition="attachment; filename*=no-quotes.csv"),
            id="fmt3-rfc5987-without-charset",
        ),
    ],
)
def test_parse_download_file_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_download_file(sample)
