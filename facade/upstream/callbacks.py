"""SMSC's callbacks taken in: a message's new status, or an incoming message, handed to the
account's subscribers at once (`Pollers.deliver_*`), with polling left as the fallback.

Each account with a callback key is found by it (`CallbackIntake.receive`); a key no account has
is `None` (the endpoint answers 404, and nothing is read). With the account's checksum secret
configured, a callback whose `md5`/`sha1` does not match (or has none) is refused and changes
nothing. SMSC may post one callback more than once: one already taken is acknowledged and
dropped (the last `SEEN` callbacks of an account are remembered). A status also expires the
cached statuses and an incoming message the cached answers, so the next read asks SMSC.
"""

import dataclasses
import datetime as dt
import enum
import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Final

import cachetools

from facade.domain.answers import Answer
from facade.smsc.callbacks import CallbackError, parse_callback, verify_checksum
from facade.upstream import effects
from facade.upstream.pollers import Pollers

__all__ = ["CALLBACK_PATH", "SEEN", "Accepted", "CallbackAccount", "CallbackIntake"]

logger = logging.getLogger("facade.upstream.callbacks")

# Where SMSC posts: the path's last segment is the account's secret key (never logged).
CALLBACK_PATH: Final = "/smsc/callback/"
# Callbacks an account remembers having taken, to drop SMSC's repeats.
SEEN: Final = 10_000


class Accepted(enum.Enum):
    TAKEN = "taken"
    REPEATED = "repeated"  # taken before: acknowledged, not delivered again
    FORGED = "forged"  # its checksum does not match: nothing changed
    MALFORMED = "malformed"  # it does not read: nothing changed


@dataclasses.dataclass(frozen=True, slots=True)
class CallbackAccount:
    """An account's callback key and checksum secret, and its pollers."""

    key: str
    secret: str | None
    pollers: Pollers


class CallbackIntake:
    def __init__(
        self,
        accounts: Mapping[str, CallbackAccount],
        *,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`accounts` by account name."""
        self._by_key = {account.key: (name, account) for name, account in accounts.items()}
        self._seen: dict[str, cachetools.LRUCache[tuple[str, ...], bool]] = {
            name: cachetools.LRUCache(SEEN) for name in accounts
        }
        self._now = now

    def account(self, key: str) -> str | None:
        """The account `key` names, compared in constant time; None for no account."""
        found = None
        for known, (name, _) in self._by_key.items():
            if hmac.compare_digest(known.encode(), key.encode()):
                found = name
        return found

    async def receive(self, key: str, form: Mapping[str, str]) -> Accepted | None:
        """Take one callback for the account `key` names; None when no account has that key."""
        name = self.account(key)
        if name is None:
            return None
        _, account = self._by_key[key]
        if account.secret is not None and not verify_checksum(form, account.secret):
            logger.warning("SMSC callback for %s refused: its checksum does not match", name)
            return Accepted.FORGED
        try:
            callback = parse_callback(form, received_at=self._now())
        except CallbackError as exc:
            logger.warning("SMSC callback for %s refused: %s", name, exc)
            return Accepted.MALFORMED
        identity = tuple(form.get(field, "") for field in ("id", "phone", "status", "err", "ts"))
        seen = self._seen[name]
        if identity in seen:
            return Accepted.REPEATED
        seen[identity] = True
        pollers = account.pollers
        if isinstance(callback, Answer):
            await pollers.client.cache.invalidate(effects.ANSWERS)
            pollers.deliver_answer(callback)
        else:
            await pollers.client.cache.invalidate(effects.MESSAGES)
            pollers.deliver_message(callback)
        return Accepted.TAKEN
