import datetime as dt
import decimal

import pytest

from facade.domain.common import MOSCOW
from facade.domain.jobs import Job, JobCreated
from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscNotFound,
    SmscRateLimited,
    SmscRejected,
    UpstreamProtocolError,
)
from facade.smsc.enums import JOB_STATUSES
from facade.smsc.parse.jobs import parse_job, parse_job_created, parse_jobs
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)


def msk(day: int, month: int, year: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW)


def job(
    id_: str,
    name: str,
    status: int,
    created: dt.datetime | None,
    send_at: dt.datetime | None,
    count: int | None,
    message: str,
    marker: str | None = None,
) -> Job:
    return Job(
        id=id_,
        name=name,
        status=JOB_STATUSES.decode(status),
        status_raw=status,
        created_at=created,
        send_at=send_at,
        recipient_count=count,
        message=message,
        marker=marker,
    )


SPRING = job("7", "Spring sale", 2, msk(1, 3, 2024, 10, 0), None, 150, "Sale starts today")
REMINDER = job(
    "8", "Reminder", 0, msk(2, 3, 2024, 9, 30), msk(5, 3, 2024, 12, 0), 2, "Don't forget"
)
FUTURE = job("9", "Future", 7, msk(3, 3, 2024, 11, 0), None, None, "New status")
COMMAS = [
    job(
        "11",
        "Promo, 2",
        1,
        msk(4, 3, 2024, 8, 0),
        None,
        3,
        "Hi, all, 50% off\nToday only, 10:00-18:00",
    ),
    job("12", "Next", 0, msk(4, 3, 2024, 8, 5), None, 1, "x"),
]
# The facade's marker ends a name: read off it, beside the name; anything else is kept as is.
MARKED = [
    job("21", "Promo, spring", 2, msk(1, 3, 2024, 10, 0), None, 1, "Hi", marker="ABCDEFGH23"),
    job("22", "Plain [fx:short]", 2, msk(1, 3, 2024, 10, 5), None, 1, "Hey"),
]
CYRILLIC = job(
    "16", "Рассылка, весна", 2, msk(6, 3, 2024, 10, 0), None, 5, "Скидки до 50%, только сегодня"
)


def jobs(path: str, command: str = "get_all", **kwargs: str) -> Reply:
    return reply(f"jobs/{path}", command, **kwargs)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(jobs(f"add.fmt{n}.txt", "add"), JobCreated(id="7"), id=f"fmt{n}-add")
            for n in FMTS
        ),
        *(
            pytest.param(
                jobs(f"add-cost.fmt{n}.txt", "add"),
                JobCreated(id="7", cost=decimal.Decimal("1.40")),
                id=f"fmt{n}-add-with-cost",
            )
            for n in FMTS
        ),
        pytest.param(
            jobs("add-string-id.fmt3.txt", "add"),
            JobCreated(id="7", cost=decimal.Decimal(2)),
            id="fmt3-string-id-number-cost",
        ),
    ],
)
def test_parse_job_created(sample, expected):
    assert parse_job_created(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(
                jobs(f"error-save.fmt{n}.txt", "add"), SmscRejected, id=f"fmt{n}-3-save-error"
            )
            for n in FMTS
        ),
        *(
            pytest.param(
                jobs(f"error-date.fmt{n}.txt", "add"), SmscBadRequest, id=f"fmt{n}-5-invalid-date"
            )
            for n in FMTS
        ),
        *(
            pytest.param(
                jobs(f"error-duplicate.fmt{n}.txt", "add"),
                SmscRateLimited,
                id=f"fmt{n}-9-duplicate",
            )
            for n in FMTS
        ),
    ],
)
def test_parse_job_created_errors(sample, expected):
    with pytest.raises(expected):
        parse_job_created(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(jobs("add-bad-cost.fmt3.txt", "add"), id="fmt3-cost-a-word"),
        pytest.param(jobs("add-no-id.fmt2.txt", "add"), id="fmt2-no-id"),
        pytest.param(jobs("ok.fmt0.txt", "add"), id="fmt0-ok-is-no-id"),
        pytest.param(jobs("ok-json.fmt3.txt", "add"), id="fmt3-result-is-no-id"),
        pytest.param(jobs("get.fmt2.txt", "add"), id="fmt2-a-job-is-no-id"),
    ],
)
def test_parse_job_created_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_job_created(sample)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(pytest.param(jobs(f"get.fmt{n}.txt", "get"), SPRING, id=f"fmt{n}-get") for n in FMTS),
        pytest.param(jobs("get-list-of-one.fmt2.txt", "get"), SPRING, id="fmt2-list-of-one"),
        pytest.param(
            jobs("get-list-of-one.fmt3.txt", "get"), SPRING, id="fmt3-list-of-one-strings"
        ),
    ],
)
def test_parse_job(sample, expected):
    assert parse_job(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(
                jobs(f"error-not-found.fmt{n}.txt", "get"), SmscNotFound, id=f"fmt{n}-3-not-found"
            )
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"error-auth.fmt{n}.txt", "get"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
    ],
)
def test_parse_job_errors(sample, expected):
    with pytest.raises(expected):
        parse_job(sample)


