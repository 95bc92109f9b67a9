"""The blacklist (phones.php `add_black`, `del_black`, `get_black`).

SMSC keeps two: phones, and e-mail addresses (smsc-contacts-responses.txt, "when requesting an
e-mail blacklist"). An entry's `phone` holds its blocked address, either kind; `is_email` tells
which list it is on.
"""

import dataclasses
import enum

from facade.domain.contacts import is_email


# `UNKNOWN` is a scope SMSC added later (`BlacklistEntry.scope_raw` keeps its code).
class BlockScope(enum.StrEnum):
    """Which messages a blacklisted phone does not get."""

    ALL = "ALL"
    MASS = "MASS"
    SINGLE = "SINGLE"
    UNKNOWN = "UNKNOWN"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistEntry:
    """A blocked address: `phone` is a phone, or an e-mail address on the e-mail blacklist."""

    id: str
    phone: str
    scope: BlockScope
    scope_raw: int
    comment: str | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistDraft:
    """An address to block: `phone` is a phone, or an e-mail address (`is_email`), which goes
    on the e-mail blacklist."""

    phone: str
    scope: BlockScope = BlockScope.ALL
    comment: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class BlacklistQuery:
    """Which blacklist to list: phones, or with `emails` the e-mail addresses."""

    emails: bool = False


def listed(id: str, draft: BlacklistDraft, *, scope_raw: int) -> BlacklistEntry:
    """The entry as SMSC lists it after adding `draft` with `id` (a phone without a +, an
    e-mail address as given); `scope_raw` is SMSC's code of the scope
    (`facade.smsc.enums.BLOCK_SCOPES`)."""
    return BlacklistEntry(
        id=id,
        phone=draft.phone if is_email(draft.phone) else draft.phone.removeprefix("+"),
        scope=draft.scope,
        scope_raw=scope_raw,
        comment=draft.comment or None,
    )
