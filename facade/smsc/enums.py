"""SMSC's codes for the domain's enums: one table per enum, read both ways.

The domain's enums name what a value means (`Repeat.DAILY`); only this module knows what SMSC
calls it (`rpt=2`). `encode` gives a member's code for a request; `decode` gives the member of a
code in a reply, and `UNKNOWN` for a code SMSC added later where the enum has that member (the
record keeps the raw code beside it). Sources: smsc-jobs.txt (channel flags, `rpt`, `translit`,
`voice`), smsc-templates.txt (`format`), smsc-downloads.txt (task status), smsc-api-notes.md §2
(`add_group` `type`, `move_group`), docs/smsc-wire.md (job status, blacklist `type`),
smsc-messages-notes.md §2.3 (a message's `status`).
"""

import enum
from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from facade.domain.blacklist import BlockScope
from facade.domain.downloads import DownloadTaskStatus
from facade.domain.groups import GroupKind, GroupMove
from facade.domain.jobs import Channel, JobStatus, Repeat, Transliteration, Voice
from facade.domain.messages import MessageStatus
from facade.domain.templates import MessageFormat

__all__ = [
    "BLOCK_SCOPES",
    "CHANNELS",
    "DOWNLOAD_TASK_STATUSES",
    "GROUP_KINDS",
    "GROUP_MOVES",
    "JOB_STATUSES",
    "MESSAGE_FORMATS",
    "MESSAGE_STATUSES",
    "REPEATS",
    "TABLES",
    "TRANSLITERATIONS",
    "VOICES",
    "Codes",
]

E = TypeVar("E", bound=enum.Enum)
C = TypeVar("C", bound=Hashable)


class Codes(Generic[E, C]):
    """A one-to-one table between the members of `kind` and SMSC's codes for them.

    Every member has exactly one code, except `unknown` (the member for codes the table does not
    hold), which has none; two members never share a code. A table that breaks either rule is a
    `ValueError` when it is made, at import.
    """

    def __init__(self, kind: type[E], codes: Mapping[E, C], *, unknown: E | None = None) -> None:
        expected = {member for member in kind if member is not unknown}
        if set(codes) != expected:
            raise ValueError(f"{kind.__name__}: a code for each member but {unknown}")
        members = {code: member for member, code in codes.items()}
        if len(members) != len(codes):
            raise ValueError(f"{kind.__name__}: two members share a code")
        self.kind = kind
        self.unknown = unknown
        self._codes = dict(codes)
        self._members = members

    def __repr__(self) -> str:
        return f"Codes({self.kind.__name__})"

    @property
    def codes(self) -> tuple[C, ...]:
        """Every code, in the order of the enum's members."""
        return tuple(self._codes.values())

    def encode(self, member: E) -> C:
        """SMSC's code of `member`; `unknown` has none, a `ValueError` (nothing to send)."""
        try:
            return self._codes[member]
        except KeyError:
            raise ValueError(f"{member!r} has no SMSC code") from None

    def decode(self, code: C) -> E:
        """The member SMSC means by `code`: `unknown` for a code the table does not hold, or a
        `ValueError` where the enum has no `unknown` member."""
        member = self._members.get(code)
        if member is not None:
            return member
        if self.unknown is None:
            raise ValueError(f"{code!r} is no SMSC code of {self.kind.__name__}")
        return self.unknown


# jobs.php (smsc-jobs.txt): the channel flag (SMS has none), `rpt`, `translit`, `voice`.
CHANNELS: Codes[Channel, tuple[str, str] | None] = Codes(
    Channel,
    {
        Channel.SMS: None,
        Channel.FLASH: ("flash", "1"),
        Channel.PUSH: ("push", "1"),
        Channel.BINARY: ("bin", "1"),
        Channel.BINARY_HEX: ("bin", "2"),
        Channel.HLR: ("hlr", "1"),
        Channel.PING: ("ping", "1"),
        Channel.MMS: ("mms", "1"),
        Channel.EMAIL: ("mail", "1"),
        Channel.CALL: ("call", "1"),
        Channel.VIBER: ("viber", "1"),
        Channel.SOCIAL: ("soc", "1"),
        Channel.WHATSAPP: ("whatsapp", "1"),
        Channel.TELEGRAM: ("tg", "1"),
    },
)
REPEATS: Codes[Repeat, int] = Codes(
    Repeat,
    {
        Repeat.MANUAL: 0,
        Repeat.HOURLY: 1,
        Repeat.DAILY: 2,
        Repeat.WORKDAYS: 3,
        Repeat.WEEKENDS: 4,
        Repeat.WEEKLY: 5,
        Repeat.MONTHLY: 6,
        Repeat.YEARLY: 7,
    },
)
TRANSLITERATIONS: Codes[Transliteration, int] = Codes(
    Transliteration,
    {Transliteration.NONE: 0, Transliteration.LATIN: 1, Transliteration.LOOKALIKE: 2},
)
VOICES: Codes[Voice, str] = Codes(
    Voice,
    {
        Voice.MALE: "m",
        Voice.MALE_2: "m2",
        Voice.MALE_3: "m3",
        Voice.MALE_4: "m4",
        Voice.FEMALE: "w",
        Voice.FEMALE_2: "w2",
        Voice.FEMALE_3: "w3",
        Voice.FEMALE_4: "w4",
    },
)
# `status` of `get` and `get_all` (docs/smsc-wire.md, an assumption).
JOB_STATUSES: Codes[JobStatus, int] = Codes(
    JobStatus,
    {
        JobStatus.WAITING: 0,
        JobStatus.RUNNING: 1,
        JobStatus.DONE: 2,
        JobStatus.CANCELLED: 3,
        JobStatus.FAILED: 4,
    },
    unknown=JobStatus.UNKNOWN,
)

