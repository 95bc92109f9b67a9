import dataclasses
import datetime as dt

import pytest

from facade.domain.blacklist import BlockScope
from facade.domain.common import MOSCOW
from facade.domain.downloads import DownloadTaskStatus
from facade.domain.jobs import JobStatus
from facade.domain.templates import MessageFormat, Template


@pytest.mark.parametrize(
    ("enum", "raw", "expected"),
    [
        pytest.param(JobStatus, 0, JobStatus.WAITING, id="job-waiting"),
        pytest.param(JobStatus, 4, JobStatus.FAILED, id="job-failed"),
        pytest.param(JobStatus, 17, JobStatus.UNKNOWN, id="job-new-status"),
        pytest.param(DownloadTaskStatus, 2, DownloadTaskStatus.COMPLETED, id="task-completed"),
        pytest.param(DownloadTaskStatus, 9, DownloadTaskStatus.UNKNOWN, id="task-new-status"),
        pytest.param(BlockScope, 1, BlockScope.MASS, id="block-mass"),
        pytest.param(BlockScope, 3, BlockScope.UNKNOWN, id="block-new-type"),
        pytest.param(MessageFormat, "", MessageFormat.UNSPECIFIED, id="format-empty"),
        pytest.param(MessageFormat, "viber", MessageFormat.VIBER, id="format-viber"),
        pytest.param(MessageFormat, "telegram", MessageFormat.UNKNOWN, id="format-new"),
    ],
)
def test_open_enums_keep_unknown_values_apart(enum, raw, expected):
    assert enum.from_raw(raw) is expected


def _template(flags: int) -> Template:
    return Template(
        id="1",
        name="n",
        message="m",
        format=MessageFormat.SMS,
        format_raw="sms",
        sender=None,
        flags=flags,
    )


@pytest.mark.parametrize(("flags", "auto_sign"), [(0, False), (1, True), (2, False), (3, True)])
def test_auto_sign_is_the_first_flag_bit(flags, auto_sign):
    assert _template(flags).auto_sign is auto_sign


def test_domain_objects_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _template(0).name = "changed"  # type: ignore[misc]


def test_moscow_is_utc_plus_three_all_year():
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=MOSCOW)
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=MOSCOW)
    assert winter.utcoffset() == summer.utcoffset() == dt.timedelta(hours=3)
