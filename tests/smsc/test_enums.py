"""SMSC's codes of the domain's enums: one table each, every member one code, read both ways."""

import enum
from typing import Any

import pytest

from facade.domain.blacklist import BlockScope
from facade.domain.downloads import DownloadTaskStatus
from facade.domain.groups import GroupKind, GroupMove
from facade.domain.jobs import Channel, JobStatus, Repeat, Transliteration, Voice
from facade.domain.messages import MessageStatus
from facade.domain.templates import MessageFormat
from facade.smsc import enums
from facade.smsc.enums import (
    BLOCK_SCOPES,
    CHANNELS,
    DOWNLOAD_TASK_STATUSES,
    GROUP_KINDS,
    GROUP_MOVES,
    JOB_STATUSES,
    MESSAGE_FORMATS,
    MESSAGE_STATUSES,
    REPEATS,
    TABLES,
    TRANSLITERATIONS,
    VOICES,
    Codes,
)

TABLE_IDS = [table.kind.__name__ for table in TABLES]


def test_one_table_per_enum_with_codes() -> None:
    assert [table.kind for table in TABLES] == [
        Channel,
        Repeat,
        Transliteration,
        Voice,
        JobStatus,
        MessageFormat,
        GroupKind,
        GroupMove,
        BlockScope,
        DownloadTaskStatus,
        MessageStatus,
    ]
    assert {name for name in enums.__all__ if name.isupper()} == {
        name for name, value in vars(enums).items() if isinstance(value, Codes)
    } | {"TABLES"}


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_every_member_has_exactly_one_code(table: Codes[Any, Any]) -> None:
    coded = [member for member in table.kind if member is not table.unknown]
    codes = [table.encode(member) for member in coded]
    assert len(set(codes)) == len(codes) == len(coded)
    assert list(table.codes) == codes


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_the_tables_are_inverse(table: Codes[Any, Any]) -> None:
    for member in table.kind:
        if member is not table.unknown:
            assert table.decode(table.encode(member)) is member
    for code in table.codes:
        assert table.encode(table.decode(code)) == code


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_unknown_has_no_code(table: Codes[Any, Any]) -> None:
    if table.unknown is None:
        assert "UNKNOWN" not in table.kind.__members__
        return
    assert table.unknown.name == "UNKNOWN"
    with pytest.raises(ValueError, match="has no SMSC code"):
        table.encode(table.unknown)


@pytest.mark.parametrize(
    ("table", "code", "expected"),
    [
        pytest.param(JOB_STATUSES, 0, JobStatus.WAITING, id="job-waiting"),
        pytest.param(JOB_STATUSES, 4, JobStatus.FAILED, id="job-failed"),
        pytest.param(JOB_STATUSES, 17, JobStatus.UNKNOWN, id="job-new-status"),
        pytest.param(JOB_STATUSES, -1, JobStatus.UNKNOWN, id="job-negative-status"),
        pytest.param(DOWNLOAD_TASK_STATUSES, 2, DownloadTaskStatus.COMPLETED, id="task-completed"),
        pytest.param(DOWNLOAD_TASK_STATUSES, 9, DownloadTaskStatus.UNKNOWN, id="task-new-status"),
        pytest.param(BLOCK_SCOPES, 1, BlockScope.MASS, id="block-mass"),
        pytest.param(BLOCK_SCOPES, 3, BlockScope.UNKNOWN, id="block-new-type"),
        pytest.param(MESSAGE_FORMATS, "", MessageFormat.UNSPECIFIED, id="format-empty"),
        pytest.param(MESSAGE_FORMATS, "viber", MessageFormat.VIBER, id="format-viber"),
        pytest.param(MESSAGE_FORMATS, "telegram", MessageFormat.UNKNOWN, id="format-new"),
        pytest.param(MESSAGE_FORMATS, "UNKNOWN", MessageFormat.UNKNOWN, id="format-member-name"),
        pytest.param(MESSAGE_STATUSES, -3, MessageStatus.NOT_FOUND, id="message-not-found"),
        pytest.param(MESSAGE_STATUSES, 1, MessageStatus.DELIVERED, id="message-delivered"),
        pytest.param(MESSAGE_STATUSES, 21, MessageStatus.UNKNOWN, id="message-new-status-21"),
        pytest.param(MESSAGE_STATUSES, -4, MessageStatus.UNKNOWN, id="message-new-status-minus-4"),
    ],
)
def test_open_enums_keep_unknown_codes_apart(
    table: Codes[Any, Any], code: object, expected: enum.Enum
) -> None:
    assert table.decode(code) is expected


