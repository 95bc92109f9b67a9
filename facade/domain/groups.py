"""Contact groups (phones.php `add_group`, `chg_group`, `del_group`, `get_group`, `move_group`)."""

import dataclasses
import enum


class GroupKind(enum.StrEnum):
    """What a group holds."""

    PHONES = "PHONES"
    EMAILS = "EMAILS"


class GroupMove(enum.StrEnum):
    """How `move_group` moves a contact: into one group only, into one more, or out of one."""

    REPLACE = "REPLACE"
    ADD = "ADD"
    REMOVE = "REMOVE"


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
