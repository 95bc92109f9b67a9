"""The blacklist (phones.php `add_black`, `del_black`, `get_black`)."""

import dataclasses
import enum


# `UNKNOWN` is a scope SMSC added later (`BlacklistEntry.scope_raw` keeps its code).
class BlockScope(enum.StrEnum):
    """Which messages a blacklisted phone does not get."""

    ALL = "ALL"
    MASS = "MASS"
    SINGLE = "SINGLE"
    UNKNOWN = "UNKNOWN"


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


def listed(id: str, draft: BlacklistDraft, *, scope_raw: int) -> BlacklistEntry:
    """The entry as SMSC lists it after adding `draft` with `id` (the phone without a +);
    `scope_raw` is SMSC's code of the scope (`facade.smsc.enums.BLOCK_SCOPES`)."""
    return BlacklistEntry(
        id=id,
        phone=draft.phone.removeprefix("+"),
        scope=draft.scope,
        scope_raw=scope_raw,
        comment=draft.comment or None,
    )