@pytest.mark.parametrize(
    "sample",
    [
        *(
            pytest.param(jobs(f"get-all.fmt{n}.txt", "get"), id=f"fmt{n}-three-records")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"get-all-empty.fmt{n}.txt", "get"), id=f"fmt{n}-no-record")
            for n in FMTS
        ),
        pytest.param(jobs("status-bool.fmt3.txt", "get"), id="fmt3-status-a-bool"),
        pytest.param(jobs("bad-date.fmt3.txt", "get"), id="fmt3-iso-date"),
        pytest.param(jobs("ok-bare.fmt3.txt", "get"), id="fmt3-ok-is-no-job"),
    ],
)
def test_parse_job_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_job(sample)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(jobs(f"get-all.fmt{n}.txt"), [SPRING, REMINDER, FUTURE], id=f"fmt{n}-list")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"get-all-empty.fmt{n}.txt"), [], id=f"fmt{n}-empty-list")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"error-not-found.fmt{n}.txt"), [], id=f"fmt{n}-error-3-is-empty")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"commas.fmt{n}.txt"), COMMAS, id=f"fmt{n}-commas-and-new-lines")
            for n in (0, 1, 3)
        ),
        *(pytest.param(jobs(f"marked.fmt{n}.txt"), MARKED, id=f"fmt{n}-marked-name") for n in FMTS),
        pytest.param(
            jobs("name-comma-digits.fmt1.txt"),
            [job("13", "Sale,2", 3, msk(5, 3, 2024, 10, 0), None, 4, "Body")],
            id="fmt1-name-with-comma-and-digits",
        ),
        pytest.param(jobs("cyrillic-utf8.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-utf-8"),
        pytest.param(jobs("cyrillic-cp1251.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-windows-1251"),
        pytest.param(jobs("cyrillic-koi8r.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-koi8-r"),
        pytest.param(jobs("get.fmt1.txt"), [SPRING], id="fmt1-trailing-newline"),
    ],
)
def test_parse_jobs(sample, expected):
    assert parse_jobs(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(jobs(f"error-params.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-params")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
        *(
            pytest.param(jobs(f"error-date.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-invalid-date")
            for n in FMTS
        ),
    ],
)
def test_parse_jobs_errors(sample, expected):
    with pytest.raises(expected):
        parse_jobs(sample)


@pytest.mark.parametrize(
    "sample",
    [
        # Documented (R1): a message line starting "10,000" looks like a record start.
        pytest.param(jobs("newline-record-start.fmt1.txt"), id="fmt1-new-line-looks-like-a-record"),
        pytest.param(jobs("bad-date.fmt1.txt"), id="fmt1-31-february"),
        pytest.param(jobs("get.fmt3.txt"), id="fmt3-object-is-not-a-list"),
        pytest.param(jobs("get.fmt2.txt"), id="fmt2-bare-job-is-not-a-list"),
    ],
)
def test_parse_jobs_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_jobs(sample)
