"""Who is calling, and what they may do: scopes and the principal a client token stands for."""

import dataclasses
import enum
from collections.abc import Iterable


class Scope(enum.StrEnum):
    """What a client token allows. Each scope includes the ones before it."""

    READ = "read"  # queries and GETs
    WRITE = "write"  # also mutations and REST changes
    ADMIN = "admin"  # also purging the account's caches


_ORDER = (Scope.READ, Scope.WRITE, Scope.ADMIN)


def effective(scopes: Iterable[Scope]) -> frozenset[Scope]:
    """The scopes granted, each one with those it includes (`write` brings `read`)."""
    granted = set(scopes)
    if not granted:
        return frozenset()
    top = max(_ORDER.index(scope) for scope in granted)
    return frozenset(_ORDER[: top + 1])


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """An authenticated caller: a named client, the SMSC account it is bound to, its scopes."""

    name: str
    account: str
    scopes: frozenset[Scope]
    key_id: str | None = None  # which of the client's tokens (None in sandbox mode)

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes


# Sandbox mode: no tokens; every request acts on the emulator's account with every scope.
SANDBOX_PRINCIPAL = Principal(
    name="sandbox", account="default", scopes=frozenset(_ORDER), key_id=None
)
