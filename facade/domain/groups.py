"""Contact groups (phones.php `add_group`, `chg_group`, `del_group`, `get_group`, `move_group`)."""

import dataclasses
import enum


class GroupKind(enum.Enum):
    """What a group holds (`type` of `add_group`)."""

    PHONES = 0
    EMAILS = 1


class GroupMove(enum.Enum):
    """`move_group` modes: 1 replaces a contact's groups, 2 adds one, 3 removes one."""

    REPLACE = 1
    ADD = 2
    REMOVE = 3


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    id: str
    name: str
    number: int | None
    contact_count: int | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GroupDraft:
    name: str
    number: int | None = None
    kind: GroupKind = GroupKind.PHONES