@pytest.mark.parametrize(
    ("table", "member", "code"),
    [
        pytest.param(CHANNELS, Channel.SMS, None, id="channel-sms-no-flag"),
        pytest.param(CHANNELS, Channel.BINARY_HEX, ("bin", "2"), id="channel-bin-hex"),
        pytest.param(CHANNELS, Channel.TELEGRAM, ("tg", "1"), id="channel-telegram"),
        pytest.param(REPEATS, Repeat.MANUAL, 0, id="repeat-manual"),
        pytest.param(REPEATS, Repeat.YEARLY, 7, id="repeat-yearly"),
        pytest.param(TRANSLITERATIONS, Transliteration.LOOKALIKE, 2, id="translit-lookalike"),
        pytest.param(VOICES, Voice.FEMALE_2, "w2", id="voice-female-2"),
        pytest.param(GROUP_KINDS, GroupKind.EMAILS, 1, id="group-emails"),
        pytest.param(GROUP_MOVES, GroupMove.REPLACE, 1, id="move-replace"),
        pytest.param(GROUP_MOVES, GroupMove.REMOVE, 3, id="move-remove"),
        pytest.param(BLOCK_SCOPES, BlockScope.SINGLE, 2, id="block-single"),
        pytest.param(MESSAGE_FORMATS, MessageFormat.MAIL, "mail", id="format-mail"),
        *(
            pytest.param(MESSAGE_STATUSES, member, code, id=f"message-{member.name.lower()}")
            for member, code in [
                (MessageStatus.NOT_FOUND, -3),
                (MessageStatus.STOPPED, -2),
                (MessageStatus.WAITING, -1),
                (MessageStatus.SENT, 0),
                (MessageStatus.DELIVERED, 1),
                (MessageStatus.READ, 2),
                (MessageStatus.EXPIRED, 3),
                (MessageStatus.LINK_CLICKED, 4),
                (MessageStatus.UNDELIVERABLE, 20),
                (MessageStatus.INVALID_NUMBER, 22),
                (MessageStatus.PROHIBITED, 23),
                (MessageStatus.NO_MONEY, 24),
                (MessageStatus.UNAVAILABLE_NUMBER, 25),
            ]
        ),
    ],
)
def test_codes(table: Codes[Any, Any], member: enum.Enum, code: object) -> None:
    assert table.encode(member) == code
    assert table.decode(code) is member


@pytest.mark.parametrize(
    ("table", "code"),
    [
        pytest.param(REPEATS, 8, id="repeat"),
        pytest.param(VOICES, "x", id="voice"),
        pytest.param(CHANNELS, ("bin", "3"), id="channel"),
        pytest.param(GROUP_MOVES, 0, id="move"),
        pytest.param(REPEATS, "2", id="repeat-as-text"),
    ],
)
def test_closed_enums_refuse_unknown_codes(table: Codes[Any, Any], code: object) -> None:
    with pytest.raises(ValueError, match="is no SMSC code of"):
        table.decode(code)


class _Kind(enum.StrEnum):
    ONE = "ONE"
    TWO = "TWO"
    UNKNOWN = "UNKNOWN"


@pytest.mark.parametrize(
    ("codes", "unknown", "match"),
    [
        pytest.param({_Kind.ONE: 1}, _Kind.UNKNOWN, "a code for each member", id="missing"),
        pytest.param(
            {_Kind.ONE: 1, _Kind.TWO: 2, _Kind.UNKNOWN: 3},
            _Kind.UNKNOWN,
            "a code for each member",
            id="unknown-coded",
        ),
        pytest.param({_Kind.ONE: 1, _Kind.TWO: 2}, None, "a code for each member", id="no-unknown"),
        pytest.param({_Kind.ONE: 1, _Kind.TWO: 1}, _Kind.UNKNOWN, "share a code", id="shared-code"),
    ],
)
def test_a_table_that_is_not_one_to_one_is_refused(
    codes: dict[_Kind, int], unknown: _Kind | None, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        Codes(_Kind, codes, unknown=unknown)


def test_repr_names_the_enum() -> None:
    assert repr(REPEATS) == "Codes(Repeat)"
