"""The blacklist (phones.php `add_black`, `del_black`, `get_black`)."""

import dataclasses

from facade.domain.common import OpenEnum


class BlockScope(OpenEnum):
    """Which messages a blacklisted phone does not get (`type`)."""

    ALL = 0
    MASS = 1
    SINGLE = 2
    UNKNOWN = -1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistEntry:
    id: str
    phone: str
    scope: BlockScope
    scope_raw: int
    comment: str | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistDraft:
    phone: str
    scope: BlockScope = BlockScope.ALL
    comment: str | None = None


def listed(id: str, draft: BlacklistDraft) -> BlacklistEntry:
    """The entry as SMSC lists it after adding `draft` with `id` (the phone without a +)."""
    return BlacklistEntry(
        id=id,
        phone=draft.phone.removeprefix("+"),
        scope=draft.scope,
        scope_raw=draft.scope.value,
        comment=draft.comment or None,
    )