# templates.php (smsc-templates.txt): `format`, empty when the template has none.
MESSAGE_FORMATS: Codes[MessageFormat, str] = Codes(
    MessageFormat,
    {
        MessageFormat.UNSPECIFIED: "",
        MessageFormat.SMS: "sms",
        MessageFormat.FLASH: "flash",
        MessageFormat.BIN: "bin",
        MessageFormat.PUSH: "push",
        MessageFormat.MMS: "mms",
        MessageFormat.CALL: "call",
        MessageFormat.MAIL: "mail",
        MessageFormat.VIBER: "viber",
    },
    unknown=MessageFormat.UNKNOWN,
)

# phones.php: `type` of `add_group`, the `move_group` mode, `type` of the blacklist.
GROUP_KINDS: Codes[GroupKind, int] = Codes(GroupKind, {GroupKind.PHONES: 0, GroupKind.EMAILS: 1})
GROUP_MOVES: Codes[GroupMove, int] = Codes(
    GroupMove, {GroupMove.REPLACE: 1, GroupMove.ADD: 2, GroupMove.REMOVE: 3}
)
BLOCK_SCOPES: Codes[BlockScope, int] = Codes(
    BlockScope,
    {BlockScope.ALL: 0, BlockScope.MASS: 1, BlockScope.SINGLE: 2},
    unknown=BlockScope.UNKNOWN,
)

# downloads.php (smsc-downloads.txt): a task's `status`.
DOWNLOAD_TASK_STATUSES: Codes[DownloadTaskStatus, int] = Codes(
    DownloadTaskStatus,
    {
        DownloadTaskStatus.PENDING: 0,
        DownloadTaskStatus.IN_PROGRESS: 1,
        DownloadTaskStatus.COMPLETED: 2,
        DownloadTaskStatus.CANCELLED: 3,
        DownloadTaskStatus.FAILED: 4,
    },
    unknown=DownloadTaskStatus.UNKNOWN,
)

# status.php, send.php's refused recipients and status callbacks (smsc-messages-notes.md §2.3):
# a message's `status` for one recipient. SMSC may add codes (its table was cut after 4).
MESSAGE_STATUSES: Codes[MessageStatus, int] = Codes(
    MessageStatus,
    {
        MessageStatus.NOT_FOUND: -3,
        MessageStatus.STOPPED: -2,
        MessageStatus.WAITING: -1,
        MessageStatus.SENT: 0,
        MessageStatus.DELIVERED: 1,
        MessageStatus.READ: 2,
        MessageStatus.EXPIRED: 3,
        MessageStatus.LINK_CLICKED: 4,
        MessageStatus.UNDELIVERABLE: 20,
        MessageStatus.INVALID_NUMBER: 22,
        MessageStatus.PROHIBITED: 23,
        MessageStatus.NO_MONEY: 24,
        MessageStatus.UNAVAILABLE_NUMBER: 25,
    },
    unknown=MessageStatus.UNKNOWN,
)

# Every table, one per enum of the domain that SMSC has codes for.
TABLES: tuple[Codes[Any, Any], ...] = (
    CHANNELS,
    REPEATS,
    TRANSLITERATIONS,
    VOICES,
    JOB_STATUSES,
    MESSAGE_FORMATS,
    GROUP_KINDS,
    GROUP_MOVES,
    BLOCK_SCOPES,
    DOWNLOAD_TASK_STATUSES,
    MESSAGE_STATUSES,
)
